// The sans-IO WebSocket codec (RFC 6455 §5-§7): frames in, events out; messages in, frames out.
//
// How this works: the shell feeds received bytes to `receive()` and gets events (text,
// binary, ping, pong, close); it writes what `takeOutgoing()` returns. The codec answers
// pings itself and echoes the peer's close frame. States (RFC 6455 §7):
//   open        -> `close()` sent our close: closing; peer's close: echoed, closed-wait
//   closing     -> peer's close: closed-wait (the shell's timer may end it: 1006)
//   closed-wait -> the transport ends (`receiveEof()`): closed, the "close" event
//   closed      -> terminal
// A violation by the peer never throws: the codec queues a close frame with the RFC's code
// (1002, 1007, 1009), moves to closed-wait with `wasClean: false`, and `shouldEndTransport()`
// tells the shell to end the socket or stream. A client otherwise waits for the server to
// end the TCP connection (RFC 6455 §7.1.1); `closeExpected()` tells the shell to arm a timer.
// When a negotiated extension decodes a message asynchronously, parsing pauses: `pending`
// is a promise; once it settles the shell calls `receive()` again (with no bytes) to go on.

import { HTTPError } from "../../errors.js";
import { decodeClose, encodeClose } from "./close.js";
import { CloseCode, WebSocketProtocolError } from "./errors.js";
import type { Extension } from "./extension.js";
import { type FrameHeader, Opcode, checkHeader, isControl } from "./frame-header.js";
import { FrameReader, type FrameSink } from "./frame-reader.js";
import { encodeFrame } from "./frame-writer.js";
import { MaskKeys, type RandomFill, applyMask } from "./mask.js";
import { MessageAssembler, joinPieces } from "./messages.js";
import { Utf8Validator } from "./utf8.js";

export type CloseInfo = { code: number; reason: string; wasClean: boolean };
export type CodecEvent =
  | { type: "text"; data: string }
  | { type: "binary"; data: Uint8Array }
  | { type: "ping"; data: Uint8Array }
  | { type: "pong"; data: Uint8Array }
  | ({ type: "close" } & CloseInfo);

export type CodecState = "open" | "closing" | "closed-wait" | "closed";

export interface CodecOptions {
  /** "client" masks what it sends and refuses masked frames; "server" the reverse. */
  role: "client" | "server";
  /** Random source for masking keys (required for a client). */
  randomFill?: RandomFill;
  /** Largest message accepted, after decoding (default 64 MiB); larger: close 1009. */
  maxMessageSize?: number;
  /** Most frames in one message (default 1,000,000); more: close 1009. */
  maxFragments?: number;
  /** Negotiated extensions (at most one per RSV bit). */
  extensions?: Extension[];
}

export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
export const DEFAULT_MAX_FRAGMENTS = 1_000_000;

const EMPTY = new Uint8Array(0);
const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

export class WebSocketCodec {
  readonly role: "client" | "server";
  readonly #keys: MaskKeys | null;
  readonly #maxSize: number;
  readonly #extensions: Extension[];
  readonly #allowedRsv: number;
  readonly #reader = new FrameReader();
  readonly #message: MessageAssembler;
  #state: CodecState = "open";
  #out: Uint8Array[] = [];
  #events: CodecEvent[] = [];
  #closeSent = false;
  #closeInfo: CloseInfo | null = null;
  #failed = false;
  /** Set once the peer's close frame was read: later bytes are ignored. */
  #peerClosed = false;
  /** The frame being read. */
  #frame: FrameHeader | null = null;
  #framePos = 0;
  #control: Uint8Array[] = [];
  /** An asynchronous decode in progress; parsing resumes once it settles. */
  #pending: Promise<void> | null = null;

  constructor(opts: CodecOptions) {
    this.role = opts.role;
    if (opts.role === "client" && opts.randomFill === undefined) throw new TypeError("a client codec needs randomFill for masking keys");
    this.#keys = opts.role === "client" ? new MaskKeys(opts.randomFill!) : null;
    const maxSize = opts.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    const maxFragments = opts.maxFragments ?? DEFAULT_MAX_FRAGMENTS;
    if (!(maxSize > 0)) throw new TypeError("maxMessageSize must be a positive number");
    if (!(maxFragments > 0)) throw new TypeError("maxFragments must be a positive number");
    this.#maxSize = maxSize;
    this.#message = new MessageAssembler(maxSize, maxFragments);
    this.#extensions = opts.extensions ?? [];
    this.#allowedRsv = this.#extensions.reduce((bits, e) => bits | e.rsvBits, 0);
  }

  get state(): CodecState {
    return this.#state;
  }

  /** Set while an extension decodes a message; call `receive()` again once it settles. */
  get pending(): Promise<void> | null {
    return this.#pending;
  }

  /** The close information once known (our failure, or the closing handshake). */
  get closeInfo(): CloseInfo | null {
    return this.#closeInfo;
  }

  /** Whether the closing handshake started, so the shell should arm its close timer. */
  closeExpected(): boolean {
    return this.#state === "closing" || this.#state === "closed-wait";
  }

  /**
   * Whether the shell should end the transport now: after a failure, or (server role) once
   * the closing handshake is done (RFC 6455 §7.1.1: the server closes TCP first).
   */
  shouldEndTransport(): boolean {
    if (this.#state !== "closed-wait") return false;
    return this.#failed || this.role === "server";
  }

  /** Whether data messages may still be sent. */
  get canSend(): boolean {
    return this.#state === "open";
  }

  /** Outgoing bytes queued since the last call, in order. */
  takeOutgoing(): Uint8Array[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  // Sending.

  /** Queues a text (string) or binary message without extensions. Throws HTTPError `closed` after close. */
  send(data: string | Uint8Array, fragmentSize = Infinity): void {
    const isText = typeof data === "string";
    this.sendMessage(isText ? Opcode.TEXT : Opcode.BINARY, isText ? textEncoder.encode(data) : data, 0, fragmentSize);
  }

  /**
   * Queues a data message as one or more frames (RFC 6455 §5.4); `rsv` goes on the first
   * frame only (RFC 7692 §6). Throws HTTPError `closed` once our close frame is sent.
   */
  sendMessage(opcode: number, payload: Uint8Array, rsv = 0, fragmentSize = Infinity): void {
    this.#checkSend();
    if (!(fragmentSize >= 1)) throw new TypeError("fragmentSize must be at least 1");
    if (payload.length <= fragmentSize) {
      this.#frameOut(true, rsv, opcode, payload);
      return;
    }
    for (let at = 0; at < payload.length; at += fragmentSize) {
      const end = Math.min(payload.length, at + fragmentSize);
      this.#frameOut(end === payload.length, at === 0 ? rsv : 0, at === 0 ? opcode : Opcode.CONTINUATION, payload.subarray(at, end));
    }
  }

  /** Queues a ping (payload ≤ 125 bytes, RFC 6455 §5.5). */
  ping(payload: Uint8Array = EMPTY): void {
    this.#checkSend();
    if (payload.length > 125) throw new TypeError(`a ping payload is at most 125 bytes, got ${payload.length}`);
    this.#frameOut(true, 0, Opcode.PING, payload);
  }

  /** Queues an unsolicited pong (RFC 6455 §5.5.3). */
  pong(payload: Uint8Array = EMPTY): void {
    this.#checkSend();
    if (payload.length > 125) throw new TypeError(`a pong payload is at most 125 bytes, got ${payload.length}`);
    this.#frameOut(true, 0, Opcode.PONG, payload);
  }

  /**
   * Starts the closing handshake (RFC 6455 §7.1.2). Throws TypeError for a code that may not
   * be sent or a reason over 123 bytes. Does nothing once our close frame was sent.
   */
  close(code?: number, reason?: string): void {
    const payload = encodeClose(code, reason);
    if (this.#closeSent || this.#state === "closed") return;
    this.#frameOut(true, 0, Opcode.CLOSE, payload);
    this.#closeSent = true;
    if (this.#state === "open") this.#state = "closing";
  }

  #checkSend(): void {
    if (this.#closeSent || this.#state === "closed") throw new HTTPError("websocket", "closed", "the WebSocket is closing or closed; nothing more can be sent");
  }

  #frameOut(fin: boolean, rsv: number, opcode: number, payload: Uint8Array): void {
    encodeFrame(this.#out, fin, rsv, opcode, payload, this.#keys);
  }

  // Receiving.

  /** Parses received bytes; returns the events they complete. Never throws for peer errors. */
  receive(data: Uint8Array): CodecEvent[] {
    if (this.#state === "closed" || this.#failed || this.#peerClosed) return this.#takeEvents();
    if (this.#pending !== null) {
      this.#reader.hold(data);
      return this.#takeEvents();
    }
    try {
      this.#reader.feed(data, this.#sink);
    } catch (err) {
      this.#fail(err);
    }
    return this.#takeEvents();
  }

  /** The transport ended (TCP FIN or the end of the HTTP/2 stream): the close event. */
  receiveEof(): CodecEvent[] {
    return this.#finish(false);
  }

  /** The shell's close timer expired: the transport is given up (close event). */
  timeout(): CodecEvent[] {
    return this.#finish(true);
  }

  /** Failure of the transport (reset, TLS error): the close event with 1006. */
  transportFailed(): CodecEvent[] {
    return this.#finish(false);
  }

  #finish(_timedOut: boolean): CodecEvent[] {
    if (this.#state === "closed") return this.#takeEvents();
    // RFC 6455 §7.1.5/§7.4.1: no closing handshake -> 1006, not clean
    const info = this.#closeInfo ?? { code: CloseCode.ABNORMAL, reason: "", wasClean: false };
    this.#closeInfo = info;
    this.#state = "closed";
    for (const e of this.#extensions) e.close();
    this.#events.push({ type: "close", ...info });
    return this.#takeEvents();
  }

  #takeEvents(): CodecEvent[] {
    const ev = this.#events;
    if (ev.length === 0) return [];
    this.#events = [];
    return ev;
  }

  /** RFC 6455 §7.1.7: fail the connection: send a close with the code, stop reading. */
  #fail(err: unknown): void {
    const e = err instanceof WebSocketProtocolError ? err : new WebSocketProtocolError(1011, "internal_error", `unexpected failure: ${String(err)}`);
    this.#failed = true;
    this.#pending = null;
    if (!this.#closeSent) {
      this.#frameOut(true, 0, Opcode.CLOSE, encodeClose(e.closeCode, ""));
      this.#closeSent = true;
    }
    this.#closeInfo = { code: e.closeCode, reason: e.message, wasClean: false };
    this.#state = "closed-wait";
  }

  readonly #sink: FrameSink = {
    header: (h) => {
      checkHeader(h, this.role, this.#allowedRsv, this.#message.inMessage);
      this.#frame = h;
      this.#framePos = 0;
      if (!isControl(h.opcode)) this.#message.frame(h.opcode, h.rsv, h.length);
    },
    payload: (data, start, end, last) => {
      const h = this.#frame!;
      let piece = data.subarray(start, end);
      if (h.mask !== null && piece.length > 0) {
        const copy = new Uint8Array(piece.length);
        applyMask(piece, 0, piece.length, h.mask, this.#framePos, copy, 0);
        piece = copy;
      }
      this.#framePos += piece.length;
      if (isControl(h.opcode)) {
        if (piece.length > 0) this.#control.push(piece);
        if (last) this.#onControl(h.opcode, joinPieces(this.#control, this.#framePos));
        return !this.#peerClosed;
      }
      this.#message.add(piece);
      if (last && h.fin) return this.#onMessageEnd();
      return true;
    },
  };

  #onControl(opcode: number, payload: Uint8Array): void {
    this.#control = [];
    if (opcode === Opcode.PING) {
      this.#events.push({ type: "ping", data: payload });
      // RFC 6455 §5.5.2: answer with a pong carrying the same data, unless we are closing
      if (!this.#closeSent) this.#frameOut(true, 0, Opcode.PONG, payload);
      return;
    }
    if (opcode === Opcode.PONG) {
      this.#events.push({ type: "pong", data: payload });
      return;
    }
    // CLOSE (RFC 6455 §5.5.1)
    const { code, reason } = decodeClose(payload);
    if (!this.#closeSent) {
      // Echo the code received (RFC 6455 §5.5.1); a close without code is answered without one.
      this.#frameOut(true, 0, Opcode.CLOSE, code === CloseCode.NO_STATUS ? EMPTY : encodeClose(code, ""));
      this.#closeSent = true;
    }
    this.#closeInfo = { code, reason, wasClean: true };
    this.#state = "closed-wait";
    // Anything after a close frame is ignored (RFC 6455 §5.5.1).
    this.#peerClosed = true;
  }

  #onMessageEnd(): boolean {
    const m = this.#message.finish();
    if (m.rsv === 0) {
      this.#deliver(m.opcode, joinPieces(m.pieces, m.size));
      return true;
    }
    const ext = this.#extensions.find((e) => (e.rsvBits & m.rsv) !== 0)!;
    // RFC 6455 §8.1: decoded text is checked piece by piece as it is inflated (fail fast)
    const utf8 = m.opcode === Opcode.TEXT ? new Utf8Validator() : null;
    const check = utf8 === null ? undefined : (piece: Uint8Array): boolean => utf8.update(piece);
    const pending = ext.decode(m.pieces, m.rsv, this.#maxSize, check).then(
      (out) => {
        if (this.#pending !== pending) return;
        this.#pending = null;
        try {
          if (out === "too_big") throw new WebSocketProtocolError(CloseCode.TOO_BIG, "message_too_big", `a message is larger than maxMessageSize (${this.#maxSize} bytes) once decompressed`);
          if (out === "rejected" || (utf8 !== null && !utf8.complete)) throw new WebSocketProtocolError(CloseCode.INVALID_DATA, "invalid_utf8", "a compressed text message is not valid UTF-8");
          this.#deliver(m.opcode, out);
        } catch (err) {
          this.#fail(err);
        }
      },
      (err: unknown) => {
        if (this.#pending !== pending) return;
        this.#pending = null;
        // RFC 6455 §7.4.1: 1007 = data not consistent with the message (undecodable compressed data)
        this.#fail(new WebSocketProtocolError(CloseCode.INVALID_DATA, "invalid_compressed_data", `a compressed message could not be decoded: ${err instanceof Error ? err.message : String(err)}`));
      },
    );
    this.#pending = pending;
    return false;
  }

  /** Text was validated as it arrived (or was inflated). */
  #deliver(opcode: number, data: Uint8Array): void {
    if (opcode === Opcode.TEXT) {
      this.#events.push({ type: "text", data: textDecoder.decode(data) });
      return;
    }
    this.#events.push({ type: "binary", data });
  }
}
