// Turn a decoded response header block into a status and a header list (RFC 9113 §8.3.2,
// §8.2), or into the stream error that makes the response malformed (§8.1.1); check the
// request a PUSH_PROMISE carries (§8.4).
//
// - :status must be present (Mint's `missing_status_header`), three digits 100-599, and the
//   only pseudo-header; pseudo-headers come before regular fields.
// - Field names are lowercase tokens and values carry no NUL, CR, LF, other controls or edge
//   whitespace (§8.2.1); connection-specific fields are refused (§8.2.2), as nghttp2 does,
//   and so is `te` with anything but "trailers". Each field is checked in one pass over its
//   characters (table lookups in ../headers.ts), no regular expressions.
// - Several `cookie` fields are joined with "; " (§8.2.3) into one placed first, as Mint does.
// - content-length is parsed so the engine can compare it with the DATA received (§8.1.1).
// The error reasons are listed on `malformed` in errors.ts.

import type { Headers } from "../../types.js";
import type { HTTPError } from "../../errors.js";
import { FORBIDDEN_TRAILERS, isConnectionSpecific, isLowercaseToken, isTrimmedFieldValue } from "../headers.js";
import { isAuthority, sameAuthority } from "../uri-parts.js";
import { ErrorCode, h2Error, malformed, streamError } from "./errors.js";

export interface ResponseHead {
  status: number;
  headers: Headers;
  /** content-length value, or -1 when absent. */
  contentLength: number;
}

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Checks on every regular field of a response, trailer section or promised request; null when fine. */
function checkField(name: string, value: string, where: string): HTTPError | null {
  // RFC 9113 §8.2.1: names are lowercase tokens (no uppercase, controls, SP, colon...).
  if (!isLowercaseToken(name)) return malformed("invalid_header_name", `${where} field name ${JSON.stringify(name)} is not a lowercase token`, { name });
  // RFC 9113 §8.2.1: no NUL, CR or LF, no leading or trailing SP/HTAB (RFC 9110 §5.5: no other controls).
  if (!isTrimmedFieldValue(value)) return malformed("invalid_header_value", `${where} field ${JSON.stringify(name)} has an invalid value`, { name, value });
  // RFC 9113 §8.2.2: connection-specific fields make the message malformed.
  if (isConnectionSpecific(name)) return malformed("invalid_header", `connection-specific field ${JSON.stringify(name)} in ${where}`, { name, value });
  // RFC 9113 §8.2.2: te may only carry "trailers" (nghttp2 applies this to responses too).
  if (name === "te" && value.toLowerCase() !== "trailers") return malformed("invalid_header", `te field ${JSON.stringify(value)} in ${where}`, { name, value });
  return null;
}

/** RFC 9110 §15: a status code is three digits, 100-599. */
function parseStatus(v: string): number {
  if (v.length !== 3) return -1;
  const a = v.charCodeAt(0) - 48, b = v.charCodeAt(1) - 48, c = v.charCodeAt(2) - 48;
  if (a < 1 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) return -1;
  return a * 100 + b * 10 + c;
}

/**
 * Parse the HEADERS block of a response (final or 1xx). Takes `list` over: the head's
 * headers may be `list` itself, without its :status.
 * Returns the head, or the stream error: `missing_status_header`, `invalid_status_header`,
 * `invalid_pseudo_header`, `invalid_header_name`, `invalid_header_value`, `invalid_header`,
 * `protocol_error` (bad content-length).
 */
export function parseResponseHead(list: Headers): ResponseHead | HTTPError {
  let status = -1;
  let contentLength = -1;
  let cookies: string[] | null = null;
  let regularSeen = false;
  for (let i = 0; i < list.length; i++) {
    const field = list[i]!;
    const name = field[0];
    if (name.charCodeAt(0) === 0x3a) {
      // RFC 9113 §8.3: pseudo-headers precede regular fields; responses only have :status, once.
      if (regularSeen) return malformed("invalid_pseudo_header", `pseudo-header ${name} after regular header fields`, { name });
      if (name !== ":status") return malformed("invalid_pseudo_header", `pseudo-header ${JSON.stringify(name)} in a response`, { name });
      if (status !== -1) return malformed("invalid_status_header", "duplicate :status pseudo-header", { value: field[1] });
      status = parseStatus(field[1]);
      if (status === -1) return malformed("invalid_status_header", `:status ${JSON.stringify(field[1])} is not a status code 100-599`, { value: field[1] });
      continue;
    }
    regularSeen = true;
    const bad = checkField(name, field[1], "response");
    if (bad !== null) return bad;
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
  }
  if (status === -1) {
    return h2Error("missing_status_header", "the server sent a response without a :status pseudo-header");
  }
  // Here :status is the one pseudo-header, and it comes first: the regular fields are the rest.
  if (cookies === null) {
    list.shift();
    return { status, headers: list, contentLength };
  }
  // RFC 9113 §8.2.3: cookie crumbs are joined with "; " before use.
  const headers: Headers = [["cookie", cookies.join("; ")]];
  for (let i = 1; i < list.length; i++) if (list[i]![0] !== "cookie") headers.push(list[i]!);
  return { status, headers, contentLength };
}

/**
 * Parse a trailer block: no pseudo-headers (RFC 9113 §8.1), fields checked as in a response;
 * fields that must not be trailers are dropped (as Mint does). Returns the list or the
 * stream error (`invalid_pseudo_header`, `invalid_header_name`, `invalid_header_value`, `invalid_header`).
 */
export function parseTrailers(list: Headers): Headers | HTTPError {
  const out: Headers = [];
  for (let i = 0; i < list.length; i++) {
    const field = list[i]!;
    const name = field[0];
    if (name.charCodeAt(0) === 0x3a) return malformed("invalid_pseudo_header", `pseudo-header ${name} in trailers`, { name });
    const bad = checkField(name, field[1], "trailer");
    if (bad !== null) return bad;
    if (!FORBIDDEN_TRAILERS.has(name)) out.push(field);
  }
  return out;
}

/**
 * Check the request a PUSH_PROMISE carries (RFC 9113 §8.4): exactly one each of :method,
 * :scheme, :path and :authority and no other pseudo-header; a safe, cacheable method (GET or
 * HEAD); the connection's scheme and an authority the connection is authoritative for (here:
 * the connection's own, host compared without case, same port); no content; valid fields.
 * Returns the method, or a description of what is wrong (the push is refused, never surfaced).
 */
export function checkPromisedRequest(list: Headers, scheme: string, authority: string): { method: string } | string {
  let method: string | undefined, pScheme: string | undefined, path: string | undefined, pAuthority: string | undefined;
  let regularSeen = false;
  for (let i = 0; i < list.length; i++) {
    const [name, value] = list[i]!;
    if (name.charCodeAt(0) === 0x3a) {
      // RFC 9113 §8.3: pseudo-headers come first, once each; only request pseudo-headers.
      if (regularSeen) return `pseudo-header ${name} after regular fields`;
      switch (name) {
        case ":method": if (method !== undefined) return "duplicate :method"; method = value; break;
        case ":scheme": if (pScheme !== undefined) return "duplicate :scheme"; pScheme = value; break;
        case ":path": if (path !== undefined) return "duplicate :path"; path = value; break;
        case ":authority": if (pAuthority !== undefined) return "duplicate :authority"; pAuthority = value; break;
        default: return `pseudo-header ${JSON.stringify(name)} in a promised request`;
      }
      continue;
    }
    regularSeen = true;
    const bad = checkField(name, value, "promised request");
    if (bad !== null) return bad.details?.["debug"] as string;
    // RFC 9113 §8.4: a promised request has no content.
    if (name === "content-length" && value !== "0") return `promised request with content-length ${JSON.stringify(value)}`;
  }
  // RFC 9113 §8.4: the promise must carry a complete request.
  if (method === undefined || pScheme === undefined || path === undefined || pAuthority === undefined) {
    return "incomplete promised request: :method, :scheme, :path and :authority are required";
  }
  // RFC 9113 §8.4: the method must be safe and cacheable (RFC 9110 §9.2.1, §9.2.3).
  if (method !== "GET" && method !== "HEAD") return `promised request with method ${JSON.stringify(method)}, not safe and cacheable`;
  // RFC 9113 §8.4, §10.1: only for origins the connection is authoritative for.
  if (pScheme.toLowerCase() !== scheme) return `promised request for scheme ${JSON.stringify(pScheme)} on an ${scheme} connection`;
  if (!isAuthority(pAuthority) || !sameAuthority(pAuthority, authority, scheme)) {
    return `promised request for ${JSON.stringify(pAuthority)}, not this connection's authority ${authority}`;
  }
  // RFC 9113 §8.3.1: :path is not empty and, for http(s), starts with "/".
  if (path.length === 0 || path.charCodeAt(0) !== 0x2f || !isTrimmedFieldValue(path) || path.includes(" ")) {
    return `promised request with :path ${JSON.stringify(path)}`;
  }
  return { method };
}

/** Header list size (RFC 9113 §6.5.2): sum of name + value + 32 per field. */
export function headerListSize(list: Headers): number {
  let size = 0;
  for (let i = 0; i < list.length; i++) size += list[i]![0].length + list[i]![1].length + 32;
  return size;
}
