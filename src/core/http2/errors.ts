// HTTP/2 error codes (RFC 9113 §7) and the HTTPError values the engine produces.
//
// A connection error is an HTTPError whose `reason` is the snake_case name of its wire
// code (`protocol_error`, `frame_size_error`, ...) with `details.debug`; the engine maps
// the reason back to the wire code when it writes the GOAWAY. A stream error becomes an
// RST_STREAM with the same code and an `error` part for that request only.

import { HTTPError } from "../../errors.js";

/** RFC 9113 §7 error codes. */
export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

const NAMES = [
  "no_error", "protocol_error", "internal_error", "flow_control_error", "settings_timeout", "stream_closed",
  "frame_size_error", "refused_stream", "cancel", "compression_error", "connect_error", "enhance_your_calm",
  "inadequate_security", "http_1_1_required",
];

const CODE_BY_NAME = new Map(NAMES.map((n, i) => [n, i]));

/** Snake_case name of a wire error code; codes RFC 9113 does not define are `custom_error`. */
export function errorCodeName(code: number): string {
  return code >= 0 && code < NAMES.length ? NAMES[code]! : "custom_error";
}

/** Wire code for a connection-error reason (INTERNAL_ERROR for anything unknown). */
export function errorCodeOf(reason: string): number {
  return CODE_BY_NAME.get(reason) ?? ErrorCode.INTERNAL_ERROR;
}

/**
 * A connection error: the engine answers it with GOAWAY(code, debug) and closes.
 * `reason` is the code's name, `details.debug` the text sent as GOAWAY debug data.
 */
export function connectionError(code: number, debug: string): HTTPError {
  const name = errorCodeName(code);
  return new HTTPError("http2", name, `HTTP/2 connection error ${name.toUpperCase()}: ${debug}`, { debug });
}

/** A stream error reported in the request's `error` part (the engine sends RST_STREAM with `code`). */
export function streamError(code: number, debug: string): HTTPError {
  const name = errorCodeName(code);
  return new HTTPError("http2", name, `HTTP/2 stream error ${name.toUpperCase()}: ${debug}`, { debug });
}

/**
 * A malformed response (RFC 9113 §8.1.1): a stream error PROTOCOL_ERROR whose `reason` says
 * what was wrong, so a caller can tell the classes apart:
 * - `invalid_header_name`: a field name that is not a lowercase token (§8.2.1);
 * - `invalid_header_value`: NUL, CR, LF or another control character, or SP/HTAB at either end (§8.2.1);
 * - `invalid_header`: a connection-specific field, or `te` other than "trailers" (§8.2.2);
 * - `invalid_status_header`: `:status` not three digits 100-599, or given twice (RFC 9110 §15);
 * - `invalid_pseudo_header`: a pseudo-header other than `:status`, in trailers, or after a regular field (§8.3);
 * - `content_not_allowed`: DATA on a response to HEAD, or with status 204 or 304 (RFC 9110 §6.4.1).
 * `details` holds `errorCode: "protocol_error"` (the RST_STREAM code), `debug`, and the field concerned.
 */
export function malformed(reason: string, debug: string, details?: Record<string, unknown>): HTTPError {
  return new HTTPError("http2", reason, `the server sent a malformed response (${debug}); the request failed and its stream was reset`, {
    errorCode: "protocol_error", debug, ...details,
  });
}

/** Any other HTTP/2 HTTPError (request refused, stream closed by the server, ...). */
export function h2Error(reason: string, message: string, details?: Record<string, unknown>): HTTPError {
  return new HTTPError("http2", reason, message, details);
}

/** `details` for an error code as Mint names it: `{errorCode}` plus `code` for custom codes. */
export function errorCodeDetails(code: number): Record<string, unknown> {
  const name = errorCodeName(code);
  return name === "custom_error" ? { errorCode: name, code } : { errorCode: name };
}

/** The "connection is closed" error every call fails with once the engine is terminal. */
export function closedError(): HTTPError {
  return h2Error("closed", "the HTTP/2 connection is closed; open a new connection");
}
