// Public types shared by every layer. Imports nothing at run time.

import type { HTTPError, TransportError } from "./errors.js";

/** URL scheme of a connection: plain TCP or TLS. */
export type Scheme = "http" | "https";
/** The HTTP version a connection speaks. */
export type Protocol = "http1" | "http2";
/** Header list; response names are lowercase. Order and duplicates are kept. */
export type Headers = Array<[name: string, value: string]>;
/** Opaque request identifier; compare with `===`. */
export type RequestRef = string;

/** Pass as a request body to stream it later with `streamRequestBody`. */
export const STREAM: unique symbol = Symbol.for("mint-http.stream");
/** Pass to `streamRequestBody` to end a streamed body. */
export const EOF: unique symbol = Symbol.for("mint-http.eof");

/** A request body: sent whole (string as UTF-8, bytes), none, or STREAM to send it later. */
export type Body = string | Uint8Array | null | typeof STREAM;
/** A chunk of a streamed body, or its end (EOF, or `{ eof: true, trailers }`). */
export type BodyChunk = string | Uint8Array | typeof EOF | { eof: true; trailers: Headers };

/**
 * One piece of a response, tagged with the ref of its request. A response is `status`
 * (after zero or more 1xx `status`+`headers` pairs), `headers`, `data`*, optional trailer
 * `headers`, then `done`; or an `error` (this request failed, the connection lives).
 * `status_reason` (HTTP/1, opt-in) follows `status`; `pong` answers `ping`;
 * `push_promise` announces an HTTP/2 server push whose parts carry `promisedRef`.
 * `data` is a view of the bytes read: copy it to keep it past the next read.
 */
export type ResponsePart =
  | { type: "status"; ref: RequestRef; status: number }
  | { type: "status_reason"; ref: RequestRef; reason: string }
  | { type: "headers"; ref: RequestRef; headers: Headers }
  | { type: "data"; ref: RequestRef; data: Uint8Array }
  | { type: "done"; ref: RequestRef }
  | { type: "error"; ref: RequestRef; error: HTTPError | TransportError }
  | { type: "pong"; ref: RequestRef }
  | { type: "push_promise"; ref: RequestRef; promisedRef: RequestRef; headers: Headers };

/** HTTP/2 SETTINGS by name (RFC 9113 §6.5.2, RFC 8441 §3). */
export interface HTTP2Settings {
  /** SETTINGS_HEADER_TABLE_SIZE: HPACK dynamic table size the sender's decoder allows (4096). */
  headerTableSize: number;
  /** SETTINGS_ENABLE_PUSH: whether server push is allowed (true). */
  enablePush: boolean;
  /** SETTINGS_MAX_CONCURRENT_STREAMS: streams the sender lets its peer open at once. */
  maxConcurrentStreams: number;
  /** SETTINGS_INITIAL_WINDOW_SIZE: the initial stream receive window (65535; we send 4 MiB). */
  initialWindowSize: number;
  /** SETTINGS_MAX_FRAME_SIZE: the largest frame payload the sender accepts (16384). */
  maxFrameSize: number;
  /** SETTINGS_MAX_HEADER_LIST_SIZE: the largest header list the sender accepts (we send 256 KiB). */
  maxHeaderListSize: number;
  /** SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441): the server accepts extended CONNECT. */
  enableConnectProtocol: boolean;
}
