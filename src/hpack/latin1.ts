// Turns a run of octets into a JavaScript string, one character per octet (latin1).
//
// Header field values are octets (RFC 9110 §5.5); latin1 keeps every octet as the
// character with the same code, so nothing is lost and the encoder (which accepts
// characters up to U+00FF) gets back exactly what was sent. TextDecoder's "latin1"
// label is windows-1252 (WHATWG Encoding), which remaps 0x80..0x9F, so it is not used.
// String.fromCharCode over a typed-array view builds the string in one call.

const CHUNK = 8192; // stays well below engine limits on call argument counts

/** Decodes `bytes[start..end)` as latin1. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 0) return "";
  if (n === 1) return String.fromCharCode(bytes[start]!);
  if (n <= CHUNK) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  let s = "";
  for (let i = start; i < end; i += CHUNK) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(i + CHUNK, end)) as unknown as number[]);
  }
  return s;
}
