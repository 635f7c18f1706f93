// mint-http's sans-IO HTTP/1.1 engine: public factory and options.
//
// How this works: `createHTTP1Engine` checks the options once, prepares the per-connection
// constant pieces of every request head (host and user-agent lines, the extra headers) and
// returns an `HTTP1Engine` (engine.ts). See engine.ts for the receive loop and keep-alive,
// request.ts for encoding, response-parser.ts / body.ts / chunked.ts for parsing.
//
// Choices where Mint leaves room, documented once here:
// - A streamed request is in the response queue from `request()` on (Mint: after its EOF),
//   so an early answer (100 Continue, 413, 401) is matched to it.
// - The head cap (`maxHeaderListSize`) counts the status line plus the header section, and
//   separately the trailer section, including a partial line still buffered; more than
//   MAX_HEADER_COUNT (1000) field lines is the same error with `details.headers`/`maxHeaders`.
// - A chunk-size line (extensions included) longer than 4096 bytes, or a size of more than
//   16 hex digits or above Number.MAX_SAFE_INTEGER, is `invalid_chunk_size`.
// - Several content-length fields with the same value are accepted (RFC 9110 §8.6); different
//   values are `more_than_one_content_length_header`. A list value ("5, 5", which §8.6 lets a
//   recipient either refuse or collapse) and a sign ("+5") are `invalid_content_length_header`.
// - `transfer-encoding` whose final coding is chunked is decoded; any other coding means
//   read-until-close (RFC 9112 §6.3; Mint looks at the first coding). On HTTP/1.0 any
//   transfer-encoding is faulty framing (RFC 9112 §6.1): read until close.
// - A response whose length cannot be trusted (read until close, transfer-encoding on
//   HTTP/1.0, transfer-encoding or a non-zero content-length on a 1xx or 204) is the last one
//   read: requests pipelined behind it get an `error` part at once (TransportError `closed`,
//   `details.why` "untrusted_length"), `request()` throws HTTPError `closed` with the same
//   `details.why`, `isOpen("write")` is false, and the engine closes after that response
//   (bytes after it are dropped).
// - A request carrying `connection: close` (or extraHeaders with it) is the last one written
//   (RFC 9112 §9.6): `isOpen("write")` is false once it is queued, later `request()` calls
//   throw HTTPError `closed` with `details.why` "connection_close_requested", and the engine
//   closes after its response whatever the server says.
// - Line rules (RFC 9112 §2.2, §5): a bare LF ends a line (a recipient MAY accept it); a
//   bare CR anywhere in the head, whitespace before a field's colon, and obs-fold are
//   refused (`invalid_status_line` / `invalid_header`). RFC 9112 §5.2 asks a user agent to
//   replace obs-fold with SP; mint-http refuses it instead, as Mint does, so a fold can never
//   extend a framing field the way an intermediary would not.
// - A request transfer-encoding must end in chunked, applied once, without "identity"
//   (RFC 9112 §6.1), else `invalid_transfer_encoding`; with a streamed body and other codings
//   ",chunked" is appended (Mint). A body given up front (or none) is then sent as one chunk
//   and the last chunk; a streamed one is chunked by the caller (Mint).
// - A 2xx to CONNECT is handled like 101: the bytes after the head come as one `data` part,
//   then `done`, and the engine is closed for HTTP.
// - `streamRequestBody` with a ref that is not streaming throws TypeError (Mint raises).
// - Every request ends with exactly one `done` or `error` part; see engine.ts. A connection
//   error thrown by `receive()`/`receiveEof()` carries the parts parsed before it followed by
//   an `error` part for each request still in flight; `receive()` on a closed engine throws
//   HTTPError `closed` (with empty `parts`), `receiveEof()` and `fail()` then return [].
// - A request with no body but a non-zero content-length, a body whose length differs from
//   the given content-length, a streamed chunk past the declared length, or EOF short of it
//   are refused before any byte is queued (the connection would otherwise desynchronise).
// - `data` parts are views of the received chunk, not copies; outgoing chunks may be Node
//   Buffers (a Uint8Array subclass) where the runtime has them.

import type { Engine, EngineOptions } from "../engine.js";
import { DEFAULT_MAX_HEADER_LIST_SIZE } from "../engine.js";
import type { Headers } from "../../types.js";
import { isFieldValue } from "../headers.js";
import { VERSION } from "../../version.js";
import { HTTP1Engine } from "./engine.js";
import { renderExtraHeaders } from "./request.js";

export interface HTTP1Options extends EngineOptions {
  /** Keep the caller's header-name casing (default false: names are sent lowercase). */
  caseSensitiveHeaders?: boolean;
  /** Do not validate request targets (CR, LF, NUL, SP and controls are still refused). */
  skipTargetValidation?: boolean;
  /** `["status_reason"]` adds a `status_reason` part after each `status`. */
  optionalResponses?: Array<"status_reason">;
  /** Default `user-agent` value: `mint-http/<version>`. */
  userAgent?: string;
  /** Appended to every request (forward-proxy `proxyHeaders`). */
  extraHeaders?: Headers;
  /** Prepended to origin-form targets, e.g. "http://example.com:8080" (forward proxy). */
  absoluteTargetPrefix?: string;
}

export { HTTP1Engine, MAX_HEADER_COUNT } from "./engine.js";

/**
 * Create an HTTP/1.1 engine.
 * @throws TypeError for invalid options.
 * @throws HTTPError `invalid_header_name`, `invalid_header_value` for bad `extraHeaders`.
 */
export function createHTTP1Engine(opts: HTTP1Options): Engine {
  if (typeof opts !== "object" || opts === null) throw new TypeError("HTTP/1 engine options must be an object");
  const { authority } = opts;
  if (typeof authority !== "string" || authority.length === 0 || !isFieldValue(authority)) {
    throw new TypeError("authority must be a non-empty string usable as a host header");
  }
  const userAgent = opts.userAgent ?? `mint-http/${VERSION}`;
  if (typeof userAgent !== "string" || !isFieldValue(userAgent)) throw new TypeError("userAgent must be a valid header value");
  const max = opts.maxHeaderListSize ?? DEFAULT_MAX_HEADER_LIST_SIZE;
  if (typeof max !== "number" || !(max > 0)) throw new TypeError("maxHeaderListSize must be a positive number (or Infinity)");
  const optional = opts.optionalResponses ?? [];
  if (!Array.isArray(optional)) throw new TypeError('optionalResponses must be an array, e.g. ["status_reason"]');
  for (const o of optional) {
    if (o !== "status_reason") throw new TypeError(`unknown optional response ${JSON.stringify(o)}; only "status_reason" exists`);
  }
  const caseSensitive = opts.caseSensitiveHeaders ?? false;
  if (typeof caseSensitive !== "boolean") throw new TypeError("caseSensitiveHeaders must be a boolean");
  const skip = opts.skipTargetValidation ?? false;
  if (typeof skip !== "boolean") throw new TypeError("skipTargetValidation must be a boolean");
  const prefix = opts.absoluteTargetPrefix ?? "";
  if (typeof prefix !== "string" || !isFieldValue(prefix) || /[\s]/.test(prefix)) {
    throw new TypeError("absoluteTargetPrefix must be a string such as \"http://example.com:8080\"");
  }
  const extra = renderExtraHeaders(opts.extraHeaders ?? [], caseSensitive);
  if (opts.log !== undefined && typeof opts.log !== "function") throw new TypeError("log must be a function");
  return new HTTP1Engine({
    request: {
      hostLine: `host: ${authority}\r\n`,
      userAgentLine: `user-agent: ${userAgent}\r\n`,
      extraLines: extra.lines,
      extraHasHost: extra.hasHost,
      extraHasUserAgent: extra.hasUserAgent,
      extraHasClose: extra.hasClose,
      caseSensitive,
      skipTargetValidation: skip,
      targetPrefix: prefix,
    },
    maxHeaderListSize: max,
    statusReason: optional.length > 0,
    log: opts.log,
  });
}
