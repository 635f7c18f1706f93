// The pools the command's transfers go through: one Pool per place connected to, so that
// several URLs (and redirects) to the same origin share connections.
//
// --resolve and --connect-to change where a URL's connection goes, not what the request
// says: the pool is made for the address connected to, with `hostname` (Host, SNI and
// certificate checks) kept from the URL, and the request carries the URL's own Host.

import { basicProxyAuth, type ConnectOptions, type Headers, type Scheme } from "../index.js";
import { Pool, type PoolResponse, type RequestOptions } from "../pool/index.js";
import type { CliOptions, Reroute } from "./args.js";

/** Where a URL's connection goes. */
export interface Route {
  scheme: Scheme;
  host: string;
  port: number;
  /** Whether --resolve or --connect-to changed it. */
  rerouted: boolean;
}

/** The port of a URL, defaults filled in. */
export function portOf(url: URL): number {
  return url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

/** The URL's host name without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/** Apply the first matching --resolve / --connect-to rule. */
export function routeOf(url: URL, reroutes: readonly Reroute[]): Route {
  const scheme: Scheme = url.protocol === "https:" ? "https" : "http";
  const host = hostOf(url);
  const port = portOf(url);
  for (const r of reroutes) {
    if (r.host !== "" && r.host !== host.toLowerCase()) continue;
    if (r.port !== undefined && r.port !== port) continue;
    return { scheme, host: r.toHost === "" ? host : r.toHost, port: r.toPort ?? port, rerouted: true };
  }
  return { scheme, host, port, rerouted: false };
}

/** One Pool per route and host name, made on first use. */
export class PoolSet {
  readonly #pools = new Map<string, Pool>();
  readonly #options: CliOptions;

  constructor(options: CliOptions) {
    this.#options = options;
  }

  /**
   * Send one request for `url` through its pool. Rejects as Pool.request does
   * (TransportError/HTTPError reasons of the connection and the pool).
   */
  request(url: URL, init: RequestOptions & { headers: Headers }): Promise<PoolResponse> {
    const route = routeOf(url, this.#options.reroutes);
    const hostname = hostOf(url);
    const key = `${route.scheme}://${route.host}:${route.port}/${hostname}`;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      const address = route.host.includes(":") ? `[${route.host}]` : route.host;
      pool = new Pool(`${route.scheme}://${address}:${route.port}`, {
        connect: this.#connectOptions(route.rerouted ? hostname : undefined),
        keepAliveTimeout: 30_000,
        headersTimeout: 3_600_000,
        bodyTimeout: 3_600_000,
        queueTimeout: 3_600_000,
      });
      this.#pools.set(key, pool);
    }
    const headers = route.rerouted && !init.headers.some(([n]) => n.toLowerCase() === "host")
      ? [["host", url.host] as [string, string], ...init.headers]
      : init.headers;
    return pool.request(`${url.pathname || "/"}${url.search}`, { ...init, headers });
  }

  /** Close every pool (waits for transfers still running). */
  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((p) => p.destroy()));
  }

  #connectOptions(hostname: string | undefined): ConnectOptions {
    const options = this.#options;
    const transportOpts: Record<string, unknown> = {};
    if (options.cacert !== undefined) transportOpts.cacertfile = options.cacert;
    if (options.insecure) transportOpts.verify = "verify_none";
    const limit = options.connectTimeout ?? options.maxTime;
    if (limit !== undefined) transportOpts.timeout = Math.ceil(limit * 1000);
    const opts: ConnectOptions = { transportOpts, optionalResponses: ["status_reason"] };
    if (hostname !== undefined) opts.hostname = hostname;
    if (options.protocols !== undefined) opts.protocols = options.protocols;
    const proxy = options.proxy;
    if (proxy !== undefined) {
      const proxyScheme: Scheme = proxy.protocol === "https:" ? "https" : "http";
      opts.proxy = {
        scheme: proxyScheme,
        address: proxy.hostname,
        port: portOf(proxy),
        opts: { transportOpts: { ...transportOpts } },
      };
      if (proxy.username !== "" || proxy.password !== "") {
        opts.proxyHeaders = [basicProxyAuth(decodeURIComponent(proxy.username), decodeURIComponent(proxy.password))];
      }
    }
    return opts;
  }
}
