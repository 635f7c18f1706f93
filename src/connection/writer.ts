// The write side of a Connection: hands the bytes the engine queued to the socket.
//
// How it works: `flush` takes the engine's queued chunks and writes them. The first flush
// of a tick that has a single chunk writes it at once (nothing to gather); any other flush
// corks the socket until the end of the tick, so a burst of requests (and the
// acknowledgements the engine queued while receiving) leaves as one write. When a read
// ended several requests, the connection calls `gatherThisTick()` first: the requests sent
// in their place come in the same tick, and writing the first at once would split that
// burst in two, which the server would then read, parse and answer in two rounds.
// Bytes the engine queued on its own while receiving are counted (`noteAutoWrites`); past
// AUTO_WRITE_LIMIT reading stops until the socket drains, so a peer that sends but never
// reads cannot make us buffer without bound.

import type { Socket } from "node:net";

/**
 * When more than this many bytes that the engine queued on its own while receiving
 * (PING and SETTINGS acknowledgements, WINDOW_UPDATEs, RST_STREAMs) wait to be written,
 * reading stops until the socket drains. The caller's own writes do not count, so a large
 * upload never keeps us from reading an early response.
 */
const AUTO_WRITE_LIMIT = 1024 * 1024;

/** Writes a connection's outgoing bytes to its socket; see the module comment. */
export class SocketWriter {
  readonly #socket: Socket;
  readonly #takeOutgoing: () => Uint8Array[];
  /** Called after a drain that lifted the read stop, to resume reading when appropriate. */
  readonly #onUnblocked: () => void;
  #corked = false;
  /** A flush already happened in this tick (reset by #endOfTick). */
  #armed = false;
  readonly #endOfTick = (): void => {
    this.#armed = false;
    if (!this.#corked) return;
    this.#corked = false;
    this.#socket.uncork();
  };
  #autoPending = 0;
  /** Reading is stopped until the socket drains (too many bytes queued by the engine). */
  blocked = false;
  /** Set to log each write (`> N bytes`); undefined when logging is off. */
  log: ((line: string) => void) | undefined;

  constructor(socket: Socket, takeOutgoing: () => Uint8Array[], onUnblocked: () => void) {
    this.#socket = socket;
    this.#takeOutgoing = takeOutgoing;
    this.#onUnblocked = onUnblocked;
  }

  /** Gather every flush until the end of this tick into one write, the first one included. */
  gatherThisTick(): void {
    if (!this.#armed) this.#arm();
  }

  /** Note that this tick has had its first flush; the end of the tick releases any cork. */
  #arm(): void {
    this.#armed = true;
    process.nextTick(this.#endOfTick);
  }

  /** Write what the engine queued; returns the number of bytes. */
  flush(): number {
    const out = this.#takeOutgoing();
    if (out.length === 0) return 0;
    const socket = this.#socket;
    if (socket.destroyed || !socket.writable) return 0;
    const log = this.log;
    if (!this.#corked) {
      if (!this.#armed) {
        this.#arm();
        if (out.length === 1) {
          const chunk = out[0]!;
          if (log !== undefined) log(`> ${chunk.length} bytes`);
          socket.write(chunk);
          return chunk.length;
        }
      }
      this.#corked = true;
      socket.cork();
    }
    let bytes = 0;
    for (let i = 0; i < out.length; i++) {
      const chunk = out[i]!;
      if (log !== undefined) log(`> ${chunk.length} bytes`);
      bytes += chunk.length;
      socket.write(chunk);
    }
    return bytes;
  }

  /**
   * Hand what is queued (a GOAWAY) to the kernel, send FIN and release the socket at once:
   * the kernel still delivers what it accepted, and a peer that never reads cannot keep
   * the socket alive. Bytes the kernel did not take are dropped, as Mint's close/1 allows.
   */
  endSocket(): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    if (this.#corked) {
      this.#corked = false;
      socket.uncork();
    }
    socket.end();
    socket.destroy();
  }

  /** Account for bytes the engine wrote while receiving; stop reading past AUTO_WRITE_LIMIT. */
  noteAutoWrites(bytes: number): void {
    const socket = this.#socket;
    if (socket.writableLength <= bytes) this.#autoPending = 0;
    this.#autoPending += bytes;
    if (this.#autoPending <= AUTO_WRITE_LIMIT || this.blocked || socket.destroyed) return;
    this.blocked = true;
    socket.pause();
    socket.once("drain", () => {
      this.blocked = false;
      this.#autoPending = 0;
      if (!socket.destroyed) this.#onUnblocked();
    });
  }

  /** Resolves true once the socket has drained, false when `timeoutMs` passes first. */
  drained(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = this.#socket;
      let timer: NodeJS.Timeout | undefined;
      const done = (ok: boolean): void => {
        if (timer !== undefined) clearTimeout(timer);
        socket.off("drain", onDrain);
        socket.off("close", onDrain);
        resolve(ok);
      };
      const onDrain = (): void => done(true);
      socket.on("drain", onDrain);
      socket.on("close", onDrain);
      if (Number.isFinite(timeoutMs)) timer = setTimeout(() => done(false), Math.min(timeoutMs, 2 ** 31 - 1));
    });
  }
}
