// The HTTP/2 client engine: the public, sans-IO face of one connection (see ../engine.ts
// for the contract). Calls queue frames into an outgoing buffer the shell drains with
// takeOutgoing(); receive() splits the server's bytes into frames (frame-reader.ts) and
// hands each to receive.ts, which returns response parts.
//
// A connection error found while receiving queues GOAWAY, makes the engine terminal and
// is thrown with the parts parsed before it, followed by an `error` part for every request
// still in flight; a GOAWAY with an error code from the server is thrown the same way once
// the rest of the received bytes are processed.

import { HTTPError, MintError, TransportError } from "../../errors.js";
import { EOF, STREAM, type Body, type BodyChunk, type Headers, type HTTP2Settings, type RequestRef, type ResponsePart } from "../../types.js";
import { VERSION } from "../../version.js";
import { DEFAULT_MAX_HEADER_LIST_SIZE, type Engine, type EngineOptions } from "../engine.js";
import { nextRef } from "../refs.js";
import { H2Connection } from "./connection.js";
import { closedError, connectionError, ErrorCode, errorCodeOf, h2Error } from "./errors.js";
import { checkWindowSize, refillIncrement } from "./flow-control.js";
import { isAuthority } from "../uri-parts.js";
import { CONNECTION_PREFACE, Flag, FrameType, MAX_WINDOW_SIZE } from "./frame-header.js";
import { encodeSettings } from "./frames-encode.js";
import { handleDataPiece, handleFrame, refillWindows } from "./receive.js";
import { NEED_MORE, WHOLE_FRAME } from "./frame-reader.js";
import { BuiltCache, buildTrailers, type RequestContext } from "./request-headers.js";
import {
  checkSettingName, DEFAULT_WINDOW_SIZE, defaultClientSettings, defaultServerSettings, settingsToParams, validateClientSettings,
} from "./settings.js";
import { canSend, newStream, stateAfterSendEnd, type Stream } from "./stream-state.js";

export interface HTTP2Options extends EngineOptions {
  /** SETTINGS sent in the preface (defaults: initialWindowSize 4 MiB, maxHeaderListSize 256 KiB). */
  clientSettings?: Partial<HTTP2Settings>;
  /** Connection receive window, announced by WINDOW_UPDATE on stream 0 (default 16 MiB). */
  connectionWindowSize?: number;
  /** Refill a receive window once this little is left (default 160000). */
  receiveWindowUpdateThreshold?: number;
  /** Default user-agent (`mint-http/<version>`). */
  userAgent?: string;
}

export interface HTTP2Engine extends Engine {
  /** Queue a PING (8 octets, default zeros); its ACK yields a `pong` part. TypeError for another length; HTTPError `closed`. */
  ping(payload?: Uint8Array): RequestRef;
  /** Queue SETTINGS, applied when the server acknowledges them. TypeError for unknown or invalid settings; HTTPError `closed`. */
  putSettings(settings: Partial<HTTP2Settings>): void;
  /** What the server advertised (Mint's assumed defaults until then). TypeError for an unknown name. */
  getServerSetting(name: keyof HTTP2Settings): number | boolean;
  /** What we advertised and the server acknowledged (preface values at once). TypeError for an unknown name. */
  getClientSetting(name: keyof HTTP2Settings): number | boolean;
  /** RST_STREAM(CANCEL); the request's later frames are dropped. Unknown refs are ignored. HTTPError `closed`. */
  cancelRequest(ref: RequestRef): void;
  /**
   * Hold back (true) or release (false) the refill of one request's receive window: while
   * held, no WINDOW_UPDATE goes out for its stream, so the server stops once the window is
   * used up; the connection window is still refilled, so other requests go on. Releasing
   * sends the refill that is due at once. No-op for a request that has ended or an unknown
   * ref. TypeError when `hold` is not a boolean.
   */
  holdReceiveWindow(ref: RequestRef, hold: boolean): void;
  /** Our send window for the connection or a request. HTTPError `unknown_request_to_stream`. */
  getWindowSize(target: "connection" | { request: RequestRef }): number;
  /**
   * Grow a receive window to `size` (WINDOW_UPDATE). TypeError outside 1..2^31-1; HTTPError
   * `window_size_too_small` (details {current, new}), `unknown_request_to_stream`, `closed`.
   */
  setWindowSize(target: "connection" | { request: RequestRef }, size: number): void;
}

const DEFAULT_CONNECTION_WINDOW = 16 * 1024 * 1024;
const DEFAULT_REFILL_THRESHOLD = 160_000;
const MAX_STREAM_ID = 2 ** 31 - 1;
const WIRE_ERRORS = new Set([
  "protocol_error", "internal_error", "flow_control_error", "settings_timeout", "stream_closed", "frame_size_error",
  "refused_stream", "cancel", "compression_error", "connect_error", "enhance_your_calm", "inadequate_security", "http_1_1_required",
]);
const textEncoder = new TextEncoder();

function checkRange(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new TypeError(`${name} must be an integer in ${min}..${max}, got ${String(v)}`);
  }
  return v;
}

class H2Engine implements HTTP2Engine {
  readonly protocol = "http2" as const;
  private readonly c: H2Connection;
  private readonly ctx: RequestContext;
  /** The last request's header list, for repeats. */
  private readonly built = new BuiltCache();
  /** close() was called: bytes still arriving from the server are dropped, not an error. */
  private closedLocally = false;

  constructor(opts: HTTP2Options) {
    if (typeof opts !== "object" || opts === null) throw new TypeError("HTTP/2 options must be an object");
    // RFC 9113 §8.3.1: the default :authority is host[:port], without userinfo or spaces.
    if (typeof opts.authority !== "string" || !isAuthority(opts.authority)) {
      throw new TypeError(`authority must be host[:port] (RFC 3986 characters, no userinfo), got ${JSON.stringify(String(opts.authority))}`);
    }
    const clientSettings = opts.clientSettings ?? {};
    validateClientSettings(clientSettings);
    const connectionWindow = opts.connectionWindowSize === undefined
      ? DEFAULT_CONNECTION_WINDOW : checkRange("connectionWindowSize", opts.connectionWindowSize, DEFAULT_WINDOW_SIZE, MAX_WINDOW_SIZE);
    const threshold = opts.receiveWindowUpdateThreshold === undefined
      ? DEFAULT_REFILL_THRESHOLD : checkRange("receiveWindowUpdateThreshold", opts.receiveWindowUpdateThreshold, 1, MAX_WINDOW_SIZE);
    let maxHeaderList = clientSettings.maxHeaderListSize ?? opts.maxHeaderListSize ?? DEFAULT_MAX_HEADER_LIST_SIZE;
    if (typeof maxHeaderList !== "number" || !(maxHeaderList > 0)) throw new TypeError("maxHeaderListSize must be a positive number");
    if (maxHeaderList > 0xffffffff) maxHeaderList = 0xffffffff;

    const client = defaultClientSettings();
    // Sent in the preface and mirrored at once, so streams opened before the ACK use them (Mint).
    const sent: Partial<HTTP2Settings> = { initialWindowSize: client.initialWindowSize, ...clientSettings, maxHeaderListSize: maxHeaderList };
    Object.assign(client, sent);
    const c = new H2Connection(defaultServerSettings(), client, connectionWindow, threshold, opts.scheme, opts.authority, opts.log);
    this.c = c;
    this.ctx = { scheme: opts.scheme, authority: opts.authority, userAgent: opts.userAgent ?? `mint-http/${VERSION}` };

    // RFC 9113 §3.4: preface, then SETTINGS, then the connection window.
    const params = settingsToParams(sent);
    c.out.append(CONNECTION_PREFACE);
    c.out.append(encodeSettings(params));
    c.pendingSettings.push(params);
    if (connectionWindow > DEFAULT_WINDOW_SIZE) c.queueWindowUpdate(0, connectionWindow - DEFAULT_WINDOW_SIZE);
  }

  private checkOpen(): void {
    if (this.c.phase === "closed") throw closedError();
  }

  private checkWritable(): void {
    this.checkOpen();
    if (this.c.phase === "goaway") {
      throw h2Error("closed_for_writing", "the server sent GOAWAY: no new requests on this connection; open a new one");
    }
  }

  private streamOf(ref: RequestRef): Stream {
    const s = this.c.streamByRef(ref);
    if (s === undefined) throw h2Error("unknown_request_to_stream", `no open request ${String(ref)} on this connection`, { ref });
    return s;
  }

  /**
   * Queue a request: HEADERS (+ CONTINUATION) and, for a body given up front, its DATA.
   * Errors (HTTPError): `closed`, `closed_for_writing`, `too_many_concurrent_requests`,
   * `max_header_list_size_exceeded`, `exceeds_window_size`, `invalid_request_method`,
   * `invalid_request_target`, `invalid_header_name`, `invalid_header_value`, `invalid_header`,
   * `content_length_mismatch`.
   */
  request(method: string, path: string, headers: Headers, body: Body): RequestRef {
    this.checkWritable();
    const c = this.c;
    if (typeof path !== "string") throw new TypeError("path must be a string");
    let bytes: Uint8Array | null = null;
    if (typeof body === "string") bytes = textEncoder.encode(body);
    else if (body instanceof Uint8Array) bytes = body;
    else if (body !== null && body !== STREAM) throw new TypeError("body must be a string, a Uint8Array, null or STREAM");
    // Mint: refuse before sending anything once the server's limit is reached.
    if (c.openClientStreams >= c.server.maxConcurrentStreams) {
      throw h2Error("too_many_concurrent_requests", `the server allows ${c.server.maxConcurrentStreams} concurrent requests; wait for one to finish`, {
        max: c.server.maxConcurrentStreams,
      });
    }
    const built = this.built.build(method, path, headers, bytes === null ? -1 : bytes.length, this.ctx);
    // RFC 9113 §6.5.2: respect the server's SETTINGS_MAX_HEADER_LIST_SIZE.
    if (built.size > c.server.maxHeaderListSize) {
      throw h2Error("max_header_list_size_exceeded", `request headers of ${built.size} octets exceed the server's limit of ${c.server.maxHeaderListSize}`, {
        size: built.size, max: c.server.maxHeaderListSize,
      });
    }
    const len = bytes === null ? 0 : bytes.length;
    if (len > 0) this.checkWindows(c.server.initialWindowSize, len);
    // RFC 9113 §5.1.1: stream ids cannot be reused; when they run out a new connection is needed.
    if (c.nextStreamId > MAX_STREAM_ID) throw h2Error("closed_for_writing", "this connection has used all its stream ids; open a new one");

    const id = c.nextStreamId;
    c.nextStreamId += 2;
    const block = c.encoder.encodeShared(built.headers);
    const maxFrame = c.server.maxFrameSize;
    c.out.headerBlock(id, block, body !== STREAM && len === 0, maxFrame);
    if (len > 0) {
      c.out.data(id, bytes!, true, maxFrame);
      c.sendWindow -= len;
    }
    const ref = c.refOf(id);
    const isHead = built.method === "HEAD";
    const skipLength = built.isConnect || isHead;
    const stream = newStream(id, ref, false, body === STREAM ? "open" : "half_closed_local", c.server.initialWindowSize - len, c.client.initialWindowSize, skipLength);
    // RFC 9110 §6.4.1: a response to HEAD has no content.
    stream.noContent = isHead;
    if (body === STREAM && !built.isConnect) stream.declaredLength = built.contentLength;
    c.addStream(stream);
    return ref;
  }

  /** Throws `exceeds_window_size` when `len` octets do not fit the stream or connection window. */
  private checkWindows(streamWindow: number, len: number): void {
    if (len > streamWindow) {
      throw h2Error("exceeds_window_size", `${len} octets exceed the request's send window of ${streamWindow}; send at most requestBodyWindow() octets`, {
        target: "request", window: streamWindow,
      });
    }
    if (len > this.c.sendWindow) {
      throw h2Error("exceeds_window_size", `${len} octets exceed the connection's send window of ${this.c.sendWindow}; send at most requestBodyWindow() octets`, {
        target: "connection", window: this.c.sendWindow,
      });
    }
  }

  /**
   * Queue a chunk of a streamed body, its end (EOF), or trailers ({eof, trailers}).
   * Errors (HTTPError): `closed`, `unknown_request_to_stream`, `request_is_not_streaming`,
   * `exceeds_window_size`, `unallowed_trailing_header`, `invalid_header_name`, `invalid_header_value`,
   * `body_exceeds_content_length`, `content_length_mismatch` (against a declared content-length).
   */
  streamRequestBody(ref: RequestRef, chunk: BodyChunk): void {
    this.checkOpen();
    const c = this.c;
    const s = c.streamByRef(ref);
    if (s === undefined || s.isPush) throw h2Error("unknown_request_to_stream", `no open request ${String(ref)} to stream a body on`, { ref });
    if (!canSend(s.state)) throw h2Error("request_is_not_streaming", "this request is not streaming a body (opened without STREAM, or already ended)");
    const ending = chunk === EOF || (typeof chunk === "object" && chunk !== null && !(chunk instanceof Uint8Array) && (chunk as { eof?: unknown }).eof === true);
    // RFC 9113 §8.1.1: the DATA sent must add up to the declared content-length.
    if (ending && s.declaredLength >= 0 && s.sentLength !== s.declaredLength) {
      throw h2Error("content_length_mismatch", `the request's content-length header says ${s.declaredLength} but the body ends after ${s.sentLength} bytes`, {
        expected: String(s.declaredLength), actual: s.sentLength,
      });
    }
    if (chunk === EOF) {
      c.out.frame(FrameType.DATA, Flag.END_STREAM, s.id, new Uint8Array(0));
    } else if (typeof chunk === "object" && chunk !== null && !(chunk instanceof Uint8Array) && (chunk as { eof?: unknown }).eof === true) {
      const trailers = buildTrailers((chunk as { trailers: Headers }).trailers);
      c.out.headerBlock(s.id, c.encoder.encodeShared(trailers), true, c.server.maxFrameSize);
    } else {
      let bytes: Uint8Array;
      if (typeof chunk === "string") bytes = textEncoder.encode(chunk);
      else if (chunk instanceof Uint8Array) bytes = chunk;
      else throw new TypeError("a body chunk must be a string, a Uint8Array, EOF or {eof: true, trailers}");
      if (bytes.length === 0) return;
      if (s.declaredLength >= 0 && s.sentLength + bytes.length > s.declaredLength) {
        throw h2Error("body_exceeds_content_length", `this chunk would bring the streamed body to ${s.sentLength + bytes.length} bytes but the request declared content-length ${s.declaredLength}`, {
          contentLength: s.declaredLength, attempted: s.sentLength + bytes.length,
        });
      }
      this.checkWindows(s.sendWindow, bytes.length);
      c.out.data(s.id, bytes, false, c.server.maxFrameSize);
      s.sentLength += bytes.length;
      s.sendWindow -= bytes.length;
      c.sendWindow -= bytes.length;
      return;
    }
    s.state = stateAfterSendEnd(s.state);
    if (s.state === "closed") c.removeStream(s);
  }

  /** Parse server bytes into parts. Throws connection errors with `.parts`; see the file comment. */
  receive(data: Uint8Array): ResponsePart[] {
    if (this.closedLocally) return [];
    this.checkOpen();
    const c = this.c;
    const parts: ResponsePart[] = [];
    const reader = c.reader;
    reader.push(data);
    try {
      // RFC 9113 §6.8: a GOAWAY with an error code ends the connection; frames after it in the
      // same read are not looked at, so the outcome does not depend on where a read ends.
      let got: number;
      while (c.pendingError === null && (got = reader.next(c.client.maxFrameSize)) !== NEED_MORE) {
        if (got === WHOLE_FRAME) handleFrame(c, reader.type, reader.flags, reader.streamId, reader.payload, parts);
        else handleDataPiece(c, reader.flags, reader.streamId, reader.payload, reader.pieceStart, reader.pieceEnd, reader.frameLength, parts);
      }
      refillWindows(c);
    } catch (err) {
      throw this.fatal(err, parts);
    }
    if (c.pendingError !== null) {
      const err = c.pendingError;
      c.pendingError = null;
      c.phase = "closed";
      parts.push(...this.failAll(err));
      err.parts = parts;
      throw err;
    }
    return parts;
  }

  /** Turn a failure inside receive() into the terminal state; returns the error to throw. */
  private fatal(err: unknown, parts: ResponsePart[]): MintError {
    const c = this.c;
    let e: MintError;
    if (err instanceof MintError) e = err;
    else e = connectionError(ErrorCode.INTERNAL_ERROR, err instanceof Error ? err.message : String(err));
    if (e instanceof HTTPError && WIRE_ERRORS.has(e.reason)) {
      const debug = typeof e.details?.debug === "string" ? e.details.debug : e.message;
      // RFC 9113 §5.4.1: a connection error is answered with GOAWAY and the connection closed.
      c.queueGoaway(errorCodeOf(e.reason), debug);
    }
    c.phase = "closed";
    // Every request still in flight ends with this error, as on HTTP/1.
    if (e instanceof HTTPError || e instanceof TransportError) parts.push(...this.failAll(e));
    e.parts = parts;
    return e;
  }

  /** The peer closed the connection: fails open requests with TransportError `closed`. */
  receiveEof(): ResponsePart[] {
    const c = this.c;
    if (c.phase === "closed") return [];
    c.phase = "closed";
    if (c.byId.size === 0) return [];
    const err = new TransportError("closed", "the server closed the HTTP/2 connection while requests were in flight");
    const parts = this.failAll(err);
    err.parts = parts;
    throw err;
  }

  fail(error: Error): ResponsePart[] {
    const c = this.c;
    if (c.phase === "closed" && c.byId.size === 0) return [];
    c.phase = "closed";
    const e = error instanceof HTTPError || error instanceof TransportError
      ? error : new TransportError("closed", error.message, undefined, { cause: error });
    return this.failAll(e);
  }

  private failAll(error: HTTPError | TransportError): ResponsePart[] {
    const parts: ResponsePart[] = [];
    for (const s of this.c.byId.values()) {
      // A response that already ended (its body was still streaming) got its `done`.
      if (s.state !== "half_closed_remote") parts.push({ type: "error", ref: s.ref, error });
      this.c.removeStream(s);
    }
    return parts;
  }

  takeSendWindowGrowth(): boolean {
    const grew = this.c.sendWindowGrew;
    this.c.sendWindowGrew = false;
    return grew;
  }

  takeOutgoing(): Uint8Array[] {
    // What the shell takes is on its way out: it no longer counts as queued acknowledgements.
    this.c.outboundAcks = 0;
    return this.c.out.take();
  }

  /** Queue GOAWAY(NO_ERROR); the engine is then closed. */
  close(): void {
    const c = this.c;
    if (c.phase === "closed") return;
    c.queueGoaway(ErrorCode.NO_ERROR, "");
    c.phase = "closed";
    this.closedLocally = true;
    for (const s of c.byId.values()) c.removeStream(s);
  }

  isOpen(type: "read" | "write"): boolean {
    const c = this.c;
    if (type === "write") return c.phase === "open";
    return c.phase === "open" || (c.phase === "goaway" && c.byId.size > 0);
  }

  openRequestCount(): number {
    return this.c.openClientStreams;
  }

  /** min(connection, stream) send window. Error: `unknown_request_to_stream`. */
  requestBodyWindow(ref: RequestRef): number {
    const s = this.streamOf(ref);
    return Math.max(0, Math.min(this.c.sendWindow, s.sendWindow));
  }

  /** Send a PING (8 octets, default zeros); its ACK yields a `pong` part. Errors: `closed`. */
  ping(payload: Uint8Array = new Uint8Array(8)): RequestRef {
    this.checkOpen();
    if (!(payload instanceof Uint8Array) || payload.length !== 8) throw new TypeError("a PING payload must be 8 octets");
    const ref = nextRef();
    const copy = payload.slice();
    this.c.pings.push({ ref, payload: copy });
    this.c.out.frame(FrameType.PING, 0, 0, copy);
    return ref;
  }

  /** Send SETTINGS; they apply when the server ACKs them. TypeError for unknown/invalid settings. */
  putSettings(settings: Partial<HTTP2Settings>): void {
    this.checkOpen();
    validateClientSettings(settings);
    const params = settingsToParams(settings);
    this.c.out.append(encodeSettings(params));
    this.c.pendingSettings.push(params);
  }

  getServerSetting(name: keyof HTTP2Settings): number | boolean {
    checkSettingName(name);
    return this.c.server[name];
  }

  getClientSetting(name: keyof HTTP2Settings): number | boolean {
    checkSettingName(name);
    return this.c.client[name];
  }

  /** RST_STREAM(CANCEL); later frames of the stream are dropped. Unknown refs are ignored. */
  cancelRequest(ref: RequestRef): void {
    this.checkOpen();
    const s = this.c.streamByRef(ref);
    if (s === undefined) return;
    this.c.queueRst(s.id, ErrorCode.CANCEL);
    this.c.removeStream(s);
  }

  /** Hold back or release a stream's receive-window refill (see HTTP2Engine). */
  holdReceiveWindow(ref: RequestRef, hold: boolean): void {
    if (typeof hold !== "boolean") throw new TypeError("holdReceiveWindow takes a boolean");
    const c = this.c;
    const s = c.streamByRef(ref);
    if (s === undefined || s.held === hold) return;
    s.held = hold;
    if (hold || c.phase === "closed") return;
    // RFC 9113 §6.9: the refill held back goes out now (when the window is low enough to be due).
    if (s.state === "open" || s.state === "half_closed_local") {
      const inc = refillIncrement(s.recvPeak, s.recvRemaining, c.refillThreshold);
      if (inc > 0) {
        c.queueWindowUpdate(s.id, inc);
        s.recvRemaining += inc;
      }
    }
  }

  /** Our send window. Error: `unknown_request_to_stream`. */
  getWindowSize(target: "connection" | { request: RequestRef }): number {
    if (target === "connection") return this.c.sendWindow;
    if (typeof target !== "object" || target === null || !("request" in target)) throw new TypeError('target must be "connection" or {request: ref}');
    return this.streamOf(target.request).sendWindow;
  }

  /**
   * Grow a receive window to `size` with WINDOW_UPDATE. TypeError outside 1..2^31-1.
   * Errors (HTTPError): `closed`, `window_size_too_small`, `unknown_request_to_stream`.
   */
  setWindowSize(target: "connection" | { request: RequestRef }, size: number): void {
    this.checkOpen();
    checkWindowSize(size);
    let w: { recvPeak: number; recvRemaining: number } | { peak: number; remaining: number };
    let id: number;
    if (target === "connection") {
      const r = this.c.recv;
      if (size < r.peak) throw h2Error("window_size_too_small", `the connection window is ${r.peak}; it can only grow`, { current: r.peak, new: size });
      if (size === r.peak) return;
      this.c.queueWindowUpdate(0, size - r.peak);
      r.remaining += size - r.peak;
      r.peak = size;
      return;
    }
    if (typeof target !== "object" || target === null || !("request" in target)) throw new TypeError('target must be "connection" or {request: ref}');
    const s = this.streamOf(target.request);
    w = s;
    id = s.id;
    if (size < w.recvPeak) throw h2Error("window_size_too_small", `the request's window is ${w.recvPeak}; it can only grow`, { current: w.recvPeak, new: size });
    if (size === w.recvPeak) return;
    this.c.queueWindowUpdate(id, size - w.recvPeak);
    w.recvRemaining += size - w.recvPeak;
    w.recvPeak = size;
  }
}

/** Create an HTTP/2 engine; the preface, SETTINGS and connection WINDOW_UPDATE are queued at once. */
export function createHTTP2Engine(opts: HTTP2Options): HTTP2Engine {
  return new H2Engine(opts);
}
