// Agent: one Pool per origin (`scheme://host:port`), made on first use with the Agent's
// options and, when a proxy applies to that origin, its proxy merged into the pool's
// connect options. A pool whose last connection closed with nothing waiting is dropped.

import type { PoolResponse } from "./exchange.js";
import { resolvePoolOptions, type AgentOptions, type PoolOptions, type RequestOptions } from "./options.js";
import { originKey, originOfURL, type PoolOrigin } from "./origin.js";
import { ON_EMPTY, Pool } from "./pool.js";
import { poolError } from "./errors.js";
import { ProxyResolver } from "./proxy-env.js";
import type { PoolStats } from "./stats.js";

export class Agent {
  readonly #pools = new Map<string, Pool>();
  readonly #opts: PoolOptions;
  readonly #proxy: ProxyResolver | undefined;
  #closed = false;

  /** TypeError for bad options or a bad proxy URL. */
  constructor(opts: AgentOptions = {}) {
    const { proxy, ...poolOpts } = opts;
    resolvePoolOptions(poolOpts);
    this.#opts = poolOpts;
    this.#proxy = proxy === undefined ? undefined : new ProxyResolver(proxy, process.env);
  }

  /**
   * Send a request to `url` (a full http: or https: URL) through the pool of its origin.
   * Errors: those of Pool.request; TransportError `pool_closed` after close/destroy.
   */
  request(url: string | URL, init?: RequestOptions): Promise<PoolResponse> {
    let u: URL, origin: PoolOrigin;
    try {
      u = typeof url === "string" ? new URL(url) : url;
      if (!(u instanceof URL)) throw new TypeError("url must be a string or a URL");
      origin = originOfURL(u);
    } catch (err) {
      return Promise.reject(err);
    }
    const key = originKey(origin);
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      if (this.#closed) return Promise.reject(poolError("pool_closed", "the agent is closed"));
      let connect = this.#opts.connect ?? {};
      const p = this.#proxy?.proxyFor(origin);
      if (p !== undefined) connect = { ...connect, proxy: p.proxy, proxyHeaders: [...(connect.proxyHeaders ?? []), ...p.proxyHeaders] };
      pool = new Pool(key, { ...this.#opts, connect });
      // A pool with nothing left is dropped, so an Agent that meets many origins stays small.
      pool[ON_EMPTY] = (p) => {
        if (!this.#closed && this.#pools.get(key) === p) this.#pools.delete(key);
      };
      this.#pools.set(key, pool);
    }
    return pool.request(u, init);
  }

  /** Close every pool gracefully (see Pool.close). */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#pools.values()].map((p) => p.close()));
  }

  /** Destroy every pool (see Pool.destroy). */
  async destroy(err?: Error): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#pools.values()].map((p) => p.destroy(err)));
  }

  /** Each pool's stats, keyed by origin (`scheme://host:port`). */
  stats(): Record<string, PoolStats> {
    const out: Record<string, PoolStats> = {};
    for (const [key, pool] of this.#pools) out[key] = pool.stats();
    return out;
  }
}
