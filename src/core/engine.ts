// The contract between a sans-IO protocol engine (core/http1, core/http2) and the
// connection shell that joins it to a socket (connection/).
//
// An engine never touches a socket, a timer or a node:* module. Calls only queue bytes:
// `request()` and `streamRequestBody()` append to the outgoing queue, `receive()` parses
// what the peer sent and returns response parts (and may queue bytes too, such as
// HTTP/2 SETTINGS or PING acknowledgements). The shell drains `takeOutgoing()` after
// every call and writes the chunks in order.
//
// Errors:
// - misuse by the caller (wrong types, unknown options) throws `TypeError`;
// - a request the protocol refuses throws `HTTPError` and leaves the engine usable;
// - a connection-level failure in `receive()`/`receiveEof()` throws `HTTPError` or
//   `TransportError` whose `parts` holds the parts parsed before it. The engine is then
//   closed for good: `isOpen()` is false and every later call fails with `closed`.
//   Bytes queued before the failure (e.g. a GOAWAY) are still to be flushed.
//
// When `isOpen("read")` turns false (e.g. a `connection: close` response has ended)
// the shell flushes what is queued and closes the socket. `isOpen("write")` may turn false
// first while a response is still read (HTTP/1: a request sent `connection: close`, or the
// response has no length the client can trust); `request()` then throws HTTPError `closed`.

import type { Body, BodyChunk, Headers, Protocol, RequestRef, ResponsePart, Scheme } from "../types.js";

/** Options every engine receives from `connect`. */
export interface EngineOptions {
  scheme: Scheme;
  /** Host (and port when not the scheme's default) for `host` / `:authority`. */
  authority: string;
  /** Cap on one response header or trailer section, in bytes (default 256 KiB). */
  maxHeaderListSize?: number;
  /** Debug logger; called only when logging is on. */
  log?: (line: string) => void;
}

export interface Engine {
  readonly protocol: Protocol;
  /** Queue a request. Throws `HTTPError` for a refused request, `TypeError` for misuse. */
  request(method: string, target: string, headers: Headers, body: Body): RequestRef;
  /** Queue a chunk of a streamed body (or its end). */
  streamRequestBody(ref: RequestRef, chunk: BodyChunk): void;
  /** Parse bytes from the peer into parts. */
  receive(data: Uint8Array): ResponsePart[];
  /** The peer closed its side of the connection. Returns the final parts or throws. */
  receiveEof(): ResponsePart[];
  /** Fail every request in flight with `error` (a transport failure); the engine closes. */
  fail(error: Error): ResponsePart[];
  /** Outgoing bytes queued since the last call, in order (empty when none). */
  takeOutgoing(): Uint8Array[];
  /** Start an orderly close (HTTP/2 queues GOAWAY); the engine is then closed. */
  close(): void;
  isOpen(type: "read" | "write"): boolean;
  openRequestCount(): number;
  /** Bytes the request's body may send now: Infinity on HTTP/1. */
  requestBodyWindow(ref: RequestRef): number;
  /**
   * True when a send window grew since the last call (HTTP/2 WINDOW_UPDATE or SETTINGS),
   * so a caller waiting to stream more of a body can go on. Engines without flow control
   * leave it out.
   */
  takeSendWindowGrowth?(): boolean;
}

/** Default cap on a response header section (Mint 1.9.2). */
export const DEFAULT_MAX_HEADER_LIST_SIZE = 256 * 1024;
