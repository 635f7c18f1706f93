// The byte pipe under a WebSocket: a socket (HTTP/1.1 after the 101) or one HTTP/2 stream
// (RFC 8441, the stream of the extended CONNECT).
//
// How this works: both pipes offer the same small surface to websocket.ts: write chunks,
// end our side, destroy, pause/resume reading, and report data, end and failure through
// the handlers given to `attach`. The socket pipe maps these onto a net.Socket. The stream
// pipe writes with `streamRequestBody`, never more than the stream's HTTP/2 send window
// (the rest waits for the connection's "window" event), ends with EOF (END_STREAM) and
// destroys with `cancelRequest` (RST_STREAM), so the connection itself stays open.
// Back-pressure on the stream pipe: received DATA that the WebSocket has not taken yet
// (a passive WebSocket between `recv` calls, an active one while a message is inflated) is
// kept here; past HOLD_AT bytes the stream's receive window is held (`holdReceiveWindow`),
// so the server stops once its window is used up, and it is released once the WebSocket has
// taken the kept data back below HOLD_AT. Memory per stream stays below HOLD_AT plus the
// stream's receive window (`clientSettings.initialWindowSize`).

import type { Socket } from "node:net";
import type { Connection } from "../index.js";
import { EOF, type RequestRef, type ResponsePart } from "../types.js";
import type { MintError } from "../errors.js";

export interface PipeHandlers {
  data(chunk: Uint8Array): void;
  /** The peer ended the stream (TCP FIN, END_STREAM) or it closed. */
  end(): void;
  /** The transport failed (reset, connection error). */
  failed(err: unknown): void;
}

export interface Pipe {
  attach(h: PipeHandlers): void;
  write(chunks: Uint8Array[]): void;
  end(): void;
  destroy(): void;
  pause(): void;
  resume(): void;
  /** Bytes given to `write` and not yet written to the socket or the HTTP/2 stream. */
  readonly bufferedAmount: number;
}

/** How long a socket whose write side we ended waits for the peer's FIN before it is destroyed. */
const LINGER_MS = 2000;

/** A pipe over a socket taken from an HTTP/1.1 connection after its 101. */
export class SocketPipe implements Pipe {
  readonly #socket: Socket;
  #ended = false;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay?.(true);
  }

  attach(h: PipeHandlers): void {
    const s = this.#socket;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      h.end();
    };
    s.on("data", (c: Buffer) => h.data(c));
    s.on("end", end);
    s.on("error", (err) => {
      if (!ended) {
        ended = true;
        h.failed(err);
      }
    });
    s.on("close", end);
    // The peer ended the stream before we took the socket (head bytes then FIN).
    if (s.readableEnded || s.destroyed) queueMicrotask(end);
  }

  write(chunks: Uint8Array[]): void {
    const s = this.#socket;
    if (s.destroyed || this.#ended) return;
    if (chunks.length === 1) {
      s.write(chunks[0]!);
      return;
    }
    s.cork();
    for (const c of chunks) s.write(c);
    s.uncork();
  }

  end(): void {
    this.#ended = true;
    if (!this.#socket.destroyed) this.#socket.end();
  }

  /**
   * Releases the socket. When our side was ended first (we failed the connection), the
   * socket lingers: it keeps reading so the peer's FIN closes it, and is destroyed after
   * LINGER_MS at most, so the close frame is not lost to a reset.
   */
  destroy(): void {
    const s = this.#socket;
    if (s.destroyed) return;
    if (!this.#ended || s.readableEnded) {
      s.destroy();
      return;
    }
    const timer = setTimeout(() => s.destroy(), LINGER_MS);
    timer.unref?.();
    s.once("close", () => clearTimeout(timer));
    s.resume();
  }

  pause(): void {
    this.#socket.pause();
  }

  /** The socket's write buffer (bytes Node has not yet handed to the operating system). */
  get bufferedAmount(): number {
    return this.#socket.destroyed ? 0 : this.#socket.writableLength;
  }

  resume(): void {
    if (!this.#socket.destroyed) this.#socket.resume();
  }
}

/** Received bytes kept for the WebSocket beyond which the stream's receive window is held. */
export const HOLD_AT = 256 * 1024;

/** A pipe over one HTTP/2 stream; the connection keeps serving other requests. */
export class StreamPipe implements Pipe {
  readonly #conn: Connection;
  readonly #ref: RequestRef;
  #h: PipeHandlers | null = null;
  #early: Array<Uint8Array | "end" | MintError> = [];
  #paused = false;
  /** Bytes of the data chunks in #early. */
  #earlyBytes = 0;
  /** Whether the stream's receive window is held (see HOLD_AT). */
  #held = false;
  #queue: Uint8Array[] = [];
  /** Bytes in #queue. */
  #queuedBytes = 0;
  #endQueued = false;
  /** The server ended its side (END_STREAM), reset the stream, or the connection ended. */
  #remoteDone = false;
  /** We sent END_STREAM or RST_STREAM: nothing more is written. */
  #localDone = false;
  #listening = true;
  #destroyed = false;
  #linger: NodeJS.Timeout | undefined;
  readonly #onParts = (parts: ResponsePart[]): void => this.#parts(parts);
  readonly #onWindow = (): void => this.#pump();
  readonly #onClosed = (err?: MintError): void => {
    this.#localDone = true;
    this.#finish(err ?? "end");
  };

  /** Starts listening at once: data parts that come with the 2xx are kept for `attach`. */
  constructor(conn: Connection, ref: RequestRef) {
    this.#conn = conn;
    this.#ref = ref;
    conn.on("parts", this.#onParts);
    conn.on("window", this.#onWindow);
    conn.on("closed", this.#onClosed);
  }

  attach(h: PipeHandlers): void {
    this.#h = h;
    this.#deliverEarly();
  }

  #deliverEarly(): void {
    while (this.#h !== null && !this.#paused && this.#early.length > 0) {
      const item = this.#early.shift()!;
      if (item instanceof Uint8Array) this.#earlyBytes -= item.length;
      this.#hand(item);
    }
    this.#updateHold();
  }

  /** RFC 9113 §5.2: flow control is how a receiver limits what a sender may send on a stream. */
  #updateHold(): void {
    const hold = this.#earlyBytes >= HOLD_AT;
    if (hold === this.#held || this.#remoteDone) return;
    this.#held = hold;
    try {
      this.#conn.holdReceiveWindow(this.#ref, hold);
    } catch {
      // The connection is gone: its "closed" event ends this pipe.
    }
  }

  #hand(item: Uint8Array | "end" | MintError): void {
    const h = this.#h!;
    if (item === "end") h.end();
    else if (item instanceof Uint8Array) h.data(item);
    else h.failed(item);
  }

  #parts(parts: ResponsePart[]): void {
    for (const p of parts) {
      if (p.ref !== this.#ref) continue;
      if (p.type === "data") this.#push(p.data);
      else if (p.type === "done") this.#finish("end");
      else if (p.type === "error") {
        // The stream is reset or failed: nothing more can be written on it.
        this.#localDone = true;
        this.#finish(p.error);
      }
    }
  }

  #push(item: Uint8Array | "end" | MintError): void {
    if (this.#destroyed) return;
    if (this.#h === null || this.#paused || this.#early.length > 0) {
      this.#early.push(item);
      if (item instanceof Uint8Array) {
        this.#earlyBytes += item.length;
        this.#updateHold();
      }
    } else this.#hand(item);
  }

  #finish(item: "end" | MintError): void {
    if (this.#remoteDone) return;
    this.#remoteDone = true;
    if (this.#localDone) this.#unlisten();
    this.#push(item);
  }

  #unlisten(): void {
    if (this.#linger !== undefined) clearTimeout(this.#linger);
    if (!this.#listening) return;
    this.#listening = false;
    this.#conn.off("parts", this.#onParts);
    this.#conn.off("window", this.#onWindow);
    this.#conn.off("closed", this.#onClosed);
  }

  write(chunks: Uint8Array[]): void {
    if (this.#localDone || this.#endQueued) return;
    for (const c of chunks) {
      this.#queue.push(c);
      this.#queuedBytes += c.length;
    }
    this.#pump();
  }

  /** Sends what the stream's send window allows (RFC 9113 §6.9); the rest waits for "window". */
  #pump(): void {
    if (this.#localDone) return;
    try {
      while (this.#queue.length > 0) {
        const window = this.#conn.requestBodyWindow(this.#ref);
        if (window <= 0) return;
        const head = this.#queue[0]!;
        if (head.length <= window) {
          this.#queue.shift();
          this.#queuedBytes -= head.length;
          this.#conn.streamRequestBody(this.#ref, head);
        } else {
          this.#queue[0] = head.subarray(window);
          this.#queuedBytes -= window;
          this.#conn.streamRequestBody(this.#ref, head.subarray(0, window));
        }
      }
      if (this.#endQueued) {
        // RFC 8441 §5: closing the WebSocket is END_STREAM on its stream
        this.#endQueued = false;
        this.#localDone = true;
        this.#conn.streamRequestBody(this.#ref, EOF);
        if (this.#remoteDone) this.#unlisten();
      }
    } catch (err) {
      this.#localDone = true;
      this.#finish(err as MintError);
      this.#unlisten();
    }
  }

  end(): void {
    if (this.#localDone || this.#endQueued) return;
    this.#endQueued = true;
    this.#pump();
  }

  /**
   * Stops everything: a stream whose END_STREAM we have not sent is reset (RST_STREAM
   * CANCEL, RFC 9113 §8.4; the frames queued before it still go first). When we have sent
   * END_STREAM, the server's END_STREAM is awaited for LINGER_MS at most, then the stream is
   * reset, so a server that never ends it does not hold it open. No handler is called after this.
   */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#h = null;
    this.#early = [];
    this.#earlyBytes = 0;
    if (this.#localDone && this.#remoteDone) {
      this.#unlisten();
      return;
    }
    if (this.#localDone && this.#listening) {
      this.#linger = setTimeout(() => this.#cancel(), LINGER_MS);
      this.#linger.unref?.();
      return;
    }
    this.#cancel();
  }

  #cancel(): void {
    this.#remoteDone = true;
    this.#localDone = true;
    this.#unlisten();
    try {
      if (this.#conn.isOpen("write")) this.#conn.cancelRequest(this.#ref);
    } catch {
      // The stream or connection is already gone.
    }
  }

  pause(): void {
    this.#paused = true;
  }

  /** Frame bytes waiting for the stream's send window (RFC 9113 §6.9); 0 once the stream is reset. */
  get bufferedAmount(): number {
    return this.#localDone ? 0 : this.#queuedBytes;
  }

  resume(): void {
    this.#paused = false;
    this.#deliverEarly();
  }
}
