// Fast path of the response parser: a whole head (status line and header section) found in
// one received chunk, parsed in two passes over its bytes.
//
// How this works: most responses arrive with their head in one chunk. The first pass walks
// the field lines byte by byte with table lookups: each name must be a token followed by a
// colon (RFC 9112 §5.1: no whitespace before it, which also refuses obs-fold, §5.2), each
// value SP, HTAB and visible ASCII only (RFC 9110 §5.5), CR only right before LF (RFC 9112
// §2.2), within the size and count caps. It notes where each name and value lie and allocates
// nothing. Only when the head is complete and clean does the second pass build the strings:
// the field section is decoded to one string in a single call (each byte one character) and
// names and values are cut from it, names lowercased only when they have an uppercase letter;
// the three framing fields' names are matched on the bytes and given as constants.
// Anything unusual — obs-text, a malformed line, a head over the caps, a head not complete in
// this chunk — returns -1 and the line-by-line path (response-parser.ts) handles it, so both
// paths give the same parts and the same errors.

import { TCHAR, latin1Section } from "./latin1.js";
import { parseStatusLine, recordFraming, type ResponseHead } from "./response-parser.js";

const CONTENT_LENGTH = new TextEncoder().encode("content-length");
const TRANSFER_ENCODING = new TextEncoder().encode("transfer-encoding");
const CONNECTION = new TextEncoder().encode("connection");

/**
 * The framing field (content-length, transfer-encoding, connection) whose name
 * `buf[start, start + n)` spells, ignoring case, as a constant string; else undefined.
 * `byte | 0x20` is compared with lowercase letters and "-": for token bytes only "A".."Z"
 * change, and none turns into another of those characters.
 */
function framingName(buf: Uint8Array, start: number, n: number): string | undefined {
  const bytes = n === 14 ? CONTENT_LENGTH : n === 17 ? TRANSFER_ENCODING : CONNECTION;
  for (let j = 0; j < n; j++) if ((buf[start + j]! | 0x20) !== bytes[j]) return undefined;
  return n === 14 ? "content-length" : n === 17 ? "transfer-encoding" : "connection";
}

/** Per field line: name start, colon, value start, value end (negated when the name has uppercase). */
let bounds = new Int32Array(64);

/**
 * Try to parse a complete head at `buf[pos..]`: fills `head` (status, version, headers, size)
 * and returns the index after the head, or -1 when the line-by-line path must take over.
 * Returns the reason-phrase bounds through `head.reasonStart/reasonEnd`.
 * @throws HTTPError `invalid_status_line`, and the framing-field errors of `parseFieldLine`.
 */
export function parseHeadFast(buf: Uint8Array, pos: number, head: ResponseHead, max: number, maxCount: number): number {
  const len = buf.length;
  let i = pos;
  while (i < len && buf[i] !== 10) i++;
  if (i >= len) return -1;
  const statusLf = i;
  const fieldsStart = ++i;
  let count = 0;
  let end: number;
  let b = bounds;
  for (;;) {
    if (i >= len) return -1;
    let c = buf[i]!;
    // RFC 9112 §2.2: the empty line ends the head (a bare LF is accepted as a line end)
    if (c === 10) { end = i + 1; break; }
    if (c === 13) {
      if (i + 1 >= len || buf[i + 1] !== 10) return -1;
      end = i + 2;
      break;
    }
    const ns = i;
    let upper = false;
    // RFC 9110 §5.1: field-name = token, and RFC 9112 §5.1: the colon follows it at once
    while (TCHAR[c] === 1) {
      if (c <= 90 && c >= 65) upper = true;
      if (++i >= len) return -1;
      c = buf[i]!;
    }
    if (c !== 58 || i === ns) return -1;
    const colon = i++;
    // RFC 9112 §5.1: OWS around the value is not part of it
    while (i < len && ((c = buf[i]!) === 32 || c === 9)) i++;
    const vs = i;
    let ve = i;
    // RFC 9110 §5.5: SP, HTAB and VCHAR (obs-text and controls go the slow way)
    for (; i < len; i++) {
      c = buf[i]!;
      if (c > 32 && c < 127) ve = i + 1;
      else if (c !== 32 && c !== 9) break;
    }
    if (i >= len) return -1;
    if (c === 13) {
      if (++i >= len || buf[i] !== 10) return -1;
    } else if (c !== 10) {
      return -1;
    }
    i++;
    if (i - pos > max || count >= maxCount) return -1;
    const at = count * 4;
    if (at + 4 > b.length) {
      const grown = new Int32Array(b.length * 2);
      grown.set(b);
      bounds = b = grown;
    }
    b[at] = ns;
    b[at + 1] = colon;
    b[at + 2] = vs;
    b[at + 3] = upper ? -ve : ve;
    count++;
  }
  if (end - pos > max) return -1;
  let se = statusLf;
  if (se > pos && buf[se - 1] === 13) se--;
  head.reasonStart = parseStatusLine(buf, pos, se, head);
  head.reasonEnd = se;
  head.size = end - pos;
  if (count === 0) return end;
  const hs = latin1Section(buf, fieldsStart, end);
  const headers = head.headers;
  for (let f = 0; f < count; f++) {
    const at = f * 4;
    const ns = b[at]! - fieldsStart;
    const colon = b[at + 1]! - fieldsStart;
    const vs = b[at + 2]! - fieldsStart;
    const rawVe = b[at + 3]!;
    const ve = (rawVe < 0 ? -rawVe : rawVe) - fieldsStart;
    const value = vs === ve ? "" : hs.slice(vs, ve);
    const n = colon - ns;
    if (n === 14 || n === 10 || n === 17) {
      const known = framingName(buf, b[at]!, n);
      if (known !== undefined) {
        headers.push([known, value]);
        recordFraming(known, value, head);
        continue;
      }
    }
    let name = hs.slice(ns, colon);
    if (rawVe < 0) name = name.toLowerCase();
    headers.push([name, value]);
  }
  return end;
}
