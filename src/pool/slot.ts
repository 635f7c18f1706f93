// One pooled connection: its state, what it is serving, its deadlines.
//
// States (once draining, never back):
//   idle     — open, nothing in flight; watched in active mode, so a server close, a FIN or
//              any unsolicited byte ends it ("closed") before it is reused
//   busy     — requests in flight, below its capacity: pipelining (HTTP/1) or the server's
//              SETTINGS_MAX_CONCURRENT_STREAMS (HTTP/2, RFC 9113 §6.5.2); a fresh HTTP/2
//              connection takes one request until the server's SETTINGS are known (its PING
//              answer, or any response, comes after them: RFC 9113 §3.4)
//   draining — GOAWAY, `connection: close`, maxConnectionAge or a pool close: no new
//              requests; closes once nothing is in flight
//   closing / gone — close() called / the socket is closed
// The slot routes each part to the exchange that owns its ref and tells the pool when it
// has room again or is gone.

import type { Connection, MintError, RequestRef, ResponsePart } from "../index.js";
import type { Exchange } from "./exchange.js";

export interface SlotOwner {
  /** The slot may take more requests (or became idle / draining). */
  slotFree(slot: Slot): void;
  /** The slot's connection closed; `err` ended it, if any. Its requests in flight have failed. */
  slotClosed(slot: Slot, err: MintError | undefined): void;
  /** The socket is released. */
  slotGone(slot: Slot): void;
}

export type SlotState = "open" | "draining" | "closing" | "gone";

export class Slot {
  readonly conn: Connection;
  readonly http2: boolean;
  readonly inFlight = new Map<RequestRef, Exchange>();
  state: SlotState = "open";
  /**
   * A response head has arrived on this connection: it worked, so a request that fails on it
   * later met a connection that went stale (Go's "reused"); before that it is fresh.
   */
  proven = false;
  /** Most requests in flight at once. */
  capacity: number;
  /** HTTP/2: the server's SETTINGS are known. */
  settingsKnown: boolean;
  /** When the connection went idle (ms), or -1 while busy. */
  idleSince: number;
  /** ms an idle connection is kept (the pool's keepAliveTimeout, lowered by a Keep-Alive hint). */
  keepAlive: number;
  /** When the connection stops taking requests (maxConnectionAge with jitter). */
  readonly retireAt: number;
  /** HTTP/1: exchanges that asked to pause reading. */
  pausers = 0;
  /** HTTP/1: a request in flight is not idempotent (nothing is pipelined behind it). */
  unsafeInFlight = 0;
  /** In the pool's idle stack. */
  stacked = false;
  #pingRef: RequestRef | undefined;
  #windowWaiters: Array<() => void> = [];
  #closedSeen = false;
  /** A batch of parts is being handed out (see refreshCapacity). */
  #inBatch = false;
  readonly #owner: SlotOwner;

  constructor(conn: Connection, owner: SlotOwner, now: number, pipelining: number, keepAlive: number, maxAge: number) {
    this.conn = conn;
    this.#owner = owner;
    this.http2 = conn.protocol === "http2";
    this.capacity = this.http2 ? 1 : pipelining;
    this.settingsKnown = !this.http2;
    this.idleSince = now;
    this.keepAlive = keepAlive;
    this.retireAt = Number.isFinite(maxAge) ? now + maxAge * (1 + Math.random() * 0.1) : Infinity;
    conn.on("parts", (parts: ResponsePart[]) => this.#onParts(parts));
    conn.on("closed", (err?: MintError) => this.#onClosed(err));
    if (this.http2) {
      conn.on("window", () => this.#onWindow());
      try {
        this.#pingRef = conn.ping();
      } catch {
        // A connection that cannot send is about to report "closed".
      }
    }
  }

  /** Can take `ex` now. */
  hasRoom(idempotent: boolean): boolean {
    if (this.state !== "open") return false;
    const n = this.inFlight.size;
    if (n >= this.capacity) return false;
    if (n === 0) return true;
    // HTTP/1 pipelining: only idempotent requests, never behind a non-idempotent one.
    return this.http2 || (idempotent && this.unsafeInFlight === 0);
  }

  /** No new requests; close once nothing is in flight. */
  drain(): void {
    if (this.state !== "open") return;
    this.state = "draining";
    if (this.inFlight.size === 0) this.retire();
  }

  /** Close the connection now (what is in flight fails through "closed"). */
  retire(): void {
    if (this.state === "closing" || this.state === "gone") return;
    this.state = "closing";
    this.conn.close().then(
      () => this.#gone(),
      () => this.#gone(),
    );
  }

  /** A streamed body waits for the HTTP/2 send window to grow. */
  waitWindow(wake: () => void): void {
    this.#windowWaiters.push(wake);
  }

  /** HTTP/1 back-pressure: stop reading the socket (passive mode) while an exchange's reader is behind. */
  pauseReading(): void {
    if (this.pausers++ === 0 && this.state !== "gone") this.conn.setMode("passive");
  }

  resumeReading(): void {
    if (--this.pausers === 0 && this.state !== "gone") this.conn.setMode("active");
  }

  /**
   * Recompute the HTTP/2 capacity from the server's SETTINGS. While a batch of parts is
   * handed out it is read once, at the batch's start: SETTINGS are applied as bytes are
   * read, and none are read while the batch is handed out.
   */
  refreshCapacity(): void {
    if (!this.http2 || !this.settingsKnown || this.#inBatch) return;
    const max = this.conn.getServerSetting("maxConcurrentStreams") as number;
    // RFC 9113 §6.5.2: the limit may be 0 (no new streams for now); requests then wait.
    this.capacity = Math.min(max, 2 ** 31 - 1);
  }

  #onParts(parts: ResponsePart[]): void {
    if (!this.settingsKnown) {
      // RFC 9113 §3.4: the server's SETTINGS are its first frame, so any part comes after them.
      this.settingsKnown = true;
      this.refreshCapacity();
      this.#owner.slotFree(this);
    } else this.refreshCapacity();
    this.#inBatch = true;
    try {
      this.#handOut(parts);
    } finally {
      this.#inBatch = false;
    }
    // RFC 9113 §6.8: after GOAWAY no new streams; HTTP/1 `connection: close` (RFC 9112 §9.6).
    if (this.state === "open" && !this.conn.isOpen("write")) this.drain();
  }

  /** Each part to the exchange that owns its ref. */
  #handOut(parts: ResponsePart[]): void {
    const inFlight = this.inFlight;
    // One clock read per batch: its parts arrived together.
    const now = Date.now();
    // A response's parts come one after another: the exchange of the previous part is
    // tried first (still this ref's attempt when its ref matches), then the map.
    let ex: Exchange | undefined;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const ref = part.ref;
      if (ex === undefined || ex.ref !== ref) ex = inFlight.get(ref);
      if (ex !== undefined) ex.onPart(part, now);
      else if (part.type === "pong" && ref === this.#pingRef) this.#pingRef = undefined;
    }
  }

  #onWindow(): void {
    const w = this.#windowWaiters;
    if (w.length === 0) return;
    this.#windowWaiters = [];
    for (const wake of w) wake();
  }

  #onClosed(err: MintError | undefined): void {
    if (this.#closedSeen) return;
    this.#closedSeen = true;
    if (this.state !== "closing" && this.state !== "gone") {
      this.state = "closing";
      this.conn.close().then(
        () => this.#gone(),
        () => this.#gone(),
      );
    }
    this.#onWindow();
    this.#owner.slotClosed(this, err);
  }

  #gone(): void {
    if (this.state === "gone") return;
    this.state = "gone";
    this.#onWindow();
    if (!this.#closedSeen) {
      this.#closedSeen = true;
      this.#owner.slotClosed(this, undefined);
    }
    this.#owner.slotGone(this);
  }
}
