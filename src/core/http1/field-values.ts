// Parsers for the response fields that decide framing and keep-alive:
// content-length (RFC 9110 §8.6, RFC 9112 §6.3) and the token lists of
// connection (RFC 9110 §7.6.1) and transfer-encoding (RFC 9112 §6.1).
//
// How this works: each parser walks the already-trimmed field value once. They are strict
// on purpose, like Mint: content-length is `1*DIGIT` (no sign, no list), and a token list is
// tokens separated by commas and optional whitespace; anything else is an error.

import { TCHAR } from "./latin1.js";
import { emptyTokenList, invalidContentLengthHeader, invalidTokenList } from "./errors.js";

/**
 * Parse a content-length value (`1*DIGIT`, trailing whitespace already trimmed).
 * @throws HTTPError `invalid_content_length_header` (also when over Number.MAX_SAFE_INTEGER).
 */
export function parseContentLength(value: string): number {
  const n = value.length;
  // RFC 9110 §8.6: Content-Length = 1*DIGIT
  if (n === 0 || n > 16) throw invalidContentLengthHeader(value);
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) throw invalidContentLengthHeader(value);
    v = v * 10 + d;
  }
  if (v > Number.MAX_SAFE_INTEGER) throw invalidContentLengthHeader(value);
  return v;
}

/** Lowercase tokens of a comma-separated list, appended to `out`. */
export function parseTokenList(value: string, out: string[]): void {
  const n = value.length;
  const before = out.length;
  let i = 0;
  for (;;) {
    // skip whitespace and empty list elements (RFC 9110 §5.6.1)
    while (i < n) {
      const c = value.charCodeAt(i);
      if (c === 32 || c === 9 || c === 44) i++;
      else break;
    }
    if (i >= n) break;
    const start = i;
    while (i < n) {
      const c = value.charCodeAt(i);
      if (c < 256 && TCHAR[c] === 1) i++;
      else break;
    }
    if (i === start) throw invalidTokenList(value);
    out.push(value.slice(start, i).toLowerCase());
    while (i < n) {
      const c = value.charCodeAt(i);
      if (c === 32 || c === 9) i++;
      else break;
    }
    if (i < n && value.charCodeAt(i) !== 44) throw invalidTokenList(value);
  }
  if (out.length === before) throw emptyTokenList();
}
