// Constructors for every HTTPError the HTTP/1 engine produces.
//
// How this works: each function builds an `HTTPError` with protocol "http1", Mint's
// snake_case reason, the rest of Mint's tuple in `details`, and a message a person can
// act on. Keeping them here gives one list of reasons and one wording for each.

import { HTTPError, TransportError } from "../../errors.js";

function err(reason: string, message: string, details?: Record<string, unknown>): HTTPError {
  return new HTTPError("http1", reason, message, details);
}

/** Printable preview of bytes for messages (latin1, control bytes escaped, at most 64). */
export function previewBytes(data: Uint8Array): string {
  let s = "";
  const n = Math.min(data.length, 64);
  for (let i = 0; i < n; i++) {
    const c = data[i]!;
    if (c === 13) s += "\\r";
    else if (c === 10) s += "\\n";
    else if (c < 0x20 || c >= 0x7f) s += "\\x" + c.toString(16).padStart(2, "0");
    else s += String.fromCharCode(c);
  }
  return data.length > n ? s + "..." : s;
}

function show(s: string): string {
  return JSON.stringify(s.length > 200 ? s.slice(0, 200) + "..." : s);
}

export const closedError = (): HTTPError =>
  err("closed", "the connection is closed; open a new connection to send more requests");

export const requestBodyIsStreaming = (): HTTPError =>
  err("request_body_is_streaming",
    "a request body is still streaming on this connection; end it with EOF before starting another request");

export const invalidRequestMethod = (method: string): HTTPError =>
  err("invalid_request_method", `invalid request method ${show(method)}: a method must be an RFC 9110 token`, { method });

export const invalidRequestTarget = (target: string): HTTPError =>
  err("invalid_request_target",
    `invalid request target ${show(target)}: percent-encode characters outside RFC 3986 (or set skipTargetValidation)`,
    { target });

export const invalidHeaderName = (name: string): HTTPError =>
  err("invalid_header_name", `invalid header name ${show(name)}: a header name must be an RFC 9110 token`, { name });

export const invalidHeaderValue = (name: string, value: string): HTTPError =>
  err("invalid_header_value",
    `invalid value for header ${show(name)}: ${show(value)} (only visible characters, space, tab and latin1 are allowed; no CR, LF or NUL)`,
    { name, value });

export const unallowedTrailingHeader = (name: string): HTTPError =>
  err("unallowed_trailing_header", `header ${show(name)} is not allowed in trailers (RFC 9110 §6.5.1)`, { name });

export const trailersButNotChunked = (): HTTPError =>
  err("trailing_headers_but_not_chunked_encoding",
    "trailers can only be sent with a chunked request body; this request streams its body with content-length or a caller-managed transfer-encoding");

export const bodyExceedsContentLength = (contentLength: number, attempted: number): HTTPError =>
  err("body_exceeds_content_length",
    `this chunk would bring the streamed body to ${attempted} bytes but the request declared content-length ${contentLength}`,
    { contentLength, attempted });

export const contentLengthMismatch = (expected: string, actual: number): HTTPError =>
  err("content_length_mismatch",
    `the request's content-length header says ${show(expected)} but the body is ${actual} bytes; fix the header or drop it`,
    { expected, actual });

export const requestTransferEncodingAndContentLength = (): HTTPError =>
  err("transfer_encoding_and_content_length",
    "a request must not carry both transfer-encoding and content-length (RFC 9112 §6.2); send only one");

export const unexpectedData = (data: Uint8Array): HTTPError =>
  err("unexpected_data", `received data while no request was in flight: "${previewBytes(data)}"`,
    { data: data.slice(0, 64) });

export const invalidStatusLine = (why: string): HTTPError =>
  err("invalid_status_line", `invalid status line in the response: ${why}`);

export const invalidHeader = (): HTTPError =>
  err("invalid_header", "invalid header line in the response (bad name, whitespace before the colon, obs-fold, or a control character in the value)");

export const invalidTrailerHeader = (): HTTPError =>
  err("invalid_trailer_header", "invalid trailer line in the chunked response");

export const maxHeaderListSizeExceeded = (size: number, max: number, extra?: Record<string, unknown>): HTTPError =>
  err("max_header_list_size_exceeded",
    `the response header section reached ${size} bytes${extra ? ` (${String(extra["headers"])} fields)` : ""}, over the limit of ${max}; raise maxHeaderListSize if the server is trusted`,
    { size, max, ...extra });

export const invalidChunkSize = (why: string): HTTPError =>
  err("invalid_chunk_size", `invalid chunk-size line in the chunked response: ${why}`);

export const missingCrlfAfterChunk = (): HTTPError =>
  err("missing_crlf_after_chunk", "chunk data in the response was not followed by CRLF");

export const moreThanOneContentLength = (): HTTPError =>
  err("more_than_one_content_length_header", "the response has several content-length headers that disagree");

export const transferEncodingAndContentLength = (): HTTPError =>
  err("transfer_encoding_and_content_length",
    "the response has both transfer-encoding and content-length (a request-smuggling sign, RFC 9112 §6.3)");

export const invalidContentLengthHeader = (value: string): HTTPError =>
  err("invalid_content_length_header", `invalid content-length header ${show(value)}: it must be digits only`, { value });

export const emptyTokenList = (): HTTPError =>
  err("empty_token_list", "a connection or transfer-encoding header has no tokens");

export const invalidTokenList = (value: string): HTTPError =>
  err("invalid_token_list", `a connection or transfer-encoding header has invalid tokens: ${show(value)}`, { value });

/**
 * Why a connection takes no more requests although it is still reading a response
 * (`details.why` of the `closed` errors below).
 * - `connection_close_requested`: a request on it carried `connection: close` (RFC 9112 §9.6).
 * - `untrusted_length`: the response being read has no length the client can trust, so only
 *   the server closing the connection ends it (RFC 9112 §6.1, §6.3).
 */
export type WriteClosedWhy = "connection_close_requested" | "untrusted_length";

/** `request()` on a connection that takes no more requests (see {@link WriteClosedWhy}). */
export const noMoreRequests = (why: WriteClosedWhy, detail: string): HTTPError =>
  err("closed", why === "connection_close_requested"
    ? "this connection takes no more requests: an earlier request on it carried connection: close (RFC 9112 §9.6); open a new connection"
    : `this connection takes no more requests: ${detail}, so the connection closes after that response (RFC 9112 §6.3); open a new connection`,
  { why });

/**
 * Failure of a request pipelined behind a response whose length cannot be trusted: the
 * bytes after that response cannot be told apart from it, so they are never read as this
 * request's response. The server may or may not have processed the request.
 */
export const pipelinedBehindUntrusted = (detail: string): TransportError =>
  new TransportError("closed",
    `this request was not answered: ${detail}, so the connection closes after that response and nothing after it can be read safely (RFC 9112 §6.3); send it again on a new connection if that is safe`,
    { why: "untrusted_length" });

export const invalidTransferEncoding = (value: string, why: string): HTTPError =>
  err("invalid_transfer_encoding", `invalid request transfer-encoding ${show(value)}: ${why}`, { value });

/** Failure of a request that the server will not answer: the connection ended first. */
export const closedBeforeResponse = (why: string): TransportError =>
  new TransportError("closed", `the connection closed before the response to this request was complete (${why})`);
