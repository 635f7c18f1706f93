// A raw TCP server on 127.0.0.1 for fault-injection tests. Each accepted connection is a
// Peer that records every byte it receives and lets the test script what happens next:
// wait for bytes, write some, end the write side (half-close), reset (RST) or destroy.
// HTTP/2 helpers do the server side of the connection preface and split what the client
// sent into frames. `watch(conn)` records what a Connection reports in active mode
// (parts, the "closed" event) so a test can wait for the end of an exchange with a deadline.

import * as net from "node:net";
import type { AddressInfo } from "node:net";
import type { Connection, MintError, RequestRef, ResponsePart } from "../../src/index.js";

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export class Peer {
  readonly socket: net.Socket;
  #received: Buffer[] = [];
  #size = 0;
  #waiters: Array<() => void> = [];
  ended = false;
  closed = false;

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.#received.push(chunk);
      this.#size += chunk.length;
      this.#wake();
    });
    socket.on("end", () => {
      this.ended = true;
      this.#wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.#wake();
    });
    // A client that resets or vanishes must not crash the test process.
    socket.on("error", () => {});
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Every byte received so far. */
  received(): Buffer {
    if (this.#received.length > 1) this.#received = [Buffer.concat(this.#received)];
    return this.#received[0] ?? Buffer.alloc(0);
  }

  get receivedLength(): number {
    return this.#size;
  }

  /** Resolves once `test` holds on the bytes received (checked on every arrival). */
  async waitFor(test: (bytes: Buffer) => boolean, timeoutMs = 3000, what = "bytes"): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!test(this.received())) {
      if (this.closed) throw new Error(`peer closed while waiting for ${what}`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.received().toString("latin1").slice(0, 200))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits until `count` HTTP/1 request heads ("\r\n\r\n") have arrived. */
  waitForHeads(count: number, timeoutMs = 3000): Promise<void> {
    return this.waitFor((b) => countOf(b, "\r\n\r\n") >= count, timeoutMs, `${count} request head(s)`);
  }

  /** Waits until the client ends its write side or the socket closes. */
  waitForEnd(timeoutMs = 3000): Promise<void> {
    return this.waitFor(() => this.ended || this.closed, timeoutMs, "the client's end");
  }

  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data, () => resolve());
    });
  }

  /** FIN: end our write side; we keep reading (the server allows half-open sockets). */
  end(): void {
    this.socket.end();
  }

  /** RST: close with a TCP reset. */
  reset(): void {
    this.socket.resetAndDestroy();
  }

  destroy(): void {
    this.socket.destroy();
  }

  // HTTP/2

  /** Server side of the preface: wait for the client preface and SETTINGS, send SETTINGS + ACK. */
  async h2Handshake(settings: Uint8Array = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])): Promise<void> {
    await this.waitFor((b) => b.length >= PREFACE.length + 9 && framesIn(b).some((f) => f.type === 4), 3000, "the HTTP/2 preface");
    // One write, so a passive client reads the whole preface in one chunk.
    await this.write(Buffer.concat([settings, Buffer.from([0, 0, 0, 4, 1, 0, 0, 0, 0])]));
  }

  /** Frames received after the client preface. */
  frames(): RawFrame[] {
    return framesIn(this.received());
  }

  /** Waits until a frame matching `test` has arrived. */
  waitForFrame(test: (f: RawFrame) => boolean, what = "a frame", timeoutMs = 3000): Promise<void> {
    return this.waitFor((b) => framesIn(b).some(test), timeoutMs, what);
  }
}

export interface RawFrame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

function framesIn(all: Buffer): RawFrame[] {
  let o = all.subarray(0, PREFACE.length).equals(PREFACE) ? PREFACE.length : 0;
  const out: RawFrame[] = [];
  while (o + 9 <= all.length) {
    const len = all.readUIntBE(o, 3);
    if (o + 9 + len > all.length) break;
    out.push({ type: all[o + 3]!, flags: all[o + 4]!, streamId: all.readUInt32BE(o + 5) & 0x7fffffff, payload: all.subarray(o + 9, o + 9 + len) });
    o += 9 + len;
  }
  return out;
}

function countOf(b: Buffer, s: string): number {
  let n = 0;
  for (let at = b.indexOf(s); at !== -1; at = b.indexOf(s, at + s.length)) n++;
  return n;
}

export interface FaultServer {
  port: number;
  /** Peers in order of arrival. */
  peers: Peer[];
  /** The next connection (or one already accepted and not yet taken). */
  nextPeer(timeoutMs?: number): Promise<Peer>;
  close(): Promise<void>;
}

/** Starts a fault server; `onPeer` (optional) scripts each connection as it arrives. */
export async function startFaultServer(onPeer?: (peer: Peer) => void | Promise<void>): Promise<FaultServer> {
  const peers: Peer[] = [];
  let taken = 0;
  const waiting: Array<(p: Peer) => void> = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const peer = new Peer(socket);
    peers.push(peer);
    if (onPeer) void Promise.resolve(onPeer(peer)).catch(() => peer.destroy());
    const w = waiting.shift();
    if (w) {
      taken++;
      w(peer);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    peers,
    nextPeer(timeoutMs = 3000): Promise<Peer> {
      if (taken < peers.length) return Promise.resolve(peers[taken++]!);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error("no connection arrived")), timeoutMs);
        waiting.push((p) => {
          clearTimeout(t);
          resolve(p);
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of peers) p.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------
// Watching a client connection
export interface Watched {
  parts: ResponsePart[];
  /** Set once "closed" fired: `{ error }` (undefined error for a clean close). */
  closed: { error: MintError | undefined } | undefined;
  /** Resolves when "closed" fires; rejects after `timeoutMs`. */
  untilClosed(timeoutMs?: number): Promise<MintError | undefined>;
  /** Resolves when each ref has a done or error part; rejects after `timeoutMs` or on close first. */
  untilEnded(refs: RequestRef[], timeoutMs?: number): Promise<void>;
  /** The terminal part of a request, if any. */
  end(ref: RequestRef): ResponsePart | undefined;
  /** Concatenated data of a request. */
  body(ref: RequestRef): Buffer;
}

export function watch(conn: Connection): Watched {
  const parts: ResponsePart[] = [];
  let wake: Array<() => void> = [];
  const notify = (): void => {
    const w = wake;
    wake = [];
    for (const f of w) f();
  };
  const w: Watched = {
    parts,
    closed: undefined,
    async untilClosed(timeoutMs = 3000) {
      await until(() => w.closed !== undefined, timeoutMs, "the connection to close");
      return w.closed!.error;
    },
    async untilEnded(refs, timeoutMs = 3000) {
      await until(() => refs.every((r) => w.end(r) !== undefined) || w.closed !== undefined, timeoutMs, `requests ${refs.join(",")} to end`);
    },
    end: (ref) => parts.find((p) => p.ref === ref && (p.type === "done" || p.type === "error")),
    body: (ref) => Buffer.concat(parts.flatMap((p) => (p.type === "data" && p.ref === ref ? [p.data] : []))),
  };
  function until(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (test()) return resolve();
      const t = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      const check = (): void => {
        if (test()) {
          clearTimeout(t);
          resolve();
        } else wake.push(check);
      };
      wake.push(check);
    });
  }
  conn.on("parts", (batch: ResponsePart[]) => {
    parts.push(...batch);
    notify();
  });
  conn.on("closed", (error?: MintError) => {
    w.closed = { error };
    notify();
  });
  return w;
}
