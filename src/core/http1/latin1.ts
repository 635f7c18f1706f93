// Byte tables and latin1 decoding for the response parser.
//
// How this works: HTTP/1 field names and values are octets; a response's bytes map one to
// one onto UTF-16 code units 0..255 (latin1), so decoding never fails and never changes the
// length. `TextDecoder("latin1")` is windows-1252 in WHATWG terms (0x80..0x9F differ), so it
// is not used: short strings are built in a loop, long ones with `String.fromCharCode.apply`
// over subarrays small enough for the engine's argument limit. (The common all-ASCII head is
// decoded in one piece by the fast path in response-parser.ts.)

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

/** Decode `buf[start, end)` as latin1. */
export function latin1(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 64) {
    // short strings: a plain loop beats apply() and TextDecoder call overheads
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
    return s;
  }
  let s = "";
  for (let i = start; i < end; i += SLICE) {
    s += String.fromCharCode.apply(null, buf.subarray(i, Math.min(end, i + SLICE)) as unknown as number[]);
  }
  return s;
}
