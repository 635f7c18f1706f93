// Status line and field lines of a response (RFC 9112 §4, §5), one complete line at a time.
//
// How this works: the engine finds each line terminator in the received bytes (joining bytes
// only when a line spans receives) and hands the line, without LF and without the CR before
// it, to `parseStatusLine` or `parseFieldLine`. These validate with byte tables, decode
// with a latin1 fast path, lowercase names only when they contain an uppercase letter, and
// record what framing and keep-alive need (content-length, transfer-encoding, connection)
// in a `ResponseHead` that the engine reuses for every response. A head that arrives whole
// in one chunk takes the fast path in head-fast.ts first.

import type { Headers } from "../../types.js";
import { FIELD_VALUE, TCHAR, latin1 } from "./latin1.js";
import { parseContentLength, parseTokenList } from "./field-values.js";
import { invalidStatusLine, moreThanOneContentLength } from "./errors.js";

/** What the engine needs to know about the response being parsed. */
export class ResponseHead {
  status = 0;
  /** HTTP/1.x minor version (0 or 1). */
  minor = 1;
  headers: Headers = [];
  /** Bytes of the head so far (status line + field lines, terminators included). */
  size = 0;
  /** -1 when absent. */
  contentLength = -1;
  transferEncoding: string[] | null = null;
  connection: string[] | null = null;
  /** Bounds of the reason phrase in the received bytes (fast path). */
  reasonStart = 0;
  reasonEnd = 0;

  reset(): void {
    this.status = 0;
    this.minor = 1;
    this.headers = [];
    this.size = 0;
    this.contentLength = -1;
    this.transferEncoding = null;
    this.connection = null;
  }

  /** RFC 9112 §9.3: persistence after this response. */
  keepAlive(): boolean {
    const c = this.connection;
    if (c !== null && c.includes("close")) return false;
    if (this.minor >= 1) return true;
    return c !== null && c.includes("keep-alive");
  }
}

/** Note the fields that decide framing and persistence (`name` lowercase). */
export function recordFraming(name: string, value: string, head: ResponseHead): void {
  switch (name) {
    case "content-length": {
      const n = parseContentLength(value);
      // RFC 9110 §8.6: repeated identical values may be accepted; differing ones are an error
      if (head.contentLength >= 0 && head.contentLength !== n) throw moreThanOneContentLength();
      head.contentLength = n;
      break;
    }
    case "transfer-encoding":
      parseTokenList(value, head.transferEncoding ??= []);
      break;
    case "connection":
      parseTokenList(value, head.connection ??= []);
      break;
  }
}

/**
 * Parse `HTTP/1.x SP 3DIGIT [SP reason]` from `buf[s, e)` into `head`; returns the reason
 * phrase's bounds packed as `start` (the reason ends at `e`).
 * @throws HTTPError `invalid_status_line`
 */
export function parseStatusLine(buf: Uint8Array, s: number, e: number, head: ResponseHead): number {
  // RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT
  if (e - s < 12) throw invalidStatusLine(e - s === 0 ? "empty line" : "too short");
  if (buf[s] !== 72 || buf[s + 1] !== 84 || buf[s + 2] !== 84 || buf[s + 3] !== 80 || buf[s + 4] !== 47) {
    throw invalidStatusLine("it does not start with HTTP/");
  }
  const major = buf[s + 5]! - 48, dot = buf[s + 6], minor = buf[s + 7]! - 48;
  if (major !== 1 || dot !== 46 || minor < 0 || minor > 9) throw invalidStatusLine("unsupported HTTP version (expected HTTP/1.x)");
  // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
  if (buf[s + 8] !== 32) throw invalidStatusLine("expected a space after the version");
  const d1 = buf[s + 9]! - 48, d2 = buf[s + 10]! - 48, d3 = buf[s + 11]! - 48;
  if (d1 < 1 || d1 > 9 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9) throw invalidStatusLine("the status code is not three digits");
  let r = s + 12;
  if (r < e) {
    if (buf[r] !== 32) throw invalidStatusLine("expected a space after the status code");
    r++;
    // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
    for (let i = r; i < e; i++) {
      if (FIELD_VALUE[buf[i]!] === 0) throw invalidStatusLine("control character in the reason phrase");
    }
  }
  head.status = d1 * 100 + d2 * 10 + d3;
  head.minor = minor === 0 ? 0 : 1;
  return r;
}

/**
 * Parse one field line `name ":" OWS value OWS` from `buf[s, e)` and append it to `into`.
 * When `head` is given (header section, not trailers) the framing fields are recorded.
 * Returns false when the line is malformed (the caller picks the error reason).
 * @throws HTTPError `invalid_content_length_header`, `more_than_one_content_length_header`,
 *   `empty_token_list`, `invalid_token_list` (header section only)
 */
export function parseFieldLine(buf: Uint8Array, s: number, e: number, into: Headers, head: ResponseHead | null): boolean {
  let i = s;
  let upper = false;
  // RFC 9112 §5.1: field-name is a token and no whitespace is allowed before the colon;
  // RFC 9112 §5.2: obs-fold (a line starting with SP/HTAB) is rejected with the same check.
  for (; i < e; i++) {
    const c = buf[i]!;
    if (TCHAR[c] === 0) break;
    if (c >= 65 && c <= 90) upper = true;
  }
  if (i === s || i === e || buf[i] !== 58 /* : */) return false;
  let name = latin1(buf, s, i);
  if (upper) name = name.toLowerCase();
  let vs = i + 1;
  let ve = e;
  while (vs < ve && (buf[vs] === 32 || buf[vs] === 9)) vs++;
  while (ve > vs && (buf[ve - 1] === 32 || buf[ve - 1] === 9)) ve--;
  // RFC 9110 §5.5: CR, LF and NUL in a value are invalid; other controls refused too
  for (let j = vs; j < ve; j++) if (FIELD_VALUE[buf[j]!] === 0) return false;
  const value = latin1(buf, vs, ve);
  into.push([name, value]);
  if (head !== null) recordFraming(name, value, head);
  return true;
}
