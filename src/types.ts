// Public types shared by every layer. Imports nothing at run time.

import type { HTTPError, TransportError } from "./errors.js";

export type Scheme = "http" | "https";
export type Protocol = "http1" | "http2";
/** Header list; response names are lowercase. Order and duplicates are kept. */
export type Headers = Array<[name: string, value: string]>;
/** Opaque request identifier; compare with `===`. */
export type RequestRef = string;

/** Pass as a request body to stream it later with `streamRequestBody`. */
export const STREAM: unique symbol = Symbol.for("mint-http.stream");
/** Pass to `streamRequestBody` to end a streamed body. */
export const EOF: unique symbol = Symbol.for("mint-http.eof");

export type Body = string | Uint8Array | null | typeof STREAM;
export type BodyChunk = string | Uint8Array | typeof EOF | { eof: true; trailers: Headers };

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
  headerTableSize: number;
  enablePush: boolean;
  maxConcurrentStreams: number;
  initialWindowSize: number;
  maxFrameSize: number;
  maxHeaderListSize: number;
  enableConnectProtocol: boolean;
}
