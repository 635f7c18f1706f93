// Turn a decoded response header block into a status and a header list (RFC 9113 §8.3.2,
// §8.2), or into the stream error that makes the response malformed (§8.1.1).
//
// - :status must be present (Mint's `missing_status_header`), three digits, and the only
//   pseudo-header; pseudo-headers come before regular fields.
// - Field names must be lowercase (§8.2.1); pseudo-headers are removed from the list.
// - Several `cookie` fields are joined with "; " (§8.2.3) into one placed first, as Mint does.
// - content-length is parsed so the engine can compare it with the DATA received (§8.1.1).

import type { Headers } from "../../types.js";
import type { HTTPError } from "../../errors.js";
import { FORBIDDEN_TRAILERS } from "../headers.js";
import { ErrorCode, h2Error, streamError } from "./errors.js";

export interface ResponseHead {
  status: number;
  headers: Headers;
  /** content-length value, or -1 when absent. */
  contentLength: number;
}

function hasUppercase(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Parse the HEADERS block of a response (final or 1xx).
 * Returns the head, or the stream error: `missing_status_header` or `protocol_error`.
 */
export function parseResponseHead(list: Headers): ResponseHead | HTTPError {
  let status = -1;
  let contentLength = -1;
  let cookies: string[] | null = null;
  let regularSeen = false;
  const headers: Headers = [];
  for (let i = 0; i < list.length; i++) {
    const field = list[i]!;
    const name = field[0];
    if (name.charCodeAt(0) === 0x3a) {
      // RFC 9113 §8.3: pseudo-headers precede regular fields; responses only have :status, once.
      if (regularSeen) return streamError(ErrorCode.PROTOCOL_ERROR, `pseudo-header ${name} after regular header fields`);
      if (name !== ":status") return streamError(ErrorCode.PROTOCOL_ERROR, `pseudo-header ${name} in a response`);
      if (status !== -1) return streamError(ErrorCode.PROTOCOL_ERROR, "duplicate :status pseudo-header");
      const v = field[1];
      if (v.length !== 3 || !isDigits(v)) return streamError(ErrorCode.PROTOCOL_ERROR, `invalid :status ${JSON.stringify(v)}`);
      status = Number(v);
      continue;
    }
    regularSeen = true;
    // RFC 9113 §8.2.1: uppercase field names make the message malformed.
    if (hasUppercase(name)) return streamError(ErrorCode.PROTOCOL_ERROR, `uppercase header name ${JSON.stringify(name)}`);
    if (name === "cookie") {
      (cookies ??= []).push(field[1]);
      continue;
    }
    if (name === "content-length") {
      const v = field[1];
      if (!isDigits(v)) return streamError(ErrorCode.PROTOCOL_ERROR, `invalid content-length ${JSON.stringify(v)}`);
      const n = Number(v);
      if (contentLength !== -1 && contentLength !== n) return streamError(ErrorCode.PROTOCOL_ERROR, "conflicting content-length values");
      contentLength = n;
    }
    headers.push(field);
  }
  if (status === -1) {
    return h2Error("missing_status_header", "the server sent a response without a :status pseudo-header");
  }
  // RFC 9113 §8.2.3: cookie crumbs are joined with "; " before use.
  if (cookies !== null) headers.unshift(["cookie", cookies.join("; ")]);
  return { status, headers, contentLength };
}

/**
 * Parse a trailer block: no pseudo-headers (RFC 9113 §8.1), lowercase names; fields that
 * must not be trailers are dropped (as Mint does). Returns the list or a `protocol_error`.
 */
export function parseTrailers(list: Headers): Headers | HTTPError {
  const out: Headers = [];
  for (let i = 0; i < list.length; i++) {
    const field = list[i]!;
    const name = field[0];
    if (name.charCodeAt(0) === 0x3a) return streamError(ErrorCode.PROTOCOL_ERROR, `pseudo-header ${name} in trailers`);
    if (hasUppercase(name)) return streamError(ErrorCode.PROTOCOL_ERROR, `uppercase trailer name ${JSON.stringify(name)}`);
    if (!FORBIDDEN_TRAILERS.has(name)) out.push(field);
  }
  return out;
}

/** Header list size (RFC 9113 §6.5.2): sum of name + value + 32 per field. */
export function headerListSize(list: Headers): number {
  let size = 0;
  for (let i = 0; i < list.length; i++) size += list[i]![0].length + list[i]![1].length + 32;
  return size;
}
