// Incremental, fail-fast UTF-8 validation (RFC 3629 §4), for text messages and close
// reasons (RFC 6455 §8.1: invalid UTF-8 fails the connection with 1007).
//
// How this works: the validator keeps only the state inside one code point (bytes still
// expected and the allowed range of the next byte), so a message may arrive in any number
// of pieces and the first byte that can no longer start or continue a valid sequence is
// reported at once, not at the end of the message. Overlong forms, surrogates (U+D800 to
// U+DFFF) and code points above U+10FFFF are refused through the second-byte ranges.

export class Utf8Validator {
  /** Continuation bytes still expected in the current code point. */
  #need = 0;
  /** Allowed range of the next continuation byte (narrowed after some lead bytes). */
  #lo = 0x80;
  #hi = 0xbf;

  /** Feeds `bytes[start, end)`; false as soon as a byte makes the text invalid. */
  update(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
    let need = this.#need;
    let lo = this.#lo;
    let hi = this.#hi;
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (need === 0) {
        if (b < 0x80) continue;
        lo = 0x80;
        hi = 0xbf;
        if (b >= 0xc2 && b <= 0xdf) need = 1;
        else if (b >= 0xe0 && b <= 0xef) {
          need = 2;
          if (b === 0xe0) lo = 0xa0; // overlong
          else if (b === 0xed) hi = 0x9f; // surrogates
        } else if (b >= 0xf0 && b <= 0xf4) {
          need = 3;
          if (b === 0xf0) lo = 0x90; // overlong
          else if (b === 0xf4) hi = 0x8f; // above U+10FFFF
        } else {
          this.#need = need;
          return false;
        }
        continue;
      }
      if (b < lo || b > hi) {
        this.#need = need;
        return false;
      }
      lo = 0x80;
      hi = 0xbf;
      need--;
    }
    this.#need = need;
    this.#lo = lo;
    this.#hi = hi;
    return true;
  }

  /** True when the text fed so far ends on a code point boundary. */
  get complete(): boolean {
    return this.#need === 0;
  }

  reset(): void {
    this.#need = 0;
    this.#lo = 0x80;
    this.#hi = 0xbf;
  }
}

/** Whether `bytes` is valid UTF-8 as a whole. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  const v = new Utf8Validator();
  return v.update(bytes) && v.complete;
}
