// Byte tables and latin1 decoding for the response parser.
//
// How this works: HTTP/1 field names and values are octets; a response's bytes map one to
// one onto UTF-16 code units 0..255 (latin1), so decoding never fails and never changes the
// length. `TextDecoder("latin1")` is windows-1252 in WHATWG terms (0x80..0x9F differ), so it
// is not used: short strings are built in a loop; longer ones by Node's native latin1
// decoder where the runtime has Node's Buffer (feature detection on a global, not an
// import: the core still runs anywhere), else with `String.fromCharCode.apply` over
// subarrays small enough for the engine's argument limit.

/** 1 for RFC 9110 §5.6.2 tchar. */
export const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;

/**
 * 1 for octets allowed inside a field value: VCHAR, obs-text, SP, HTAB (RFC 9110 §5.5).
 * NUL, CR, LF and the other controls are 0.
 */
export const FIELD_VALUE = new Uint8Array(256);
for (let c = 0x20; c < 0x100; c++) FIELD_VALUE[c] = c === 0x7f ? 0 : 1;
FIELD_VALUE[0x09] = 1;

const SLICE = 4096;

// Buffer.prototype.latin1Slice takes any Uint8Array as `this`.
type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
const nativeSlice = (globalThis as unknown as { Buffer?: { prototype?: { latin1Slice?: Latin1Slice } } }).Buffer?.prototype?.latin1Slice;

/** Decode `buf[start, end)` as latin1. */
export function latin1(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 64) {
    // short strings: a plain loop beats the call overhead of a native decoder
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
    return s;
  }
  if (nativeSlice !== undefined) return nativeSlice.call(buf, start, end);
  let s = "";
  for (let i = start; i < end; i += SLICE) {
    s += String.fromCharCode.apply(null, buf.subarray(i, Math.min(end, i + SLICE)) as unknown as number[]);
  }
  return s;
}

/**
 * Decode a whole header section that will be cut into names and values: in one native call
 * whatever its length where the runtime has one (a string built in a loop is made of pieces
 * that every later slice would have to flatten first).
 */
export function latin1Section(buf: Uint8Array, start: number, end: number): string {
  return nativeSlice !== undefined ? nativeSlice.call(buf, start, end) : latin1(buf, start, end);
}
