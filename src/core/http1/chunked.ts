// The chunked transfer coding (RFC 9112 §7.1): parsing a response's chunk-size line, and
// framing a streamed request body.
//
// How this works: the response parser hands `parseChunkSizeLine` one complete line (without
// its line terminator). The size is 1 to 16 hex digits whose value must stay within
// Number.MAX_SAFE_INTEGER; no sign, no prefix. Chunk extensions (`;name=value`) are skipped
// but must not contain control characters; the whole line is capped at CHUNK_LINE_MAX bytes
// by the caller. Encoding writes `hex CRLF data CRLF` into one array for small chunks, or
// three pieces for large ones, so the data is never copied when it is big.

import { FIELD_VALUE } from "./latin1.js";
import { invalidChunkSize } from "./errors.js";

/** Longest accepted chunk-size line, extensions included (bytes, terminator excluded). */
export const CHUNK_LINE_MAX = 4096;
const MAX_DIGITS = 16;

const HEXVAL = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEXVAL[48 + i] = i;
for (let i = 0; i < 6; i++) { HEXVAL[65 + i] = 10 + i; HEXVAL[97 + i] = 10 + i; }

/**
 * Parse `buf[start, end)`, a chunk-size line without CRLF, into the chunk size.
 * @throws HTTPError `invalid_chunk_size`
 */
export function parseChunkSizeLine(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let size = 0;
  // RFC 9112 §7.1: chunk-size = 1*HEXDIG
  while (i < end) {
    const d = HEXVAL[buf[i]!]!;
    if (d < 0) break;
    size = size * 16 + d;
    i++;
  }
  const digits = i - start;
  if (digits === 0) throw invalidChunkSize("expected hex digits");
  if (digits > MAX_DIGITS || size > Number.MAX_SAFE_INTEGER) throw invalidChunkSize("chunk size too large");
  // RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
  while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
  if (i === end) return size;
  if (buf[i] !== 59 /* ; */) throw invalidChunkSize("unexpected character after the chunk size");
  for (i++; i < end; i++) {
    if (FIELD_VALUE[buf[i]!] === 0) throw invalidChunkSize("control character in a chunk extension");
  }
  return size;
}

const CRLF = 0x0d0a;

function writeAscii(out: Uint8Array, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  return at + s.length;
}

/** Frame one non-empty chunk of a request body; returns the pieces to write in order. */
export function encodeChunk(data: Uint8Array, out: Uint8Array[]): void {
  const hex = data.length.toString(16);
  if (data.length <= 16384) {
    const buf = new Uint8Array(hex.length + 4 + data.length);
    let at = writeAscii(buf, 0, hex);
    buf[at++] = CRLF >> 8; buf[at++] = CRLF & 0xff;
    buf.set(data, at); at += data.length;
    buf[at++] = 13; buf[at] = 10;
    out.push(buf);
    return;
  }
  const head = new Uint8Array(hex.length + 2);
  writeAscii(head, 0, hex);
  head[hex.length] = 13; head[hex.length + 1] = 10;
  out.push(head, data, Uint8Array.of(13, 10));
}

/** The last chunk with no trailers: `0 CRLF CRLF`. */
export function lastChunk(): Uint8Array {
  return Uint8Array.of(48, 13, 10, 13, 10);
}
