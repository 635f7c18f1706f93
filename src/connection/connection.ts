// A Connection joins a sans-IO protocol engine (core/) to one socket.
//
// How it works: every API call is passed to the engine, then the bytes the engine queued
// are written to the socket (corked until the end of the tick, so a burst of requests
// leaves as one write). What the socket reads is fed to the engine, which returns parts.
// - Active mode: the socket flows; each batch of parts is emitted as a "parts" event, and
//   "window" is emitted when an HTTP/2 send window grew (a streamed body may go on).
// - Passive mode: the socket is paused; `recv` resumes it just long enough to read one
//   chunk (or `byteCount` bytes), parses it and resolves with the parts.
// When the engine or the socket fails, the socket is destroyed on every path, the
// requests in flight fail, and "closed" is emitted once with the error. No "error"
// event is ever emitted. "closed" is the last event: every emit checks that it has not
// been emitted yet, and close() emits it (without an error) before returning, so nothing
// fires after close() — not a "parts" batch still being delivered, not "window", not the
// replay of passive-mode bytes after setMode("active").

import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { HTTPError, MintError, TransportError } from "../errors.js";
import type { Engine } from "../core/engine.js";
import type { HTTP2Engine } from "../core/http2/index.js";
import { socketError } from "../transport/tcp.js";
import type { Body, BodyChunk, Headers, HTTP2Settings, Protocol, RequestRef, ResponsePart } from "../types.js";
import { Inbox } from "./inbox.js";
import { SocketWriter } from "./writer.js";

export interface ConnectionInit {
  socket: Socket;
  /** Builds the engine; `log` is set when logging was on at connect (frame-level debug lines). */
  createEngine: (log: ((line: string) => void) | undefined) => Engine;
  mode: "active" | "passive";
  log: boolean | ((line: string) => void);
  /** Where the socket goes, for messages ("127.0.0.1:8080"). */
  where: string;
  proxyHeaders?: Headers;
}

let connectionIds = 0;

/** Bytes handed to the engine per receive(): one socket read (larger passive reads are sliced). */
const FEED_SLICE = 64 * 1024;

/** One HTTP/1 or HTTP/2 connection over one socket. See the module comment. */
export class Connection extends EventEmitter {
  readonly #socket: Socket;
  readonly #engine: Engine;
  readonly #where: string;
  readonly #proxyHeaders: Headers;
  readonly #private = new Map<string, unknown>();
  readonly #inbox = new Inbox();
  readonly #id = ++connectionIds;
  #mode: "active" | "passive";
  #logSink: ((line: string) => void) | undefined;
  #closedEmitted = false;
  /** close() was called: nothing more is read, even bytes already buffered. */
  #closedByCaller = false;
  #failure: MintError | undefined;
  #recvBusy = false;
  #logEnabled: boolean;
  /** Request whose 101 keeps the socket open for `takeSocket` (see `holdSocketOnUpgrade`). */
  #upgradeRef: RequestRef | undefined;
  /** That request is a CONNECT: a 2xx hands the socket over too. */
  #upgradeTunnel = false;
  /** Set once that 101 arrived: the socket is paused and waits to be taken. */
  #held: { head: Uint8Array[] } | undefined;
  readonly #listeners: Array<[string, (...args: any[]) => void]> = [];
  readonly #writer: SocketWriter;

  constructor(init: ConnectionInit) {
    super();
    this.#socket = init.socket;
    this.#where = init.where;
    this.#mode = init.mode;
    this.#proxyHeaders = init.proxyHeaders ?? [];
    this.#logEnabled = init.log !== false;
    if (typeof init.log === "function") this.#logSink = init.log;
    this.#engine = init.createEngine(this.#logEnabled ? (line) => this.#log(line) : undefined);
    const socket = this.#socket;
    this.#writer = new SocketWriter(socket, () => this.#engine.takeOutgoing(), () => {
      if (this.#mode === "active" && this.#inbox.isEmpty) socket.resume();
    });
    this.#applyLogSetting();
    socket.setNoDelay?.(true);
    this.#listen("data", (chunk: Buffer) => this.#onData(chunk));
    this.#listen("end", () => this.#onEnd());
    this.#listen("error", (err: Error) => this.#onSocketError(err));
    this.#listen("close", () => this.#onSocketClose());
    if (this.#mode === "passive") socket.pause();
    else socket.resume();
    this.#flush();
  }

  /** The protocol spoken: "http1" or "http2". */
  get protocol(): Protocol {
    return this.#engine.protocol;
  }

  /**
   * Send a request; its response parts carry the returned ref.
   * Errors: HTTPError `closed`, `request_body_is_streaming`, `too_many_concurrent_requests`,
   * `invalid_request_method`, `invalid_request_target`, `invalid_header_name`,
   * `invalid_header_value`, `exceeds_window_size`, ...; TypeError for wrong argument types.
   */
  request(method: string, path: string, headers: Headers, body: Body): RequestRef {
    this.#checkWritable();
    const ref = this.#engine.request(method, path, headers, body);
    if (this.#logEnabled) this.#log(`> ${method} ${path} (${ref})`);
    this.#flush();
    return ref;
  }

  /** Send a chunk of a body opened with STREAM; EOF or `{ eof: true, trailers }` ends it. */
  streamRequestBody(ref: RequestRef, chunk: BodyChunk): void {
    this.#checkWritable();
    this.#engine.streamRequestBody(ref, chunk);
    this.#flush();
  }

  /**
   * Passive mode: read from the socket and resolve with the parts parsed. `byteCount` 0
   * (default) takes whatever is available; otherwise exactly that many bytes (fewer only at
   * the end of the stream). Rejects with TransportError `timeout` when nothing (enough)
   * arrives in `timeoutMs` (the connection stays usable), and with the connection's error,
   * whose `parts` holds the parts parsed before it, when the connection fails.
   */
  async recv(byteCount = 0, timeoutMs = Infinity): Promise<ResponsePart[]> {
    if (this.#mode !== "passive") throw new TypeError("recv() can only be used in passive mode; call setMode(\"passive\") first");
    if (!Number.isInteger(byteCount) || byteCount < 0) throw new TypeError("recv byteCount must be a non-negative integer");
    if (!(timeoutMs >= 0)) throw new TypeError("recv timeoutMs must be a non-negative number");
    if (this.#recvBusy) throw new TypeError("recv() is already waiting on this connection");
    if (this.#closedByCaller) throw new HTTPError(this.protocol, "closed", `the connection to ${this.#where} was closed by close()`);
    if (this.#failure !== undefined && this.#inbox.isEmpty) throw this.#failure;
    if (!this.#engine.isOpen("read") && this.#inbox.isEmpty) {
      throw new HTTPError(this.protocol, "closed", `the connection to ${this.#where} is closed`);
    }
    this.#recvBusy = true;
    try {
      const started = Date.now();
      if (this.#writer.blocked && !(await this.#writer.drained(timeoutMs))) {
        throw new TransportError("timeout", `${this.#where} did not read what was sent within ${timeoutMs} ms`);
      }
      const chunk = await this.#inbox.take(byteCount, Math.max(0, timeoutMs - (Date.now() - started)), this.#socket);
      if (chunk === "timeout") {
        throw new TransportError("timeout", `no response data from ${this.#where} within ${timeoutMs} ms`);
      }
      if (chunk === "eof") return this.#handleEof(true);
      if (chunk instanceof Error) return this.#handleSocketError(chunk, true);
      return this.#handleData(chunk, true);
    } finally {
      this.#recvBusy = false;
    }
  }

  /** Switch between active ("parts" events) and passive (`recv`) delivery. */
  setMode(mode: "active" | "passive"): void {
    if (mode !== "active" && mode !== "passive") throw new TypeError(`mode must be "active" or "passive", got ${String(mode)}`);
    if (mode === this.#mode) return;
    this.#mode = mode;
    if (mode === "passive") {
      this.#socket.pause();
      return;
    }
    // Whatever passive mode read but nobody asked for is delivered first.
    const pending = this.#inbox.drain();
    process.nextTick(() => {
      for (let i = 0; i < pending.length; i++) {
        // close() (or the end) in a handler stops the replay: no event after "closed".
        if (this.#closedEmitted) return;
        // Back to passive before the replay ran (or from a handler): recv gets the rest, in order.
        if (this.#mode !== "active") {
          this.#inbox.prepend(pending.slice(i));
          return;
        }
        const item = pending[i]!;
        if (item === "eof") this.#handleEof(false);
        else if (item instanceof Error) this.#handleSocketError(item, false);
        else this.#handleData(item, false);
      }
      if (!this.#closedEmitted && this.#mode === "active" && !this.#writer.blocked) this.#socket.resume();
    });
  }

  /**
   * Close the connection (HTTP/2 sends GOAWAY first). Resolves once the socket is closed.
   *
   * The call is the end of the connection: "closed" is emitted (without an error) before
   * close() returns, unless the connection had already ended and said so, and no event —
   * "parts", "window" or "closed" — fires after it, in either mode, even when it is called
   * from inside a handler or while passive-mode bytes are being replayed after setMode.
   * Requests in flight get no further parts; a pending `recv` rejects with `closed`.
   */
  close(): Promise<void> {
    const socket = this.#socket;
    this.#closedByCaller = true;
    if (this.#engine.isOpen("read") || this.#engine.isOpen("write")) {
      try {
        this.#engine.close();
      } catch {
        // A failing engine is closed anyway.
      }
    }
    this.#flush();
    this.#writer.endSocket();
    this.#emitClosed(undefined);
    return new Promise((resolve) => {
      if (socket.closed) resolve();
      else socket.once("close", () => resolve());
    });
  }

  /** Whether the connection can still write requests ("write", default) or read responses ("read"). */
  isOpen(type: "read" | "write" = "write"): boolean {
    if (type !== "read" && type !== "write") throw new TypeError(`isOpen type must be "read" or "write", got ${String(type)}`);
    if (this.#socket.destroyed && this.#inbox.isEmpty) return false;
    if (type === "write" && !this.#socket.writable) return false;
    return this.#engine.isOpen(type);
  }

  /** Requests sent whose response has not ended (HTTP/2: client streams open). */
  openRequestCount(): number {
    return this.#engine.openRequestCount();
  }

  /** Bytes a streamed body may send now: the HTTP/2 send window, Infinity on HTTP/1. */
  requestBodyWindow(ref: RequestRef): number {
    return this.#engine.requestBodyWindow(ref);
  }

  /** Attach your own data to the connection under `key`. */
  putPrivate(key: string, value: unknown): void {
    this.#private.set(key, value);
  }

  /** The data stored under `key`, or `fallback`. */
  getPrivate<T = unknown>(key: string, fallback?: T): T | undefined {
    return this.#private.has(key) ? (this.#private.get(key) as T) : fallback;
  }

  /** Forget the data stored under `key`. */
  deletePrivate(key: string): void {
    this.#private.delete(key);
  }

  /** The socket: a tls.TLSSocket for https (read-only use, e.g. getPeerCertificate()). */
  getSocket(): Socket {
    return this.#socket;
  }

  /** Headers of the tunnel proxy's CONNECT reply; [] otherwise. */
  getProxyHeaders(): Headers {
    return this.#proxyHeaders.map(([n, v]) => [n, v]);
  }

  /** Turn debug logging of the connection's traffic on or off (stderr unless a function was given). */
  putLog(enabled: boolean): void {
    if (typeof enabled !== "boolean") throw new TypeError("putLog takes a boolean");
    this.#logEnabled = enabled;
    this.#applyLogSetting();
  }

  /**
   * HTTP/1: when the response to `ref` is 101 Switching Protocols (e.g. a WebSocket
   * upgrade), keep the socket open instead of closing it, so that `takeSocket()` can hand
   * it to the new protocol. Call it right after `request()`. The connection is finished for
   * HTTP either way ("closed" is emitted after the 101's parts). With `tunnel` true, `ref`
   * is a CONNECT request and a 2xx answer hands the socket over as well (RFC 9110 §9.3.6:
   * the connection becomes a tunnel).
   */
  holdSocketOnUpgrade(ref: RequestRef, tunnel = false): void {
    if (this.#engine.protocol !== "http1") throw new TypeError("holdSocketOnUpgrade() is only available on HTTP/1 connections");
    this.#upgradeRef = ref;
    this.#upgradeTunnel = tunnel === true;
  }

  /**
   * After a 101 (or a tunnel's 2xx) for the ref given to `holdSocketOnUpgrade`: detach the socket from this
   * connection and return it (paused, with no listeners of ours) and `head`, every byte
   * read past the 101 response head (the same bytes as that response's `data` part, if
   * any, followed by bytes read since). When `socket.readableEnded` is already true the
   * peer ended the stream after those bytes. Throws TypeError when no socket is held.
   */
  takeSocket(): { socket: Socket; head: Uint8Array } {
    const held = this.#held;
    if (held === undefined) throw new TypeError("takeSocket() needs a 101 response to a request passed to holdSocketOnUpgrade()");
    this.#held = undefined;
    const socket = this.#socket;
    for (const item of this.#inbox.drain()) if (item instanceof Uint8Array) held.head.push(item);
    for (const [event, fn] of this.#listeners) socket.off(event, fn);
    this.#listeners.length = 0;
    const size = held.head.reduce((n, c) => n + c.length, 0);
    const head = held.head.length === 1 ? held.head[0]! : Buffer.concat(held.head, size);
    return { socket, head };
  }

  #listen(event: string, fn: (...args: any[]) => void): void {
    this.#socket.on(event, fn);
    this.#listeners.push([event, fn]);
  }

  // HTTP/2 methods, present when protocol === "http2".

  /** HTTP/2: send a PING; a "pong" part with the returned ref answers it. */
  ping(payload?: Uint8Array): RequestRef {
    this.#checkWritable();
    const ref = this.#h2("ping").ping(payload);
    this.#flush();
    return ref;
  }

  /** HTTP/2: send SETTINGS; applied once the server acknowledges them. */
  putSettings(settings: Partial<HTTP2Settings>): void {
    this.#checkWritable();
    this.#h2("putSettings").putSettings(settings);
    this.#flush();
  }

  /** HTTP/2: a setting the server advertised (or the RFC default until it does). */
  getServerSetting(name: keyof HTTP2Settings): number | boolean {
    return this.#h2("getServerSetting").getServerSetting(name);
  }

  /** HTTP/2: a setting we advertised. */
  getClientSetting(name: keyof HTTP2Settings): number | boolean {
    return this.#h2("getClientSetting").getClientSetting(name);
  }

  /** HTTP/2: reset the request's stream with CANCEL; later frames for it are dropped. */
  cancelRequest(ref: RequestRef): void {
    this.#h2("cancelRequest").cancelRequest(ref);
    if (!this.#socket.destroyed) this.#flush();
  }

  /**
   * HTTP/2: per-request back-pressure. `hold` true stops refilling the request's receive
   * window: no WINDOW_UPDATE goes out for its stream, so the server pauses it once the window
   * (`clientSettings.initialWindowSize`, 4 MiB by default) is used up, while the connection
   * window is still refilled and other requests go on. `hold` false releases it: the refill
   * that is due is sent at once. A no-op for a request that has ended.
   * Errors: TypeError on an HTTP/1 connection or when `hold` is not a boolean.
   */
  holdReceiveWindow(ref: RequestRef, hold: boolean): void {
    this.#h2("holdReceiveWindow").holdReceiveWindow(ref, hold);
    if (!this.#socket.destroyed) this.#flush();
  }

  /** HTTP/2: the send window of the connection or of a request. */
  getWindowSize(target: "connection" | { request: RequestRef }): number {
    return this.#h2("getWindowSize").getWindowSize(target);
  }

  /** HTTP/2: grow the receive window of the connection or of a request (WINDOW_UPDATE). */
  setWindowSize(target: "connection" | { request: RequestRef }, size: number): void {
    this.#checkWritable();
    this.#h2("setWindowSize").setWindowSize(target, size);
    this.#flush();
  }

  #h2(method: string): HTTP2Engine {
    if (this.#engine.protocol !== "http2") throw new TypeError(`${method}() is only available on HTTP/2 connections`);
    return this.#engine as HTTP2Engine;
  }

  #checkWritable(): void {
    if (this.#failure !== undefined) {
      throw new HTTPError(this.protocol, "closed", `the connection to ${this.#where} is closed (${this.#failure.message})`);
    }
    // The socket is gone but the engine has not heard of it yet (a passive caller has not
    // read the end): nothing can be sent. A closed engine throws its own HTTPError `closed`.
    if (this.#socket.destroyed && this.#engine.isOpen("write")) {
      throw new TransportError("closed", `the connection to ${this.#where} is closed; read the rest with recv() or open a new connection`);
    }
  }

  // Socket events.

  #onData(chunk: Buffer): void {
    if (this.#logEnabled) this.#log(`< ${chunk.length} bytes`);
    if (this.#held !== undefined) {
      this.#held.head.push(chunk);
      this.#socket.pause();
      return;
    }
    if (this.#mode === "passive" || !this.#inbox.isEmpty) {
      this.#socket.pause();
      this.#inbox.push(chunk);
      return;
    }
    this.#handleData(chunk, false);
  }

  #onEnd(): void {
    if (this.#logEnabled) this.#log("< end of stream");
    if (this.#held !== undefined) return;
    if (this.#mode === "passive" || !this.#inbox.isEmpty) this.#inbox.push("eof");
    else this.#handleEof(false);
  }

  #onSocketError(err: Error): void {
    if (this.#logEnabled) this.#log(`socket error: ${err.message}`);
    const error = socketError(err, this.#where);
    if (this.#mode === "passive" || !this.#inbox.isEmpty) this.#inbox.push(error);
    else this.#handleSocketError(error, false);
  }

  #onSocketClose(): void {
    if (this.#held !== undefined) return;
    // A close without 'end' or 'error' (e.g. destroyed by us) still ends the engine.
    if (this.#mode === "passive" || !this.#inbox.isEmpty) {
      this.#inbox.push("eof");
      return;
    }
    if (!this.#closedEmitted) this.#handleEof(false);
  }

  // Feeding the engine.

  #handleData(chunk: Uint8Array, passive: boolean): ResponsePart[] {
    let parts: ResponsePart[];
    const open = this.#engine.openRequestCount();
    try {
      const sliced = chunk.length > FEED_SLICE && this.#engine.protocol === "http2";
      parts = this.#engine.receive(sliced ? chunk.subarray(0, FEED_SLICE) : chunk);
      // A large passive HTTP/2 read is fed in slices, each one's answers written before the
      // next, so the engine's count of queued acknowledgements sees one socket read's worth.
      for (let off = FEED_SLICE; sliced && off < chunk.length; off += FEED_SLICE) {
        const written = this.#flush();
        if (written > 0) this.#writer.noteAutoWrites(written);
        try {
          parts.push(...this.#engine.receive(chunk.subarray(off, off + FEED_SLICE)));
        } catch (err) {
          if (err instanceof MintError) err.parts = [...parts, ...(err.parts ?? [])];
          throw err;
        }
      }
    } catch (err) {
      return this.#terminate(err, passive);
    }
    const written = this.#flush();
    if (written > 0) this.#writer.noteAutoWrites(written);
    // More than one request ended: those sent in their place leave together.
    if (open - this.#engine.openRequestCount() > 1) this.#writer.gatherThisTick();
    const out = this.#deliver(parts, passive);
    if (this.#engine.takeSendWindowGrowth?.() === true && !passive && !this.#closedEmitted) this.emit("window");
    return out;
  }

  #handleEof(passive: boolean): ResponsePart[] {
    if (this.#closedEmitted) {
      if (passive) throw this.#failure ?? new HTTPError(this.protocol, "closed", `the connection to ${this.#where} is closed`);
      return [];
    }
    let parts: ResponsePart[];
    try {
      parts = this.#engine.receiveEof();
    } catch (err) {
      return this.#terminate(err, passive);
    }
    this.#socket.destroy();
    const out = this.#deliver(parts, passive);
    this.#emitClosed(undefined);
    return out;
  }

  #handleSocketError(error: TransportError, passive: boolean): ResponsePart[] {
    if (this.#closedEmitted) {
      if (passive) throw this.#failure ?? error;
      return [];
    }
    let parts: ResponsePart[] = [];
    try {
      parts = this.#engine.fail(error);
    } catch {
      // The engine is closed either way.
    }
    error.parts = parts;
    return this.#terminate(error, passive);
  }

  #deliver(parts: ResponsePart[], passive: boolean): ResponsePart[] {
    if (!this.#engine.isOpen("read") && !this.#closedEmitted) {
      // The protocol is done with this socket (connection: close, GOAWAY drained, 101).
      if (this.#isHeldUpgrade(parts)) this.#flush();
      else this.#finishSocket();
      if (!passive) {
        if (parts.length > 0) this.emit("parts", parts);
        this.#emitClosed(undefined);
        return parts;
      }
      this.#emitClosed(undefined);
      return parts;
    }
    if (!passive && parts.length > 0 && !this.#closedEmitted) this.emit("parts", parts);
    return parts;
  }

  /** A 101 answered the request given to holdSocketOnUpgrade: pause and keep the socket. */
  #isHeldUpgrade(parts: ResponsePart[]): boolean {
    const ref = this.#upgradeRef;
    const tunnel = this.#upgradeTunnel;
    // RFC 9110 §15.2.2: 101 switches protocols; §9.3.6: a 2xx to CONNECT makes a tunnel.
    if (ref === undefined || !parts.some((p) => p.type === "status" && p.ref === ref && (p.status === 101 || (tunnel && p.status >= 200 && p.status < 300)))) return false;
    const head: Uint8Array[] = [];
    for (const p of parts) if (p.type === "data" && p.ref === ref) head.push(p.data);
    this.#held = { head };
    this.#socket.pause();
    return true;
  }

  #terminate(err: unknown, passive: boolean): ResponsePart[] {
    const error = err instanceof MintError ? err : new TransportError("closed", `unexpected failure: ${String(err)}`, undefined, { cause: err });
    this.#failure = error;
    this.#finishSocket();
    if (passive) {
      this.#emitClosed(error);
      throw error;
    }
    if (error.parts !== undefined && error.parts.length > 0 && !this.#closedEmitted) this.emit("parts", error.parts);
    this.#emitClosed(error);
    return [];
  }

  /** Flush what the engine queued (e.g. GOAWAY), then close the socket. */
  #finishSocket(): void {
    this.#flush();
    this.#writer.endSocket();
  }

  #emitClosed(error: MintError | undefined): void {
    if (this.#closedEmitted) return;
    this.#closedEmitted = true;
    if (this.#logEnabled) this.#log(`closed${error ? `: ${error.message}` : ""}`);
    if (this.listenerCount("closed") > 0) this.emit("closed", error);
  }

  #flush(): number {
    return this.#writer.flush();
  }

  /** Writes are logged only while logging is on. */
  #applyLogSetting(): void {
    this.#writer.log = this.#logEnabled ? (line) => this.#log(line) : undefined;
  }

  #log(line: string): void {
    if (!this.#logEnabled) return;
    const text = `[mint-http #${this.#id} ${this.protocol}] ${line}`;
    if (this.#logSink !== undefined) this.#logSink(text);
    else process.stderr.write(text + "\n");
  }
}
