// Masking (RFC 6455 §5.3).
//
// How this works: every frame a client sends is masked with a fresh 4-byte key from an
// unpredictable source. The codec takes the random source as a function (the shell passes
// node:crypto's) and draws keys from a small pool refilled from it, so there is one call
// into the source per 256 frames rather than per frame.

/** Fills the given array with cryptographically strong random bytes. */
export type RandomFill = (target: Uint8Array) => void;

export class MaskKeys {
  readonly #fill: RandomFill;
  readonly #pool = new Uint8Array(1024);
  #pos = 1024;

  constructor(fill: RandomFill) {
    this.#fill = fill;
  }

  /** Writes a fresh 4-byte key into `target` at `offset`. */
  next(target: Uint8Array, offset: number): void {
    if (this.#pos === this.#pool.length) {
      this.#fill(this.#pool);
      this.#pos = 0;
    }
    target.set(this.#pool.subarray(this.#pos, this.#pos + 4), offset);
    this.#pos += 4;
  }
}

/**
 * XORs `src[start, end)` with the key (starting at key position `keyPos`) into `dst` at
 * `dstOffset`. `dst` may be `src` (in place).
 */
export function applyMask(src: Uint8Array, start: number, end: number, key: Uint8Array, keyPos: number, dst: Uint8Array, dstOffset: number): void {
  const k0 = key[keyPos & 3]!;
  const k1 = key[(keyPos + 1) & 3]!;
  const k2 = key[(keyPos + 2) & 3]!;
  const k3 = key[(keyPos + 3) & 3]!;
  let i = start;
  let j = dstOffset;
  const end4 = start + ((end - start) & ~3);
  for (; i < end4; i += 4, j += 4) {
    dst[j] = src[i]! ^ k0;
    dst[j + 1] = src[i + 1]! ^ k1;
    dst[j + 2] = src[i + 2]! ^ k2;
    dst[j + 3] = src[i + 3]! ^ k3;
  }
  if (i < end) dst[j++] = src[i++]! ^ k0;
  if (i < end) dst[j++] = src[i++]! ^ k1;
  if (i < end) dst[j] = src[i]! ^ k2;
}
