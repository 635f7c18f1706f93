// Request-target checks (RFC 9112 §3.2, RFC 3986 §2).
//
// How this works: a 128-entry table marks the characters RFC 3986 allows unescaped in a
// URI (unreserved + reserved); `%` must be followed by two hex digits. The check runs once
// per request over the target's UTF-16 code units, so anything non-ASCII is refused and
// must be percent-encoded by the caller. With `skipTargetValidation` the caller takes
// responsibility for the target, but the bytes that would break the request line (CR, LF,
// NUL, SP and the other control characters) are still refused, and non-ASCII characters
// are sent as their UTF-8 bytes.

const ALLOWED = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=") {
  ALLOWED[c.charCodeAt(0)] = 1;
}
const HEX = new Uint8Array(128);
for (const c of "0123456789abcdefABCDEF") HEX[c.charCodeAt(0)] = 1;

/** True when `target` is non-empty and only uses RFC 3986 characters and `%XX` escapes. */
export function isValidTarget(target: string): boolean {
  const n = target.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = target.charCodeAt(i);
    if (c >= 128) return false;
    if (ALLOWED[c] === 1) continue;
    if (c === 37 /* % */ && i + 2 < n) {
      const a = target.charCodeAt(i + 1), b = target.charCodeAt(i + 2);
      if (a < 128 && b < 128 && HEX[a] === 1 && HEX[b] === 1) { i += 2; continue; }
    }
    return false;
  }
  return true;
}

/**
 * True when `target` can be written on a request line at all: non-empty, no CR, LF, NUL,
 * SP or other control character (RFC 9112 §3: SP delimits the request line, CR/LF would end
 * it). Used when target validation is skipped.
 */
export function isSafeTarget(target: string): boolean {
  const n = target.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = target.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return false;
  }
  return true;
}

const utf8 = new TextEncoder();

/** The target as a string of byte values: ASCII unchanged, anything else as UTF-8 bytes. */
export function targetBytesAsLatin1(target: string): string {
  for (let i = 0; i < target.length; i++) {
    if (target.charCodeAt(i) >= 0x80) {
      const bytes = utf8.encode(target);
      let s = "";
      for (let j = 0; j < bytes.length; j++) s += String.fromCharCode(bytes[j]!);
      return s;
    }
  }
  return target;
}
