// Request header lists for HTTP/2 (RFC 9113 §8.3.1, §8.2.2, §8.5).
//
// Names are lowercased; the pseudo-headers :method :scheme :authority :path (and
// :protocol for extended CONNECT, RFC 8441 §4) come first. A `host` header becomes
// :authority. Everything is checked as the HTTP/1 engine checks its request line and Host,
// all before anything is encoded, so a refused request leaves no trace on the connection:
// methods are tokens, the path uses RFC 3986 characters only and starts with "/" (or is "*"
// for OPTIONS), the authority is `host[:port]` without userinfo, names are tokens, values
// have no CR, LF, NUL or edge whitespace, and connection-specific headers are refused.
// A request equal to the last one built (BuiltCache) reuses its list.

import type { Headers } from "../../types.js";
import { CONNECTION_SPECIFIC, FORBIDDEN_TRAILERS, flatFields, isToken, isTrimmedFieldValue, lowerName, sameFields } from "../headers.js";
import { isValidTarget } from "../http1/target.js";
import { isAuthority, isScheme } from "../uri-parts.js";
import { h2Error } from "./errors.js";

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
  /** The method sent (a caller's :method wins over the argument). */
  method: string;
  /** Plain CONNECT (no :protocol): a tunnel, no response length checks. */
  isConnect: boolean;
  /** The caller's content-length as a number when it is 1*DIGIT, else -1. */
  contentLength: number;
}

function show(s: string): string {
  return JSON.stringify(s.length > 200 ? s.slice(0, 200) + "..." : s);
}

function invalidValue(name: string, value: string, why = "no CR, LF, NUL, other control characters or leading/trailing whitespace"): never {
  throw h2Error("invalid_header_value", `invalid value ${show(value)} for request header ${show(name)}: ${why}`, { name, value });
}

/** Validate one regular field; returns the lowercased name. */
function checkField(name: string, value: string): string {
  if (typeof name !== "string" || typeof value !== "string") throw new TypeError("header names and values must be strings");
  const lower = lowerName(name);
  // RFC 9110 §5.1: field-name = token.
  if (!isToken(lower)) throw h2Error("invalid_header_name", `invalid request header name ${show(name)}: a header name must be an RFC 9110 token`, { name });
  // RFC 9113 §8.2.1: no CR, LF, NUL; no leading or trailing whitespace.
  if (!isTrimmedFieldValue(value)) invalidValue(name, value);
  return lower;
}

/**
 * Build the HTTP/2 header list of a request.
 * Errors (HTTPError): `invalid_request_method` (not a token), `invalid_request_target` (empty,
 * characters outside RFC 3986, not starting with "/" nor "*" for OPTIONS; a bad CONNECT
 * authority), `invalid_header_name` (not a token, unknown or repeated pseudo-header),
 * `invalid_header_value` (bad characters; `host`/`:authority` that is not `host[:port]` or
 * carries userinfo, or that disagree; a bad `:scheme` or `:protocol`), `invalid_header`
 * (connection-specific header, RFC 9113 §8.2.2), `content_length_mismatch`.
 * @param bodyLength length of a body given up front (adds content-length), or -1.
 */
export function buildRequestHeaders(argMethod: string, path: string, headers: Headers, bodyLength: number, ctx: RequestContext): BuiltHeaders {
  if (typeof argMethod !== "string") throw new TypeError("method must be a string");
  if (!Array.isArray(headers)) throw new TypeError("headers must be an array of [name, value] pairs");
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
      if (!REQUEST_PSEUDO.has(lower)) throw h2Error("invalid_header_name", `unknown request pseudo-header ${show(name)}`, { name });
      // RFC 9113 §8.3: each pseudo-header appears at most once.
      if (pseudo?.has(lower)) throw h2Error("invalid_header_name", `the pseudo-header ${lower} is given twice`, { name });
      if (typeof value !== "string") throw new TypeError("header names and values must be strings");
      // Each pseudo-header's value gets its own, stricter check below (none allows CR, LF, NUL or SP).
      (pseudo ??= new Map()).set(lower, value);
      continue;
    }
    const lower = checkField(name, value);
    if (CONNECTION_SPECIFIC.has(lower)) {
      throw h2Error("invalid_header", `the connection-specific header ${show(lower)} is not allowed in HTTP/2 (RFC 9113 §8.2.2)`, { name: lower, value });
    }
    // RFC 9113 §8.2.2: TE may only carry "trailers".
    if (lower === "te" && value.toLowerCase() !== "trailers") {
      throw h2Error("invalid_header", `the te header may only be "trailers" in HTTP/2 (RFC 9113 §8.2.2)`, { name: lower, value });
    }
    if (lower === "host") {
      // RFC 9113 §8.3.1: the host header becomes :authority: host[:port], no userinfo.
      if (!isAuthority(value)) invalidValue(name, value, "a host is host[:port] with RFC 3986 characters and no userinfo");
      if (host !== undefined && host !== value) invalidValue(name, value, "several host headers that disagree");
      host = value;
      continue;
    }
    if (lower === "user-agent") hasUserAgent = true;
    else if (lower === "content-length") {
      hasContentLength = true;
      if (/^\d{1,15}$/.test(value.trim())) contentLength = Number(value.trim());
      // RFC 9113 §8.1.1: a content-length that differs from the DATA sent makes the request malformed.
      if (bodyLength >= 0 && value.trim() !== String(bodyLength)) {
        throw h2Error("content_length_mismatch", `the request's content-length header says ${show(value)} but the body is ${bodyLength} bytes; fix the header or drop it`, {
          expected: value, actual: bodyLength,
        });
      }
    }
    regular.push([lower, value]);
  }

  const method = pseudo?.get(":method") ?? argMethod;
  // RFC 9113 §8.3.1, RFC 9110 §9.1: the method is a token.
  if (!isToken(argMethod) || !isToken(method)) {
    const bad = isToken(argMethod) ? method : argMethod;
    throw h2Error("invalid_request_method", `invalid request method ${show(bad)}: a method must be an RFC 9110 token`, { method: bad });
  }
  const protocol = pseudo?.get(":protocol");
  // RFC 8441 §4: :protocol names the protocol of extended CONNECT, a token.
  if (protocol !== undefined && !isToken(protocol)) invalidValue(":protocol", protocol, "a protocol name is an RFC 9110 token");
  const pAuthority = pseudo?.get(":authority");
  if (pAuthority !== undefined) {
    // RFC 9113 §8.3.1: :authority is host[:port] without userinfo, and agrees with any host header.
    if (!isAuthority(pAuthority)) invalidValue(":authority", pAuthority, "an authority is host[:port] with RFC 3986 characters and no userinfo");
    if (host !== undefined && host !== pAuthority) invalidValue("host", host, `it differs from :authority ${show(pAuthority)}`);
  }
  const isConnect = method === "CONNECT" && protocol === undefined;
  const out: Headers = [[":method", method]];
  if (isConnect) {
    // RFC 9113 §8.5: CONNECT carries :method and :authority only; the authority is the target.
    const authority = pAuthority ?? path;
    if (typeof authority !== "string" || !isAuthority(authority)) {
      throw h2Error("invalid_request_target", `invalid CONNECT authority ${show(String(authority))}: use host:port`, { target: authority });
    }
    out.push([":authority", authority]);
  } else {
    const scheme = pseudo?.get(":scheme") ?? ctx.scheme;
    // RFC 9113 §8.3.1, RFC 3986 §3.1: :scheme is a URI scheme.
    if (!isScheme(scheme)) invalidValue(":scheme", scheme, "a scheme is a letter followed by letters, digits, +, - or .");
    const target = pseudo?.get(":path") ?? path;
    // RFC 9113 §8.3.1: :path is not empty; for http(s) it starts with "/", or is "*" for OPTIONS;
    // RFC 9112 §3.2, RFC 3986: only URI characters (no SP, CR, LF, NUL).
    const lowerScheme = scheme.toLowerCase();
    const originForm = lowerScheme !== "http" && lowerScheme !== "https"
      || target.charCodeAt(0) === 0x2f || (target === "*" && method === "OPTIONS");
    if (typeof target !== "string" || !isValidTarget(target) || !originForm) {
      throw h2Error("invalid_request_target", `invalid request target ${show(String(target))}: it must start with "/" (or be "*" for OPTIONS) and percent-encode characters outside RFC 3986`, { target });
    }
    out.push([":scheme", scheme]);
    out.push([":authority", pAuthority ?? host ?? ctx.authority]);
    out.push([":path", target]);
    if (protocol !== undefined) out.push([":protocol", protocol]);
  }
  for (let i = 0; i < regular.length; i++) out.push(regular[i]!);
  if (!hasUserAgent && ctx.userAgent !== "") out.push(["user-agent", ctx.userAgent]);
  if (bodyLength >= 0 && !hasContentLength && !isConnect) out.push(["content-length", String(bodyLength)]);

  let size = 0;
  for (let i = 0; i < out.length; i++) size += out[i]![0].length + out[i]![1].length + 32;
  return { headers: out, size, method, isConnect, contentLength };
}

/**
 * The last header list built by {@link buildRequestHeaders} and the arguments it came from
 * (one per engine): a request equal to it, compared string by string, reuses the list, since
 * equal strings pass the same checks and give the same list.
 */
export class BuiltCache {
  private method = "";
  private path = "";
  /** The caller's header strings, flat: name, value, name, value... */
  private fields: string[] = [];
  private bodyLength = -2;
  private built: BuiltHeaders | null = null;

  /**
   * {@link buildRequestHeaders}, or the list kept when the arguments are equal to the last ones.
   * Errors: as {@link buildRequestHeaders}.
   */
  build(method: string, path: string, headers: Headers, bodyLength: number, ctx: RequestContext): BuiltHeaders {
    if (this.built !== null && method === this.method && path === this.path && bodyLength === this.bodyLength && sameFields(this.fields, headers)) {
      return this.built;
    }
    const built = buildRequestHeaders(method, path, headers, bodyLength, ctx);
    this.method = method;
    this.path = path;
    this.fields = flatFields(headers);
    this.bodyLength = bodyLength;
    this.built = built;
    return built;
  }
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
