// Agent: one Pool per origin (`scheme://host:port`), made on first use with the Agent's
// options and, when a proxy applies to that origin, its proxy merged into the pool's
// connect options. A pool whose last connection closed with nothing waiting is dropped.
// The pools' "connect", "disconnect" and "connectionError" events are emitted by the Agent
// too, with the targets [agent, pool], as undici's Agent does.

import { EventEmitter } from "node:events";
import { dispatch, type DispatchHandler, type DispatchOptions, type DispatchTarget } from "../dispatch/index.js";
import { NO_CONTROL, PromiseReceiver, type PoolResponse, type RequestControl, type ResponseReceiver } from "./receiver.js";
import { NO_OPTIONS, resolvePoolOptions, type AgentOptions, type PoolOptions, type RequestOptions } from "./options.js";
import { originKey, originOfURL, type PoolOrigin } from "./origin.js";
import { ON_EMPTY, Pool } from "./pool.js";
import { poolError } from "./errors.js";
import { ProxyResolver } from "./proxy-env.js";
import type { PoolStats } from "./stats.js";
import { settle, type Callback } from "./settle.js";
import type { Upgraded } from "./upgrade.js";
import type { Headers } from "../index.js";

/**
 * A path that URL parsing keeps exactly as written: it starts with "/", has only RFC 3986
 * unreserved, sub-delims (but "'"), ":", "@", "/" and "?" characters, no "%" escapes, no
 * dot segment (RFC 3986 §5.2.4 would remove it) and no empty query.
 */
function isPlainPath(path: string): boolean {
  if (path.charCodeAt(0) !== 0x2f || path.charCodeAt(path.length - 1) === 0x3f) return false;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c >= 0x80 || PLAIN_PATH_CHAR[c] !== 1) return false;
    if (c === 0x2f && path.charCodeAt(i + 1) === 0x2e) return false;
  }
  return true;
}

const PLAIN_PATH_CHAR = new Uint8Array(128);
for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&()*+,;=:@/?") PLAIN_PATH_CHAR[ch.charCodeAt(0)] = 1;

export class Agent extends EventEmitter implements DispatchTarget {
  readonly #pools = new Map<string, Pool>();
  readonly #opts: PoolOptions;
  readonly #proxy: ProxyResolver | undefined;
  #closed = false;
  #destroyed = false;

  /** TypeError for bad options or a bad proxy URL. */
  constructor(opts: AgentOptions = {}) {
    super();
    const { proxy, ...poolOpts } = opts;
    resolvePoolOptions(poolOpts);
    this.#opts = poolOpts;
    this.#proxy = proxy === undefined ? undefined : new ProxyResolver(proxy, process.env);
  }

  /**
   * Send a request to `url` (a full http: or https: URL) through the pool of its origin.
   * Errors: those of Pool.request; TransportError `pool_closed` after close/destroy.
   */
  request(url: string | URL, init: RequestOptions = NO_OPTIONS): Promise<PoolResponse> {
    const rx = new PromiseReceiver(init.onInformational);
    this.send(url, init, rx);
    return rx.promise;
  }

  /** request() with the response pushed to `receiver` (see Pool.send). */
  send(url: string | URL, init: RequestOptions, receiver: ResponseReceiver): RequestControl {
    if (typeof url === "string") {
      // A URL on an origin seen before, whose path parsing would leave as it is, skips the
      // URL parser: the pool is found by the `scheme://authority` prefix as written. The
      // prefix used last is checked first, in place (no slice, no hashing, no map lookup).
      const last = this.#lastPrefix;
      // (indexOf, not startsWith: optimized code compares a concatenated URL char by char.)
      if (last.length !== 0 && url.indexOf(last) === 0) {
        // isPlainPath checks that the rest starts with "/": the prefix is the whole authority.
        const path = url.slice(last.length);
        if (isPlainPath(path)) return this.#lastPool!.send(path, init, receiver);
      }
      const slash = url.indexOf("/", url.indexOf("//") + 2);
      const key = slash > 0 ? this.#prefixKey.get(url.slice(0, slash)) : undefined;
      if (key !== undefined) {
        const pool = this.#pools.get(key);
        const path = url.slice(slash);
        if (pool !== undefined && isPlainPath(path)) {
          this.#lastPrefix = url.slice(0, slash);
          this.#lastPool = pool;
          return pool.send(path, init, receiver);
        }
      }
    }
    let u: URL, origin: PoolOrigin;
    try {
      u = typeof url === "string" ? new URL(url) : url;
      if (!(u instanceof URL)) throw new TypeError("url must be a string or a URL");
      origin = originOfURL(u);
    } catch (err) {
      receiver.error(err as Error);
      return NO_CONTROL;
    }
    const pool = this.#poolFor(origin);
    if (pool === undefined) {
      receiver.error(poolError("pool_closed", "the agent is closed"));
      return NO_CONTROL;
    }
    if (typeof url === "string") this.#rememberPrefix(url, u, originKey(origin));
    return pool.send(u, init, receiver);
  }

  /** `scheme://authority` prefixes as callers wrote them → their pool key (see request()). */
  readonly #prefixKey = new Map<string, string>();
  /** The prefix of #prefixKey used last ("" for none) and its pool, while that pool is in #pools. */
  #lastPrefix = "";
  #lastPool: Pool | undefined;

  /**
   * Remember `url`'s prefix when the parser kept its path as written and the prefix holds
   * nothing that could make the authority end elsewhere for another path.
   */
  #rememberPrefix(url: string, u: URL, key: string): void {
    const slash = url.indexOf("/", url.indexOf("//") + 2);
    if (slash <= 0 || this.#prefixKey.has(url.slice(0, slash))) return;
    const prefix = url.slice(0, slash);
    const path = url.slice(slash);
    // RFC 3986 §3.2: the authority ends at "/", "?" or "#"; WHATWG URL also at "\".
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[A-Za-z0-9.:[\]-]+$/.test(prefix) || !isPlainPath(path) || u.pathname + u.search !== path) return;
    if (this.#prefixKey.size >= 1024) this.#prefixKey.clear();
    this.#prefixKey.set(prefix, key);
  }

  /** The pool of `origin`, made on first use; undefined once the Agent is closed. */
  #poolFor(origin: PoolOrigin): Pool | undefined {
    const key = originKey(origin);
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      if (this.#closed) return undefined;
      let connect = this.#opts.connect ?? {};
      const p = this.#proxy?.proxyFor(origin);
      if (p !== undefined) connect = { ...connect, proxy: p.proxy, proxyHeaders: [...(connect.proxyHeaders ?? []), ...p.proxyHeaders] };
      pool = new Pool(key, { ...this.#opts, connect });
      // A pool with nothing left is dropped, so an Agent that meets many origins stays small.
      pool[ON_EMPTY] = (p) => {
        if (!this.#closed && this.#pools.get(key) === p) {
          this.#pools.delete(key);
          if (this.#lastPool === p) {
            this.#lastPrefix = "";
            this.#lastPool = undefined;
          }
        }
      };
      pool.on("connect", (url: URL, targets: unknown[]) => this.emit("connect", url, [this, ...targets]));
      pool.on("disconnect", (url: URL, targets: unknown[], err: Error) => this.emit("disconnect", url, [this, ...targets], err));
      pool.on("connectionError", (url: URL, targets: unknown[], err: Error) => this.emit("connectionError", url, [this, ...targets], err));
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /**
   * undici's Dispatcher.dispatch: `opts.origin` picks the pool. Returns false when the
   * request could not start or that origin's queue is full ("drain" follows). Never throws,
   * except TypeError when `handler` is not an object.
   */
  dispatch(opts: DispatchOptions, handler: DispatchHandler): boolean {
    return dispatch(this, opts, handler);
  }

  readonly dispatchOrigin = undefined;

  get dispatchState(): "open" | "closed" | "destroyed" {
    return this.#destroyed ? "destroyed" : this.#closed ? "closed" : "open";
  }

  /**
   * Dispatched requests: `origin` as the caller wrote it → its pool key, so that URLs are
   * parsed once per origin (the pool itself is looked up each time: empty pools are dropped).
   */
  readonly #keyOf = new Map<string, string>();

  #poolOf(origin: string): Pool | undefined {
    const key = this.#keyOf.get(origin);
    return key === undefined ? undefined : this.#pools.get(key);
  }

  dispatchRequest(origin: string, path: string, init: RequestOptions, receiver: ResponseReceiver): RequestControl {
    const known = this.#poolOf(origin);
    if (known !== undefined && path.startsWith("/")) return known.send(path, init, receiver);
    if (!this.#keyOf.has(origin)) {
      try {
        if (this.#keyOf.size >= 1024) this.#keyOf.clear();
        this.#keyOf.set(origin, originKey(originOfURL(new URL(origin))));
      } catch {
        // A bad origin: request() rejects it.
      }
    }
    return this.send(origin + path, init, receiver);
  }

  dispatchUpgrade(origin: string, path: string, init: { method: string; headers: Headers; signal?: AbortSignal; headersTimeout?: number }): Promise<Upgraded> {
    let pool: Pool | undefined;
    try {
      pool = this.#poolFor(originOfURL(new URL(origin)));
    } catch (err) {
      return Promise.reject(err);
    }
    if (pool === undefined) return Promise.reject(poolError("pool_closed", "the agent is closed"));
    return pool.upgrade(path, init);
  }

  /** Whether the pool of `origin` has as many requests waiting as `maxQueued` allows. */
  queueFull(origin: string): boolean {
    return this.#poolOf(origin)?.queueFull() ?? false;
  }

  /** Close every pool gracefully (see Pool.close); with `callback`, undici's style. */
  close(callback?: Callback): Promise<void> {
    if (callback !== undefined) return settle(this.close(), callback);
    this.#closed = true;
    return Promise.all([...this.#pools.values()].map((p) => p.close())).then(() => {});
  }

  /** Destroy every pool (see Pool.destroy); with `callback`, undici's style. */
  destroy(err?: Error | Callback | null, callback?: Callback): Promise<void> {
    if (typeof err === "function") return settle(this.destroy(), err);
    if (callback !== undefined) return settle(this.destroy(err), callback);
    this.#closed = true;
    this.#destroyed = true;
    return Promise.all([...this.#pools.values()].map((p) => p.destroy(err ?? undefined))).then(() => {});
  }

  /** Each pool's stats, keyed by origin (`scheme://host:port`). */
  stats(): Record<string, PoolStats> {
    const out: Record<string, PoolStats> = {};
    for (const [key, pool] of this.#pools) out[key] = pool.stats();
    return out;
  }
}
