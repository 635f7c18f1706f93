// Pool: the connections of one origin, and the requests waiting for them.
//
// How this works: `request()` makes an Exchange and hands it to a connection with room
// (HTTP/1: the most recently idle one, LIFO, so the others age out; HTTP/2: the least
// loaded), or queues it. Connections open on demand, up to `connections`: while the
// protocol of an https origin is unknown only one opens (its ALPN decides); an HTTP/2
// origin gets a second connection only when every open one is saturated. When a connection
// has room again, the queue is served in order. One clock (`maintain`) handles every
// deadline: queue, headers and body timeouts, idle keep-alive and connection age.
// As undici's dispatchers do, the pool emits "connect" (origin URL, [pool]) when a
// connection opens, "disconnect" (origin URL, [pool], error) when one closes, and
// "connectionError" (origin URL, [pool], error) when opening one fails.

import { EventEmitter, setMaxListeners } from "node:events";
import { MintError, TransportError, type Connection, type ConnectOptions, type Headers, type Protocol } from "../index.js";
import { dispatch, traceConnect, type DispatchHandler, type DispatchOptions, type DispatchTarget } from "../dispatch/index.js";
import { BodySource, NO_BODY } from "./body-source.js";
import { Clock } from "./clock.js";
import { dial } from "./dial.js";
import { poolError } from "./errors.js";
import { Exchange, type ExchangeHost } from "./exchange.js";
import { NO_CONTROL, PromiseReceiver, type PoolResponse, type RequestControl, type ResponseReceiver } from "./receiver.js";
import { NO_OPTIONS, isIdempotentMethod, normalizeHeaders, resolvePoolOptions, type PoolOptions, type RequestOptions, type ResolvedPoolOptions } from "./options.js";
import { originKey, parseOrigin, type PoolOrigin } from "./origin.js";
import { WaitQueue } from "./queue.js";
import { Slot, type SlotOwner } from "./slot.js";
import type { PoolStats } from "./stats.js";
import { settle, type Callback } from "./settle.js";
import { upgradeOn, type Upgraded } from "./upgrade.js";

/** Set by an Agent: called when the pool holds nothing (no connection, none opening, none waiting). */
export const ON_EMPTY: unique symbol = Symbol("mint-http.pool.onEmpty");

export class Pool extends EventEmitter implements ExchangeHost, SlotOwner, DispatchTarget {
  [ON_EMPTY]: ((pool: Pool) => void) | undefined;
  readonly origin: PoolOrigin;
  readonly #key: string;
  readonly #opts: ResolvedPoolOptions;
  readonly #connectOpts: ConnectOptions;
  readonly #queue = new WaitQueue<Exchange>();
  readonly #slots: Slot[] = [];
  /** HTTP/1 idle connections, most recent last. */
  readonly #idle: Slot[] = [];
  readonly #clock: Clock;
  /** Aborts every dial in progress; each dial listens on it, up to `connections` at once. */
  readonly #dialAbort = pooledAbort();
  #protocol: Protocol | undefined;
  #connecting = 0;
  #closing = false;
  #destroyed = false;
  #closed: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;

  /** TypeError for a bad origin or bad options. */
  constructor(origin: string | URL, opts: PoolOptions = {}) {
    super();
    this.origin = parseOrigin(origin);
    this.#key = originKey(this.origin);
    this.#opts = resolvePoolOptions(opts);
    const c = this.#opts.connect;
    // The pool reads no pushed responses: turn server push off (RFC 9113 §6.5.2).
    this.#connectOpts = { ...c, mode: "active", clientSettings: { enablePush: false, ...c.clientSettings } };
    const protocols = c.protocols ?? ["http1", "http2"];
    if (protocols.length === 1) this.#protocol = protocols[0];
    else if (this.origin.scheme === "http") this.#protocol = "http1";
    this.#clock = new Clock((now) => this.maintain(now));
  }

  get maxAttempts(): number {
    return this.#opts.maxAttempts;
  }

  /**
   * Send a request to this origin. `url` is a path ("/a?b") or a full URL of this origin.
   * Resolves with the response head once it arrives; the body streams after.
   * Errors: TransportError `queue_full`, `queue_timeout`, `headers_timeout`, `aborted`,
   * `pool_closed`, or the connection's own (connect errors, `closed`, HTTP/2 stream
   * errors...) when no retry is allowed; TypeError for misuse (bad URL, method, body).
   */
  request(url: string | URL, init: RequestOptions = NO_OPTIONS): Promise<PoolResponse> {
    const rx = new PromiseReceiver(init.onInformational);
    this.send(url, init, rx);
    return rx.promise;
  }

  /**
   * request() with the response pushed to `receiver` as it arrives instead of a promise
   * and a reader (the dispatcher's path). Returns the request's control: pause and resume
   * its body, abort it. `init.onInformational` is not called (the receiver gets 1xx heads).
   * Every outcome, misuse included, reaches `receiver.error` (possibly before this returns).
   */
  send(url: string | URL, init: RequestOptions, receiver: ResponseReceiver): RequestControl {
    let path: string, method: string, headers: Headers, source: BodySource;
    try {
      path = this.#pathOf(url);
      if (init.method !== undefined && typeof init.method !== "string") throw new TypeError("method must be a string");
      method = init.method === undefined ? "GET" : init.method.toUpperCase();
      headers = init.headers === undefined ? NO_HEADERS : normalizeHeaders(init.headers);
      checkTimeout("headersTimeout", init.headersTimeout);
      checkTimeout("bodyTimeout", init.bodyTimeout);
      source = init.body === undefined || init.body === null ? NO_BODY : new BodySource(init.body);
    } catch (err) {
      receiver.error(err as Error);
      return NO_CONTROL;
    }
    const ex = new Exchange(this, receiver, method, path, headers, source, init.idempotent ?? isIdempotentMethod(method),
      init.headersTimeout ?? this.#opts.headersTimeout, init.bodyTimeout ?? this.#opts.bodyTimeout, init.signal);
    ex.onSent = init.onSent;
    ex.onBodySent = init.onBodySent;
    ex.expectContinue = init.expectContinue === true;
    ex.reset = init.reset === true;
    if (init.signal?.aborted === true) {
      ex.handleEvent();
      return ex;
    }
    if (this.#closing) {
      ex.fail(poolError("pool_closed", `the pool for ${this.#key} is closed`));
      return ex;
    }
    const slot = this.#queue.size === 0 ? this.#pick(ex.idempotent) : undefined;
    if (slot === undefined || !this.#start(ex, slot, Date.now())) this.#enqueue(ex);
    return ex;
  }

  /**
   * An HTTP/1 upgrade (headers carry `upgrade` and `connection: upgrade`) on a connection of
   * its own, outside the pool: resolves with the 101 response and the socket.
   * Errors: TransportError `pool_closed` after close(); those of connect(); HTTPError
   * `upgrade_failed` for another status; TransportError `headers_timeout`, `aborted`.
   */
  upgrade(path: string, init: { method?: string; headers?: Headers; signal?: AbortSignal; headersTimeout?: number } = {}): Promise<Upgraded> {
    if (this.#closing) return Promise.reject(poolError("pool_closed", `the pool for ${this.#key} is closed`));
    return upgradeOn(this.origin, this.#opts.connect, init.method ?? "GET", path, init.headers ?? [], init.headersTimeout ?? this.#opts.headersTimeout, init.signal);
  }

  /**
   * undici's Dispatcher.dispatch (see mint-http's dispatch module): the handler gets the
   * response; returns false when the request could not start or the queue is full ("drain"
   * follows). Never throws, except TypeError when `handler` is not an object.
   */
  dispatch(opts: DispatchOptions, handler: DispatchHandler): boolean {
    return dispatch(this, opts, handler);
  }

  get dispatchOrigin(): string {
    return this.#key;
  }

  get dispatchState(): "open" | "closed" | "destroyed" {
    return this.#destroyed ? "destroyed" : this.#closing ? "closed" : "open";
  }

  dispatchRequest(_origin: string, path: string, init: RequestOptions, receiver: ResponseReceiver): RequestControl {
    return this.send(path, init, receiver);
  }

  dispatchUpgrade(_origin: string, path: string, init: { method: string; headers: Headers; signal?: AbortSignal; headersTimeout?: number }): Promise<Upgraded> {
    return this.upgrade(path, init);
  }

  /** Whether as many requests wait for a connection as `maxQueued` allows. */
  queueFull(): boolean {
    return this.#queue.size >= this.#opts.maxQueued;
  }

  /**
   * No new requests; those queued and in flight finish, then every connection closes.
   * With `callback` (undici's style), it is called with (null, null) instead.
   */
  close(callback?: Callback): Promise<void> {
    if (callback !== undefined) return settle(this.close(), callback);
    this.#closing = true;
    this.#closed ??= new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#checkClosed();
    return this.#closed;
  }

  /** Fail queued then in-flight requests with `err` (else TransportError `pool_closed`) and close now. */
  destroy(err?: Error | Callback | null, callback?: Callback): Promise<void> {
    if (typeof err === "function") return settle(this.destroy(), err);
    if (callback !== undefined) return settle(this.destroy(err ?? undefined), callback);
    if (!this.#destroyed) {
      this.#destroyed = true;
      this.#closing = true;
      const error = err ?? poolError("pool_closed", `the pool for ${this.#key} was destroyed`);
      for (const ex of [...this.#queue]) ex.fail(error);
      for (const slot of [...this.#slots]) for (const ex of [...slot.inFlight.values()]) ex.fail(error);
      this.#dialAbort.abort(error);
      for (const slot of [...this.#slots]) slot.retire();
    }
    return this.close();
  }

  /** Connections, their protocols and load, and the requests waiting and in flight. */
  stats(): PoolStats {
    let http1 = 0, http2 = 0, busy = 0, idle = 0, inFlight = 0;
    for (const s of this.#slots) {
      if (s.state === "gone") continue;
      if (s.http2) http2++;
      else http1++;
      const n = s.inFlight.size;
      inFlight += n;
      if (n > 0) busy++;
      else if (s.state === "open") idle++;
    }
    return { connections: http1 + http2, http1, http2, busy, idle, queued: this.#queue.size, inFlight };
  }

  /** Run every deadline due at `now`; returns ms until the next one (Infinity: none). */
  maintain(now: number): number {
    let next = Infinity;
    if (this.#queue.size > 0) {
      for (const ex of [...this.#queue]) {
        if (ex.deadline <= now) ex.timedOut();
        else if (ex.deadline < next) next = ex.deadline;
      }
    }
    for (const slot of [...this.#slots]) {
      if (slot.state === "gone" || slot.state === "closing") continue;
      if (slot.retireAt <= now) slot.drain();
      else if (slot.retireAt < next) next = slot.retireAt;
      if (slot.inFlight.size === 0) {
        const until = slot.idleSince + slot.keepAlive;
        if (slot.state !== "open" || until <= now) slot.retire();
        else if (until < next) next = until;
        continue;
      }
      for (const ex of [...slot.inFlight.values()]) {
        if (ex.deadline <= now) ex.timedOut();
        else if (ex.deadline < next) next = ex.deadline;
      }
    }
    return next - now;
  }

  // ExchangeHost

  requeue(ex: Exchange): void {
    if (this.#destroyed) {
      ex.fail(poolError("pool_closed", `the pool for ${this.#key} was destroyed`));
      return;
    }
    const now = Date.now();
    ex.deadline = now + this.#opts.queueTimeout;
    this.#clock.arm(now, this.#opts.queueTimeout);
    this.#queue.unshift(ex);
    this.#serve();
  }

  unqueue(ex: Exchange): void {
    this.#queue.remove(ex);
  }

  release(slot: Slot): void {
    // The server may change its stream limit at any time (RFC 9113 §6.5.2).
    if (slot.http2) slot.refreshCapacity();
    if (slot.inFlight.size === 0) this.#becameIdle(slot);
    if (this.#queue.size > 0) this.#serve();
    else if (this.#closing) this.#checkClosed();
  }

  #becameIdle(slot: Slot): void {
    {
      const now = Date.now();
      slot.idleSince = now;
      if (slot.state === "draining") slot.retire();
      else if (slot.state === "open") {
        // An idle pool never keeps the process alive: the socket is ref'd again by the next request.
        slot.conn.getSocket().unref();
        this.#clock.arm(now, slot.keepAlive);
        if (!slot.http2 && !slot.stacked) {
          slot.stacked = true;
          this.#idle.push(slot);
        }
      }
    }
  }

  wakeIn(now: number, inMs: number): void {
    this.#clock.arm(now, inMs);
  }

  // SlotOwner

  slotFree(slot: Slot): void {
    slot.refreshCapacity();
    if (this.#queue.size > 0) this.#serve();
  }

  slotClosed(slot: Slot, err: MintError | undefined): void {
    if (slot.state === "open" || slot.state === "draining") slot.state = "closing";
    const lost = err ?? new TransportError("closed", `the connection to ${this.#key} closed`);
    for (const ex of [...slot.inFlight.values()]) ex.connectionLost(lost);
    this.#event("disconnect", lost);
    this.#serve();
  }

  slotGone(slot: Slot): void {
    const i = this.#slots.indexOf(slot);
    if (i !== -1) this.#slots.splice(i, 1);
    this.#serve();
    this.#checkClosed();
    this.#checkEmpty();
  }

  #checkEmpty(): void {
    if (this.#slots.length === 0 && this.#connecting === 0 && this.#queue.size === 0) this[ON_EMPTY]?.(this);
  }

  // Internals

  #pathOf(url: string | URL): string {
    if (typeof url === "string" && url.startsWith("/")) return url;
    const u = typeof url === "string" ? new URL(url) : url;
    if (!(u instanceof URL)) throw new TypeError("url must be a path or a URL");
    const port = u.port === "" ? (u.protocol === "https:" ? 443 : 80) : Number(u.port);
    const host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
    if (u.protocol !== `${this.origin.scheme}:` || host !== this.origin.host || port !== this.origin.port) {
      throw new TypeError(`${u.href} is not on this pool's origin ${this.#key}`);
    }
    return u.pathname + u.search;
  }

  #enqueue(ex: Exchange): void {
    if (this.#queue.size >= this.#opts.maxQueued) {
      ex.fail(poolError("queue_full", `${this.#queue.size} requests already wait for a connection to ${this.#key} (maxQueued)`));
      return;
    }
    const now = Date.now();
    ex.deadline = now + this.#opts.queueTimeout;
    this.#clock.arm(now, this.#opts.queueTimeout);
    this.#queue.push(ex);
    this.#maybeOpen();
  }

  /** Start `ex` on `slot`; false when the connection refused it before sending anything. */
  #start(ex: Exchange, slot: Slot, now: number): boolean {
    const err = ex.start(slot, now);
    if (err === undefined) {
      if (slot.stacked && slot.inFlight.size > 0) this.#unstack(slot);
      return true;
    }
    const reason = err instanceof MintError ? err.reason : "";
    if (reason === "too_many_concurrent_requests") {
      // RFC 9113 §5.1.2: the engine counts streams we no longer track; take its word.
      slot.capacity = slot.inFlight.size;
      return false;
    }
    if (reason === "closed" || reason === "closed_for_writing") {
      slot.drain();
      return false;
    }
    // Misuse or a request the connection cannot carry (bad header, method, ...): no retry.
    ex.fail(err instanceof Error ? err : new TypeError(String(err)));
    return true;
  }

  #unstack(slot: Slot): void {
    const i = this.#idle.lastIndexOf(slot);
    if (i !== -1) this.#idle.splice(i, 1);
    slot.stacked = false;
  }

  /** Hand queued requests to connections with room, then open connections if needed. */
  #serve(): void {
    const now = Date.now();
    for (let ex = this.#queue.peek(); ex !== undefined; ex = this.#queue.peek()) {
      const slot = this.#pick(ex.idempotent);
      if (slot === undefined) break;
      this.#queue.shift();
      if (!this.#start(ex, slot, now)) this.#queue.unshift(ex);
    }
    this.#maybeOpen();
    if (this.#closing) this.#checkClosed();
  }

  #pick(idempotent: boolean): Slot | undefined {
    if (this.#protocol === "http2") {
      let best: Slot | undefined;
      for (const s of this.#slots) {
        if (s.hasRoom(idempotent) && (best === undefined || s.inFlight.size < best.inFlight.size)) best = s;
      }
      return best;
    }
    const idle = this.#idle;
    while (idle.length > 0) {
      const s = idle.pop()!;
      s.stacked = false;
      if (s.state === "open" && s.inFlight.size === 0 && (s.retireAt === Infinity || s.retireAt > Date.now())) return s;
    }
    if (this.#opts.pipelining > 1 && idempotent) {
      for (const s of this.#slots) if (s.hasRoom(true)) return s;
    }
    return undefined;
  }

  #maybeOpen(): void {
    const waiting = this.#queue.size;
    if (waiting === 0 || this.#closing && this.#destroyed) return;
    const total = this.#slots.length + this.#connecting;
    const room = this.#opts.connections - total;
    if (room <= 0) return;
    if (this.#protocol === undefined) {
      // ALPN decides the protocol: one connection until it is known.
      if (total === 0) this.#open();
      return;
    }
    if (this.#protocol === "http2") {
      if (this.#connecting > 0) return;
      // A second connection only when every open one is saturated (and knows its limit).
      for (const s of this.#slots) if (s.state === "open" && (!s.settingsKnown || s.inFlight.size < s.capacity)) return;
      this.#open();
      return;
    }
    let n = Math.min(waiting - this.#connecting, room);
    while (n-- > 0) this.#open();
  }

  #open(): void {
    this.#connecting++;
    // undici's undici:client:* diagnostics messages, when anyone subscribes.
    const trace = traceConnect(this.origin, this);
    dial(this.origin, this.#connectOpts, this.#dialAbort.signal).then(
      (conn) => {
        trace?.connected(conn.getSocket());
        this.#dialed(conn);
      },
      (err: unknown) => {
        trace?.failed(err);
        this.#dialFailed(err);
      },
    );
  }

  #dialed(conn: Connection): void {
    this.#connecting--;
    if (this.#destroyed || (this.#closing && this.#queue.size === 0)) {
      void conn.close().then(() => this.#checkClosed());
      return;
    }
    this.#protocol = conn.protocol;
    const now = Date.now();
    const slot = new Slot(conn, this, now, this.#opts.pipelining, this.#opts.keepAliveTimeout, this.#opts.maxConnectionAge);
    this.#slots.push(slot);
    this.#clock.arm(now, slot.retireAt - now);
    this.#event("connect");
    this.#becameIdle(slot);
    this.#serve();
  }

  #dialFailed(err: unknown): void {
    this.#connecting--;
    // connect()'s errors as they are (TypeError for bad connect options included).
    const error = err instanceof Error ? err : poolError("pool_closed", `connecting to ${this.#key} failed: ${String(err)}`, err);
    // undici does not report a connection abandoned by destroy().
    if (!this.#destroyed) this.#event("connectionError", error);
    // A fresh connection failed: when no open connection will serve the queue, it fails.
    if (this.#connecting === 0 && this.#slots.every((s) => s.state !== "open")) {
      for (const ex of [...this.#queue]) ex.fail(error);
    }
    this.#checkClosed();
    this.#checkEmpty();
  }

  /** undici's connection events, with the origin as a URL and this pool as the target. */
  #event(name: "connect" | "disconnect" | "connectionError", err?: Error): void {
    if (this.listenerCount(name) === 0) return;
    const url = new URL(this.#key);
    if (name === "connect") this.emit(name, url, [this]);
    else this.emit(name, url, [this], err);
  }

  #checkClosed(): void {
    if (!this.#closing) return;
    if (this.#queue.size === 0) {
      for (const s of this.#slots) if (s.inFlight.size === 0) s.retire();
    }
    // close() waits for connections still opening (each is closed as it arrives); destroy() does not.
    if (this.#slots.length === 0 && (this.#connecting === 0 || this.#destroyed) && this.#queue.size === 0 && this.#resolveClosed !== undefined) {
      this.#clock.stop();
      const resolve = this.#resolveClosed;
      this.#resolveClosed = undefined;
      resolve();
    }
  }
}

/** The headers of a request given none: shared, never modified (an attempt that adds headers copies them). */
const NO_HEADERS: Headers = Object.freeze([]) as unknown as Headers;

/** TypeError unless `v` is undefined or a positive number of ms. */
function checkTimeout(name: string, v: unknown): void {
  if (v !== undefined && (typeof v !== "number" || !(v > 0))) throw new TypeError(`${name} must be a positive number of ms, got ${String(v)}`);
}

/** An AbortController whose signal takes any number of listeners (one per dial in progress). */
function pooledAbort(): AbortController {
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  return ac;
}
