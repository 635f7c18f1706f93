// Which proxy a pool's connections go through. A proxy URL (http: or https:) applies to
// every origin; its userinfo becomes a Basic Proxy-Authorization header (RFC 7617).
// "env" (HTTP_PROXY / HTTPS_PROXY / NO_PROXY) is resolved to no proxy here.

import { basicProxyAuth, type Headers, type ProxyOptions } from "../index.js";
import type { PoolOrigin } from "./origin.js";

/** connect()'s `proxy` option. */
export type ProxyConfig = ProxyOptions;

export class ProxyResolver {
  readonly #proxy: { proxy: ProxyConfig; proxyHeaders: Headers } | undefined;

  /** TypeError for a proxy URL that is not http: or https:. */
  constructor(spec: string | URL | "env", env?: Record<string, string | undefined>) {
    void env;
    if (spec === "env") return;
    const url = spec instanceof URL ? spec : new URL(spec);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`a proxy URL must be http: or https:, got ${url.protocol}`);
    const scheme = url.protocol === "https:" ? "https" : "http";
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port === "" ? (scheme === "https" ? 443 : 80) : Number(url.port);
    const proxyHeaders: Headers = [];
    if (url.username !== "" || url.password !== "") {
      proxyHeaders.push(basicProxyAuth(decodeURIComponent(url.username), decodeURIComponent(url.password)));
    }
    this.#proxy = { proxy: { scheme, address: host, port }, proxyHeaders };
  }

  /** The proxy for `origin`, or undefined to connect directly. */
  proxyFor(origin: PoolOrigin): { proxy: ProxyConfig; proxyHeaders: Headers } | undefined {
    void origin;
    return this.#proxy;
  }
}
