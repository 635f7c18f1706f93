// Request encoding and validation (RFC 9112 §3 request line, §5 field lines, §6 framing).
//
// How this works: `encodeRequest` checks everything first — method, target, every header
// name and value, the caller's framing headers against the body — and only then builds the
// head as one string (request line, `host` first unless the caller gave one, the caller's
// headers, the defaults, the connection-wide extra headers) and encodes it once into a
// single Uint8Array, with a small body appended in the same array. Nothing is queued when a
// check fails. Field values are latin1 (isFieldValue refuses anything above 0xFF), so an
// ASCII head goes through TextEncoder.encodeInto and only a head with obs-text is copied
// character by character.
//
// A request head that repeats (same method, target, header strings and body length, as an
// application sending the same GET again and again) is checked and encoded once: the engine
// keeps the last head it encoded in a `HeadCache`, and a call equal to it, compared string by
// string, copies the bytes kept instead of checking and encoding them again. Equal strings
// pass the same checks, so nothing is skipped; anything different takes the full path.
//
// Framing the caller asks for is either honoured in full or refused (RFC 9112 §6): a
// transfer-encoding must end in chunked, applied once (a streamed body with other codings
// gets ",chunked" appended, as Mint does); a body given up front with a transfer-encoding is
// sent as one chunk and the last chunk; content-length must match an up-front body; both
// together are refused. A `connection: close` option is reported to the engine, which then
// takes no more requests (RFC 9112 §9.6).

import type { Body, Headers } from "../../types.js";
import { STREAM } from "../../types.js";
import { FORBIDDEN_TRAILERS, flatFields, isFieldValue, isToken, lowerName, sameFields } from "../headers.js";
import { isSafeTarget, isValidTarget, targetBytesAsLatin1 } from "./target.js";
import { parseContentLength, parseTokenList } from "./field-values.js";
import {
  contentLengthMismatch, invalidContentLengthHeader, invalidHeaderName, invalidHeaderValue, invalidRequestMethod,
  invalidRequestTarget, invalidTransferEncoding, requestTransferEncodingAndContentLength, unallowedTrailingHeader,
} from "./errors.js";

/** Per-connection constants, prepared once by the engine. */
export interface RequestConfig {
  /** `host: <authority>\r\n` */
  hostLine: string;
  /** `user-agent: mint-http/<version>\r\n` */
  userAgentLine: string;
  /** The extra headers, already validated and rendered as field lines. */
  extraLines: string;
  extraHasHost: boolean;
  extraHasUserAgent: boolean;
  /** The extra headers carry the `close` connection option. */
  extraHasClose: boolean;
  caseSensitive: boolean;
  skipTargetValidation: boolean;
  /** Prepended to origin-form targets, those starting with "/" (forward proxy: absolute-form). */
  targetPrefix: string;
}

/** How the request body travels after the head. */
export const enum BodyMode {
  /** Body (if any) is complete in the queued bytes. */
  Complete = 0,
  /** Streamed; the engine frames each chunk. */
  StreamChunked = 1,
  /** Streamed as is: content-length given (known length) or the caller encodes. */
  StreamIdentity = 2,
}

export interface EncodedRequest {
  readonly mode: BodyMode;
  /** Declared length of a streamed identity body, -1 when the caller manages framing. */
  readonly contentLength: number;
  /** The request carries the `close` connection option (RFC 9112 §9.6). */
  readonly close: boolean;
}

const utf8 = new TextEncoder();
const SMALL_BODY = 16384;

/** Render `name: value\r\n` lines for headers checked with {@link checkFields}. */
function fieldLines(headers: Headers, caseSensitive: boolean): string {
  let s = "";
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    s += (caseSensitive ? h[0] : lowerName(h[0])) + ": " + h[1] + "\r\n";
  }
  return s;
}

/**
 * Check shapes (TypeError) and contents (HTTPError) of a header list.
 * @throws HTTPError `invalid_header_name`, `invalid_header_value`
 */
export function checkFields(headers: unknown, what: string): asserts headers is Headers {
  if (!Array.isArray(headers)) throw new TypeError(`${what} must be an array of [name, value] pairs`);
  for (let i = 0; i < headers.length; i++) {
    const h: unknown = headers[i];
    if (!Array.isArray(h) || h.length !== 2 || typeof h[0] !== "string" || typeof h[1] !== "string") {
      throw new TypeError(`${what}[${i}] must be a [name, value] pair of strings`);
    }
    // RFC 9110 §5.1: field-name = token
    if (!isToken(h[0])) throw invalidHeaderName(h[0]);
    // RFC 9110 §5.5: no CR, LF, NUL or other controls in a field value
    if (!isFieldValue(h[1])) throw invalidHeaderValue(h[0], h[1]);
  }
}

// Where the runtime has Node's Buffer (a Uint8Array subclass), its native latin1 writer is
// several times faster than TextEncoder for short heads; elsewhere TextEncoder is used. This
// is feature detection on a global, not an import: the core still runs on any runtime.
interface Latin1Writer {
  allocUnsafe(size: number): Uint8Array & { latin1Write(s: string, offset: number): number };
}
const NativeBuffer = (globalThis as unknown as { Buffer?: Latin1Writer }).Buffer;
const hasLatin1Write = typeof NativeBuffer?.allocUnsafe === "function";

/** Encode a latin1 string into a new array with `extra` spare bytes at the end. */
export function encodeLatin1(s: string, extra: number): Uint8Array {
  const n = s.length;
  if (hasLatin1Write) {
    const out = NativeBuffer!.allocUnsafe(n + extra);
    out.latin1Write(s, 0);
    return out;
  }
  const out = new Uint8Array(n + extra);
  const r = utf8.encodeInto(s, out);
  if (r.read !== n || r.written !== n) {
    // obs-text present: one byte per character
    for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
  }
  return out;
}

/** The last request head encoded by {@link encodeRequest} and what it gave (one per engine). */
export class HeadCache {
  method = "";
  target = "";
  /** The header strings, flat: name, value, name, value... */
  fields: string[] = [];
  /** -2 no body, -1 STREAM, else the length of the body given up front. */
  bodyKey = -3;
  head: Uint8Array | null = null;
  result: EncodedRequest = { mode: BodyMode.Complete, contentLength: -1, close: false };

  /** Whether a call with these arguments would encode to the head kept. */
  matches(method: string, target: string, headers: unknown, bodyKey: number): boolean {
    if (this.head === null || method !== this.method || target !== this.target || bodyKey !== this.bodyKey) return false;
    return sameFields(this.fields, headers);
  }

  store(method: string, target: string, headers: Headers, bodyKey: number, head: Uint8Array, result: EncodedRequest): void {
    this.method = method;
    this.target = target;
    this.fields = flatFields(headers);
    this.bodyKey = bodyKey;
    this.head = head;
    this.result = result;
  }
}

/** Queue a kept head (copied: the bytes handed out belong to the caller) and the body after it. */
function pushHead(head: Uint8Array, body: Uint8Array | null, out: Uint8Array[]): void {
  const n = head.length;
  if (body === null || body.length === 0) {
    out.push(copyBytes(head, 0));
  } else if (body.length <= SMALL_BODY) {
    const buf = copyBytes(head, body.length);
    buf.set(body, n);
    out.push(buf);
  } else {
    out.push(copyBytes(head, 0), body);
  }
}

/** A new array holding `bytes` and `extra` spare bytes after them. */
function copyBytes(bytes: Uint8Array, extra: number): Uint8Array {
  const out = hasLatin1Write ? NativeBuffer!.allocUnsafe(bytes.length + extra) : new Uint8Array(bytes.length + extra);
  out.set(bytes, 0);
  return out;
}

/**
 * Validate and encode a request; pushes the bytes to write onto `out` only on success.
 * @throws TypeError for wrong argument types.
 * @throws HTTPError `invalid_request_method`, `invalid_request_target`, `invalid_header_name`,
 *   `invalid_header_value`, `content_length_mismatch` (a body whose length is not the given
 *   content-length), `invalid_content_length_header` (not digits, or several that disagree),
 *   `transfer_encoding_and_content_length`, `empty_token_list`, `invalid_token_list`
 */
export function encodeRequest(
  cfg: RequestConfig, cache: HeadCache, method: string, target: string, headers: Headers, body: Body, out: Uint8Array[],
): EncodedRequest {
  if (typeof method !== "string") throw new TypeError("method must be a string");
  if (typeof target !== "string") throw new TypeError("target must be a string");
  let bodyBytes: Uint8Array | null = null;
  let bodyKey: number;
  if (body === null || body === undefined) bodyKey = -2;
  else if (body === STREAM) bodyKey = -1;
  else if (typeof body === "string") bodyKey = (bodyBytes = utf8.encode(body)).length;
  else if (body instanceof Uint8Array) bodyKey = (bodyBytes = body).length;
  else throw new TypeError("body must be a string, a Uint8Array, null or STREAM");
  if (cache.matches(method, target, headers, bodyKey)) {
    pushHead(cache.head!, bodyBytes, out);
    return cache.result;
  }
  // RFC 9112 §3.1: method = token (also keeps CR/LF/SP out of the request line)
  if (!isToken(method)) throw invalidRequestMethod(method);
  // RFC 9112 §3.2: request-target; RFC 3986 characters only
  if (cfg.skipTargetValidation ? !isSafeTarget(target) : !isValidTarget(target)) throw invalidRequestTarget(target);
  checkFields(headers, "headers");

  let hasHost = cfg.extraHasHost, hasUserAgent = cfg.extraHasUserAgent;
  let contentLength: string | null = null;
  let teIndex = -1;
  let teTokens: string[] | null = null;
  let connTokens: string[] | null = null;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    const name = lowerName(h[0]);
    switch (name) {
      case "host": hasHost = true; break;
      case "user-agent": hasUserAgent = true; break;
      case "content-length":
        if (contentLength !== null && contentLength !== h[1].trim()) throw invalidContentLengthHeader(h[1]);
        contentLength = h[1].trim();
        break;
      case "transfer-encoding":
        teIndex = i;
        parseTokenList(h[1], teTokens ??= []);
        break;
      case "connection":
        parseTokenList(h[1], connTokens ??= []);
        break;
    }
  }
  // RFC 9112 §6.2: a sender MUST NOT send content-length with transfer-encoding
  if (contentLength !== null && teIndex >= 0) throw requestTransferEncodingAndContentLength();
  const teLastChunked = teTokens !== null && checkTransferCodings(teTokens, headers[teIndex]![1]);

  let mode = BodyMode.Complete;
  let declared = -1;
  let extra = "";
  let replaceTE: string | null = null;
  if (body === null || body === undefined) {
    // No body: a non-zero content-length would leave the server waiting for bytes that are
    // never sent, and it would read the next request as this body.
    if (contentLength !== null && (!isDigits(contentLength) || Number(contentLength) !== 0)) {
      throw contentLengthMismatch(contentLength, 0);
    }
  } else if (body === STREAM) {
    if (contentLength !== null) {
      mode = BodyMode.StreamIdentity;
      declared = parseRequestContentLength(contentLength);
    } else if (teTokens !== null) {
      // Mint: chunked named by the caller → the caller encodes the chunks; other codings →
      // append chunked, which must be the final coding (RFC 9112 §6.1).
      if (teLastChunked) {
        mode = BodyMode.StreamIdentity;
      } else {
        mode = BodyMode.StreamChunked;
        replaceTE = headers[teIndex]![1] + ",chunked";
      }
    } else {
      mode = BodyMode.StreamChunked;
      extra = "transfer-encoding: chunked\r\n";
    }
  } else {
    bodyBytes = bodyBytes!;
    if (contentLength !== null) {
      // RFC 9110 §8.6: content-length is the length of the content that is sent
      if (!isDigits(contentLength) || Number(contentLength) !== bodyBytes.length) {
        throw contentLengthMismatch(contentLength, bodyBytes.length);
      }
    } else if (teIndex < 0) {
      extra = "content-length: " + bodyBytes.length + "\r\n";
    }
  }
  // A body given up front (or none) with a transfer-encoding: the engine frames it as chunked,
  // never sends it unframed (a server would read what follows as this body, RFC 9112 §6.3).
  if (body !== STREAM && teTokens !== null && !teLastChunked) {
    throw invalidTransferEncoding(headers[teIndex]![1],
      "with a body given up front (or none), chunked must be the final coding (RFC 9112 §6.1); add it, or pass STREAM to have it appended");
  }
  const chunkUpFront = body !== STREAM && teTokens !== null;

  let head = method + " " + (target.charCodeAt(0) === 47 /* / */ ? cfg.targetPrefix : "");
  head += (cfg.skipTargetValidation ? targetBytesAsLatin1(target) : target) + " HTTP/1.1\r\n";
  // RFC 9112 §3.2: a user agent SHOULD send host as the first field line
  if (!hasHost) head += cfg.hostLine;
  if (replaceTE === null) {
    head += fieldLines(headers, cfg.caseSensitive);
  } else {
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i]!;
      head += (cfg.caseSensitive ? h[0] : lowerName(h[0])) + ": " + (i === teIndex ? replaceTE : h[1]) + "\r\n";
    }
  }
  if (!hasUserAgent) head += cfg.userAgentLine;
  head += extra + cfg.extraLines + "\r\n";

  // RFC 9112 §9.6: the "close" connection option
  const close = cfg.extraHasClose || (connTokens !== null && (connTokens as string[]).includes("close"));
  const result: EncodedRequest = { mode, contentLength: declared, close };
  if (chunkUpFront) {
    pushChunkedBody(head, bodyBytes, out);
    return result;
  }
  const headBytes = encodeLatin1(head, 0);
  cache.store(method, target, headers, bodyKey, headBytes, result);
  pushHead(headBytes, bodyBytes, out);
  return result;
}

/**
 * Check a request's transfer codings; returns whether chunked is the final one.
 * @throws HTTPError `invalid_transfer_encoding`
 */
function checkTransferCodings(tokens: string[], value: string): boolean {
  const last = tokens.length - 1;
  for (let i = 0; i <= last; i++) {
    const t = tokens[i]!;
    // RFC 9112 §6.1: chunked is applied at most once, and only as the final coding
    if (t === "chunked" && i !== last) {
      throw invalidTransferEncoding(value, "chunked must be the final coding and appear once (RFC 9112 §6.1)");
    }
    // RFC 9112 §7: "identity" is no transfer coding; a body "encoded" with it is unframed
    if (t === "identity") throw invalidTransferEncoding(value, "identity is not a transfer coding (RFC 9112 §7); drop it");
  }
  return tokens[last] === "chunked";
}

/** Head, then the body as one chunk (when not empty) and the last chunk (RFC 9112 §7.1). */
function pushChunkedBody(head: string, body: Uint8Array | null, out: Uint8Array[]): void {
  const n = body === null ? 0 : body.length;
  if (n === 0) {
    out.push(encodeLatin1(head + "0\r\n\r\n", 0));
    return;
  }
  const start = head + n.toString(16) + "\r\n";
  if (n <= SMALL_BODY) {
    const buf = encodeLatin1(start, n + 7);
    buf.set(body!, start.length);
    buf.set(LAST_CHUNK_AFTER_DATA, start.length + n);
    out.push(buf);
  } else {
    out.push(encodeLatin1(start, 0), body!, LAST_CHUNK_AFTER_DATA.slice());
  }
}

/** CRLF after chunk data, then `0 CRLF CRLF`. */
const LAST_CHUNK_AFTER_DATA = Uint8Array.of(13, 10, 48, 13, 10, 13, 10);

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 16) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function parseRequestContentLength(value: string): number {
  try {
    return parseContentLength(value);
  } catch {
    throw invalidContentLengthHeader(value);
  }
}

/**
 * Encode the last chunk with trailers: `0 CRLF *(field-line CRLF) CRLF`.
 * @throws TypeError for a malformed list.
 * @throws HTTPError `invalid_header_name`, `invalid_header_value`, `unallowed_trailing_header`
 */
export function encodeTrailers(cfg: RequestConfig, trailers: Headers): Uint8Array {
  checkFields(trailers, "trailers");
  for (let i = 0; i < trailers.length; i++) {
    const name = lowerName(trailers[i]![0]);
    // RFC 9110 §6.5.1: fields needed for framing, routing, auth, ... are not allowed in trailers
    if (FORBIDDEN_TRAILERS.has(name)) throw unallowedTrailingHeader(name);
  }
  return encodeLatin1("0\r\n" + fieldLines(trailers, cfg.caseSensitive) + "\r\n", 0);
}

/**
 * Validate the extra headers once at engine creation and render them.
 * @throws HTTPError `invalid_header_name`, `invalid_header_value`
 */
export function renderExtraHeaders(
  extra: Headers, caseSensitive: boolean,
): { lines: string; hasHost: boolean; hasUserAgent: boolean; hasClose: boolean } {
  checkFields(extra, "extraHeaders");
  let hasHost = false, hasUserAgent = false, hasClose = false;
  for (const [name, value] of extra) {
    const l = lowerName(name);
    if (l === "host") hasHost = true;
    else if (l === "user-agent") hasUserAgent = true;
    // checked once the socket is open: read leniently, never thrown on
    else if (l === "connection") hasClose ||= value.split(",").some((t) => t.trim().toLowerCase() === "close");
  }
  return { lines: fieldLines(extra, caseSensitive), hasHost, hasUserAgent, hasClose };
}
