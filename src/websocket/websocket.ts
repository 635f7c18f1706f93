// The WebSocket object: joins the sans-IO codec (core/websocket) to a byte pipe.
//
// How this works: received bytes go to the codec; its events are emitted ("message",
// "ping", "pong", "close") in active mode, or queued for `recv()` in passive mode, where
// the pipe is paused except while a `recv` waits. After every codec call the frames it
// queued (our messages, automatic pongs, the close echo) are written. Bytes that came with
// the handshake are fed first, and their events wait for the next tick (active) or the
// first `recv` (passive), so the caller has the object before anything is emitted.
// Closing (RFC 6455 §7): `close()` sends our close frame and arms the close timer; after
// the closing handshake a client waits for the server to end the transport (§7.1.1); when
// the codec failed the connection (1002/1007/1009) we end it ourselves and report the
// close at once. Over HTTP/2 the close is reported as soon as the closing handshake is
// done (see #after). The timer gives up on a silent peer (1006 unless the handshake completed). The "close" event is
// emitted once; no "error" event is ever emitted.
// With permessage-deflate, sends are compressed asynchronously: a chain keeps messages,
// pings and the close frame in the order they were asked for.

import { EventEmitter } from "node:events";
import { HTTPError, TransportError } from "../errors.js";
import type { Protocol } from "../types.js";
import { type CloseInfo, type CodecEvent, Opcode, type PerMessageDeflate, type WebSocketCodec } from "../core/websocket/index.js";
import type { Pipe } from "./pipe.js";

export type WebSocketEvent = CodecEvent;
export type { CloseInfo };

export interface WebSocketInit {
  codec: WebSocketCodec;
  pipe: Pipe;
  protocol: string;
  extensions: string;
  httpVersion: Protocol;
  mode: "active" | "passive";
  deflate: PerMessageDeflate | null;
  /** Bytes read past the handshake. */
  head: Uint8Array;
  /** How long to wait for the closing handshake and the transport's end, in ms. */
  closeTimeout: number;
  /** Called once after the close event. */
  onClosed?: () => void;
}

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/** A WebSocket connection (RFC 6455) over HTTP/1.1 or one HTTP/2 stream (RFC 8441). */
export class WebSocket extends EventEmitter {
  /** The agreed subprotocol, "" when none. */
  readonly protocol: string;
  /** The agreed Sec-WebSocket-Extensions, "" when none. */
  readonly extensions: string;
  /** "http1" or "http2". */
  readonly httpVersion: Protocol;
  readonly #codec: WebSocketCodec;
  readonly #pipe: Pipe;
  readonly #deflate: PerMessageDeflate | null;
  readonly #closeTimeout: number;
  readonly #onClosed: (() => void) | undefined;
  #mode: "active" | "passive";
  /** Events not yet handed to the caller (passive mode, or before the first tick). */
  #queue: WebSocketEvent[] = [];
  #ready = false;
  #closeInfo: CloseInfo | null = null;
  #closeReturned = false;
  #closeWaiters: Array<(info: CloseInfo) => void> = [];
  #recvWaiter: (() => void) | null = null;
  #recvBusy = false;
  #timer: NodeJS.Timeout | undefined;
  #endedOurSide = false;
  #sendTail: Promise<void> | null = null;
  #sendPending = 0;
  /** Bytes of data messages given to send() that wait in the compression chain. */
  #chainBytes = 0;
  #inflating = false;

  constructor(init: WebSocketInit) {
    super();
    this.protocol = init.protocol;
    this.extensions = init.extensions;
    this.httpVersion = init.httpVersion;
    this.#codec = init.codec;
    this.#pipe = init.pipe;
    this.#deflate = init.deflate;
    this.#mode = init.mode;
    this.#closeTimeout = init.closeTimeout;
    this.#onClosed = init.onClosed;
    this.#pipe.pause();
    this.#pipe.attach({
      data: (chunk) => this.#after(this.#codec.receive(chunk)),
      end: () => this.#after(this.#codec.receiveEof()),
      failed: () => this.#after(this.#codec.transportFailed()),
    });
    if (init.head.length > 0) this.#after(this.#codec.receive(init.head));
    process.nextTick(() => {
      this.#ready = true;
      if (this.#mode === "active") {
        this.#emitQueued();
        if (!this.#inflating && this.#closeInfo === null) this.#pipe.resume();
      }
    });
  }

  /**
   * Bytes accepted by `send`, `ping` and `close` that are not yet written to the socket (HTTP/1.1)
   * or to the HTTP/2 stream: messages waiting to be compressed (counted uncompressed), frames
   * waiting for the stream's send window, and the socket's write buffer. `send` never drops
   * or refuses data for being buffered: callers that produce faster than the network takes
   * should wait while this is high (for example, poll it before sending more). 0 once closed.
   */
  get bufferedAmount(): number {
    if (this.#closeInfo !== null) return 0;
    return this.#chainBytes + this.#pipe.bufferedAmount;
  }

  /**
   * Sends a text (string) or binary (bytes) message.
   * Errors: HTTPError `closed` once the closing handshake started; TypeError for other types.
   */
  send(data: string | Uint8Array): void {
    const isText = typeof data === "string";
    if (!isText && !(data instanceof Uint8Array)) throw new TypeError("send() takes a string or a Uint8Array");
    this.#checkOpen();
    const opcode = isText ? Opcode.TEXT : Opcode.BINARY;
    const bytes = isText ? encoder.encode(data) : data;
    if (this.#deflate === null) {
      this.#codec.sendMessage(opcode, bytes);
      this.#flush();
      return;
    }
    const encoded = this.#deflate.encode(bytes);
    if (!(encoded instanceof Promise) && this.#sendPending === 0) {
      this.#codec.sendMessage(opcode, encoded.data, encoded.rsv);
      this.#flush();
      return;
    }
    this.#chainBytes += bytes.length;
    this.#chain(async () => {
      try {
        const e = await encoded;
        if (this.#codec.canSend) this.#codec.sendMessage(opcode, e.data, e.rsv);
      } finally {
        this.#chainBytes -= bytes.length;
      }
    });
  }

  /** Sends a ping (payload ≤ 125 bytes); the "pong" comes back as an event. Errors: as `send`. */
  ping(payload: Uint8Array = EMPTY): void {
    if (!(payload instanceof Uint8Array)) throw new TypeError("ping() takes a Uint8Array");
    if (payload.length > 125) throw new TypeError(`a ping payload is at most 125 bytes, got ${payload.length}`);
    this.#checkOpen();
    if (this.#sendPending > 0) {
      this.#chain(() => {
        if (this.#codec.canSend) this.#codec.ping(payload);
      });
      return;
    }
    this.#codec.ping(payload);
    this.#flush();
  }

  /**
   * Starts the closing handshake (RFC 6455 §7.1.2) and resolves with the CloseInfo once it
   * ends (or the close timer gives up: 1006). Resolves at once when already closed.
   * TypeError for a code that may not be sent (1005, 1006, 1015, outside 1000-4999) or a reason over 123 bytes.
   */
  close(code?: number, reason?: string): Promise<CloseInfo> {
    if (code !== undefined && (!Number.isInteger(code) || !((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)))) {
      throw new TypeError(`close code ${String(code)} may not be sent (RFC 6455 §7.4: 1000-1003, 1007-1014, 3000-4999)`);
    }
    if (reason !== undefined && code === undefined) throw new TypeError("a close reason needs a close code");
    if (reason !== undefined && encoder.encode(reason).length > 123) throw new TypeError("a close reason is at most 123 bytes of UTF-8");
    if (this.#closeInfo !== null) return Promise.resolve(this.#closeInfo);
    const done = new Promise<CloseInfo>((resolve) => this.#closeWaiters.push(resolve));
    const send = (): void => {
      if (this.#closeInfo !== null) return;
      this.#codec.close(code, reason);
      this.#flush();
      this.#armCloseTimer();
      // A passive caller may not be reading: keep reading until the handshake ends.
      this.#pipe.resume();
    };
    if (this.#sendPending > 0) this.#chain(send);
    else send();
    return done;
  }

  /**
   * Passive mode: resolves with the events received (waiting for at least one). Errors:
   * TransportError `timeout` (the WebSocket lives on); HTTPError `closed` once the close
   * event was returned; TypeError in active mode or when a recv is already waiting.
   */
  async recv(timeoutMs = Infinity): Promise<WebSocketEvent[]> {
    if (this.#mode !== "passive") throw new TypeError('recv() can only be used in passive mode (mode: "passive")');
    if (!(timeoutMs >= 0)) throw new TypeError("recv timeoutMs must be a non-negative number");
    if (this.#recvBusy) throw new TypeError("recv() is already waiting on this WebSocket");
    if (this.#queue.length === 0 && this.#closeReturned) throw new HTTPError("websocket", "closed", "the WebSocket is closed; its close event was already returned");
    this.#recvBusy = true;
    try {
      if (this.#queue.length === 0) {
        const arrived = await new Promise<boolean>((resolve) => {
          const timer = Number.isFinite(timeoutMs) ? setTimeout(() => finish(false), Math.min(timeoutMs, 2 ** 31 - 1)) : undefined;
          const finish = (ok: boolean): void => {
            if (timer !== undefined) clearTimeout(timer);
            this.#recvWaiter = null;
            if (this.#closeInfo === null && !this.#closeStarted()) this.#pipe.pause();
            resolve(ok);
          };
          this.#recvWaiter = () => finish(true);
          if (!this.#inflating) this.#pipe.resume();
        });
        if (!arrived) throw new TransportError("timeout", `no WebSocket message within ${timeoutMs} ms`);
      }
      const out = this.#queue;
      this.#queue = [];
      if (out.some((e) => e.type === "close")) this.#closeReturned = true;
      return out;
    } finally {
      this.#recvBusy = false;
    }
  }

  #closeStarted(): boolean {
    return this.#codec.closeExpected();
  }

  #checkOpen(): void {
    if (!this.#codec.canSend || this.#closeInfo !== null) throw new HTTPError("websocket", "closed", "the WebSocket is closing or closed; nothing more can be sent");
  }

  #chain(step: () => void | Promise<void>): void {
    this.#sendPending++;
    const run = async (): Promise<void> => {
      try {
        await step();
      } catch {
        // A compressor failure: the message is dropped and the WebSocket fails below.
        if (this.#closeInfo === null && this.#codec.canSend) this.#codec.close(1011);
      } finally {
        this.#sendPending--;
        this.#flush();
      }
    };
    this.#sendTail = (this.#sendTail ?? Promise.resolve()).then(run);
  }

  #flush(): void {
    const out = this.#codec.takeOutgoing();
    if (out.length > 0) this.#pipe.write(out);
  }

  /** After every codec call: write its frames, hand over its events, follow its state. */
  #after(events: CodecEvent[]): void {
    this.#flush();
    for (const e of events) {
      if (e.type === "close") this.#onClose(e);
      this.#queue.push(e);
    }
    if (this.#codec.pending !== null && !this.#inflating) {
      this.#inflating = true;
      this.#pipe.pause();
      void this.#codec.pending.then(() => {
        this.#inflating = false;
        this.#after(this.#codec.receive(EMPTY));
        if (!this.#inflating && this.#wantsData()) this.#pipe.resume();
      });
    }
    if (this.#codec.shouldEndTransport() && !this.#endedOurSide && this.#closeInfo === null) {
      // RFC 6455 §7.1.7: we failed the connection: close the transport and report the close
      // now (the pipe lets the close frame go out before it lets go of the socket or stream)
      this.#endedOurSide = true;
      this.#pipe.end();
      for (const e of this.#codec.timeout()) {
        if (e.type === "close") this.#onClose(e);
        this.#queue.push(e);
      }
    }
    if (this.httpVersion === "http2" && this.#codec.state === "closed-wait" && this.#closeInfo === null) {
      // RFC 8441 §5: the stream's END_STREAM stands for TCP's FIN. With the closing handshake
      // done there is no TIME_WAIT to leave to the server (RFC 6455 §7.1.1 lets the client
      // close after sending and receiving a close): end our side now and report the close.
      // The pipe waits a moment for the server's END_STREAM, then resets the stream (some
      // servers never end it, which would hold the stream and the close open until the timer).
      for (const e of this.#codec.receiveEof()) {
        if (e.type === "close") this.#onClose(e);
        this.#queue.push(e);
      }
    }
    if (this.#codec.closeExpected()) this.#armCloseTimer();
    if (this.#queue.length > 0) this.#deliver();
  }

  #wantsData(): boolean {
    if (this.#closeInfo !== null) return false;
    if (this.#mode === "active") return this.#ready;
    return this.#recvWaiter !== null || this.#codec.closeExpected();
  }

  #deliver(): void {
    if (this.#mode === "passive") {
      this.#recvWaiter?.();
      return;
    }
    if (this.#ready) this.#emitQueued();
  }

  #emitQueued(): void {
    while (this.#queue.length > 0) {
      const e = this.#queue.shift()!;
      switch (e.type) {
        case "text":
          this.emit("message", e.data, false);
          break;
        case "binary":
          this.emit("message", e.data, true);
          break;
        case "ping":
        case "pong":
          this.emit(e.type, e.data);
          break;
        case "close":
          this.#closeReturned = true;
          this.emit("close", { code: e.code, reason: e.reason, wasClean: e.wasClean });
          break;
      }
    }
  }

  #armCloseTimer(): void {
    if (this.#timer !== undefined || this.#closeInfo !== null) return;
    this.#timer = setTimeout(() => this.#after(this.#codec.timeout()), this.#closeTimeout);
    this.#timer.unref?.();
  }

  #onClose(e: CloseInfo): void {
    this.#closeInfo = { code: e.code, reason: e.reason, wasClean: e.wasClean };
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#pipe.end();
    this.#pipe.destroy();
    const waiters = this.#closeWaiters;
    this.#closeWaiters = [];
    for (const w of waiters) w(this.#closeInfo);
    this.#onClosed?.();
  }
}
