// Request header lists for HTTP/2 (RFC 9113 §8.3.1, §8.2.2, §8.5).
//
// Names are lowercased; the pseudo-headers :method :scheme :authority :path (and
// :protocol for extended CONNECT, RFC 8441 §4) come first. A `host` header becomes
// :authority. Connection-specific headers are refused, as are invalid names and values,
// all before anything is encoded, so a refused request leaves no trace on the connection.

import type { Headers } from "../../types.js";
import { FORBIDDEN_TRAILERS, isFieldValue, isToken, lowerName } from "../headers.js";
import { h2Error } from "./errors.js";

/** RFC 9113 §8.2.2: headers that only make sense for one HTTP/1 hop. */
const CONNECTION_SPECIFIC = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);
const REQUEST_PSEUDO = new Set([":method", ":scheme", ":authority", ":path", ":protocol"]);

export interface RequestContext {
  scheme: string;
  authority: string;
  userAgent: string;
}

export interface BuiltHeaders {
  headers: Headers;
  /** RFC 9113 §6.5.2 header list size: sum of name + value + 32 per field. */
  size: number;
  /** Plain CONNECT (no :protocol): a tunnel, no response length checks. */
  isConnect: boolean;
  /** The caller's content-length as a number when it is 1*DIGIT, else -1. */
  contentLength: number;
}

function hasValueEdgeWhitespace(v: string): boolean {
  if (v.length === 0) return false;
  const a = v.charCodeAt(0);
  const b = v.charCodeAt(v.length - 1);
  return a === 0x20 || a === 0x09 || b === 0x20 || b === 0x09;
}

/** Validate one regular field; returns the lowercased name. */
function checkField(name: string, value: string): string {
  if (typeof name !== "string" || typeof value !== "string") throw new TypeError("header names and values must be strings");
  const lower = lowerName(name);
  if (!isToken(lower)) throw h2Error("invalid_header_name", `invalid request header name ${JSON.stringify(name)}`, { name });
  // RFC 9113 §8.2.1: no CR, LF, NUL; no leading or trailing whitespace.
  if (!isFieldValue(value) || hasValueEdgeWhitespace(value)) {
    throw h2Error("invalid_header_value", `invalid value for request header ${JSON.stringify(name)}`, { name, value });
  }
  return lower;
}

/**
 * Build the HTTP/2 header list of a request.
 * Errors (HTTPError): `invalid_request_method`, `invalid_request_target`, `invalid_header_name`,
 * `invalid_header_value`, `invalid_header` (connection-specific header, RFC 9113 §8.2.2).
 * @param bodyLength length of a body given up front (adds content-length), or -1.
 */
export function buildRequestHeaders(method: string, path: string, headers: Headers, bodyLength: number, ctx: RequestContext): BuiltHeaders {
  if (typeof method !== "string") throw new TypeError("method must be a string");
  if (!isToken(method)) {
    throw h2Error("invalid_request_method", `invalid request method ${JSON.stringify(method)}`, { method });
  }
  if (!Array.isArray(headers)) throw new TypeError("headers must be an array of [name, value] pairs");
  let protocol: string | undefined;
  let pseudo: Map<string, string> | undefined;
  let host: string | undefined;
  let hasUserAgent = false;
  let hasContentLength = false;
  let contentLength = -1;
  const regular: Headers = [];
  for (const pair of headers) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError("each header must be a [name, value] pair");
    const [name, value] = pair;
    if (typeof name === "string" && name.charCodeAt(0) === 0x3a) {
      const lower = lowerName(name);
      if (!REQUEST_PSEUDO.has(lower)) throw h2Error("invalid_header_name", `unknown request pseudo-header ${JSON.stringify(name)}`, { name });
      if (typeof value !== "string" || !isFieldValue(value)) throw h2Error("invalid_header_value", `invalid value for ${lower}`, { name, value });
      (pseudo ??= new Map()).set(lower, value);
      if (lower === ":protocol") protocol = value;
      continue;
    }
    const lower = checkField(name, value);
    if (CONNECTION_SPECIFIC.has(lower)) {
      throw h2Error("invalid_header", `the connection-specific header ${JSON.stringify(lower)} is not allowed in HTTP/2 (RFC 9113 §8.2.2)`, { name: lower, value });
    }
    // RFC 9113 §8.2.2: TE may only carry "trailers".
    if (lower === "te" && value.toLowerCase() !== "trailers") {
      throw h2Error("invalid_header", `the te header may only be "trailers" in HTTP/2 (RFC 9113 §8.2.2)`, { name: lower, value });
    }
    if (lower === "host") {
      host = value;
      continue;
    }
    if (lower === "user-agent") hasUserAgent = true;
    else if (lower === "content-length") {
      hasContentLength = true;
      if (/^\d{1,15}$/.test(value.trim())) contentLength = Number(value.trim());
      // RFC 9113 §8.1.1: a content-length that differs from the DATA sent makes the request malformed.
      if (bodyLength >= 0 && value.trim() !== String(bodyLength)) {
        throw h2Error("content_length_mismatch", `the request's content-length header says ${JSON.stringify(value)} but the body is ${bodyLength} bytes; fix the header or drop it`, {
          expected: value, actual: bodyLength,
        });
      }
    }
    regular.push([lower, value]);
  }

  const isConnect = method === "CONNECT" && protocol === undefined;
  const out: Headers = [[":method", pseudo?.get(":method") ?? method]];
  if (isConnect) {
    // RFC 9113 §8.5: CONNECT carries :method and :authority only; the authority is the target.
    const authority = pseudo?.get(":authority") ?? path;
    if (authority.length === 0 || !isFieldValue(authority)) {
      throw h2Error("invalid_request_target", `invalid CONNECT authority ${JSON.stringify(authority)}`, { target: authority });
    }
    out.push([":authority", authority]);
  } else {
    const target = pseudo?.get(":path") ?? path;
    // RFC 9113 §8.3.1: :path MUST NOT be empty for http and https URIs.
    if (typeof target !== "string" || target.length === 0 || !isFieldValue(target) || target.includes(" ")) {
      throw h2Error("invalid_request_target", `invalid request target ${JSON.stringify(target)}`, { target });
    }
    out.push([":scheme", pseudo?.get(":scheme") ?? ctx.scheme]);
    out.push([":authority", pseudo?.get(":authority") ?? host ?? ctx.authority]);
    out.push([":path", target]);
    if (protocol !== undefined) out.push([":protocol", protocol]);
  }
  for (let i = 0; i < regular.length; i++) out.push(regular[i]!);
  if (!hasUserAgent && ctx.userAgent !== "") out.push(["user-agent", ctx.userAgent]);
  if (bodyLength >= 0 && !hasContentLength && !isConnect) out.push(["content-length", String(bodyLength)]);

  let size = 0;
  for (let i = 0; i < out.length; i++) size += out[i]![0].length + out[i]![1].length + 32;
  return { headers: out, size, isConnect, contentLength };
}

/**
 * Validate and lowercase request trailers.
 * Errors (HTTPError): `invalid_header_name`, `invalid_header_value`, `unallowed_trailing_header`.
 */
export function buildTrailers(trailers: Headers): Headers {
  if (!Array.isArray(trailers)) throw new TypeError("trailers must be an array of [name, value] pairs");
  const out: Headers = [];
  for (const pair of trailers) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError("each trailer must be a [name, value] pair");
    const [name, value] = pair;
    // RFC 9113 §8.1: trailers MUST NOT include pseudo-header fields.
    const lower = checkField(name, value);
    if (FORBIDDEN_TRAILERS.has(lower) || CONNECTION_SPECIFIC.has(lower)) {
      throw h2Error("unallowed_trailing_header", `the header ${JSON.stringify(lower)} is not allowed in trailers`, { name: lower });
    }
    out.push([lower, value]);
  }
  return out;
}
