// Which proxy a pool's connections go through, from a proxy URL or from the environment.
//
// How this works: a proxy URL (http: or https:) applies to every origin and becomes
// connect()'s `proxy` option; its userinfo, percent-decoded, becomes a Basic
// `proxy-authorization` header (RFC 7617 §2). With "env" the variables are read once, at
// construction, by the rules of undici's EnvHttpProxyAgent:
// - http: origins use `http_proxy`, else `HTTP_PROXY`; https: origins use `https_proxy`, else
//   `HTTPS_PROXY`, else the http proxy. The lowercase name wins whenever it is set, even to ""
//   (then no proxy of that kind); an empty value means none.
// - `no_proxy`, else `NO_PROXY`, is split on commas and whitespace. The whole value "*"
//   turns the proxy off everywhere. Each entry is a host name or IP, optionally with
//   ":port" (then only that port matches) and a leading "." or "*." (dropped); it matches
//   the host itself and every subdomain of it, case-insensitively. IPv6 entries are written
//   in brackets ("[::1]", "[::1]:8080"); a bare IPv6 literal ("::1") is also understood.
// - A proxy value without a scheme ("proxy.internal:3128") is read as http://.

import type { Headers, ProxyOptions } from "../index.js";
import type { PoolOrigin } from "./origin.js";

/** connect()'s `proxy` option. */
export type ProxyConfig = ProxyOptions;

/** What a proxy adds to connect()'s options. */
export interface ProxyChoice {
  proxy: ProxyConfig;
  proxyHeaders: Headers;
}

interface NoProxyEntry {
  hostname: string;
  port: number; // 0: any port
}

type Env = Record<string, string | undefined>;

export class ProxyResolver {
  readonly #http: ProxyChoice | undefined;
  readonly #https: ProxyChoice | undefined;
  readonly #noProxyAll: boolean;
  readonly #noProxy: NoProxyEntry[];

  /**
   * A fixed proxy URL, or "env" to read HTTP_PROXY / HTTPS_PROXY / NO_PROXY (and their
   * lowercase forms) from `env` (default `process.env`) now.
   *
   * @throws TypeError when a proxy URL cannot be parsed or its scheme is not http: or https:.
   */
  constructor(spec: string | URL | "env", env?: Env) {
    if (spec === "env") {
      const e = env ?? process.env;
      const httpProxy = e.http_proxy ?? e.HTTP_PROXY;
      const httpsProxy = e.https_proxy ?? e.HTTPS_PROXY;
      this.#http = httpProxy ? parseProxy(httpProxy, "HTTP_PROXY") : undefined;
      this.#https = httpsProxy ? parseProxy(httpsProxy, "HTTPS_PROXY") : this.#http;
      const noProxy = e.no_proxy ?? e.NO_PROXY ?? "";
      this.#noProxyAll = noProxy === "*";
      this.#noProxy = parseNoProxy(noProxy);
    } else {
      if (typeof spec !== "string" && !(spec instanceof URL)) throw new TypeError('proxy must be a URL string, a URL or "env"');
      this.#http = this.#https = parseProxy(spec, "proxy");
      this.#noProxyAll = false;
      this.#noProxy = [];
    }
  }

  /** The proxy for `origin` and the headers it needs, or undefined to connect directly. */
  proxyFor(origin: PoolOrigin): ProxyChoice | undefined {
    const choice = origin.scheme === "https" ? this.#https : this.#http;
    if (choice === undefined || !this.#shouldProxy(origin)) return undefined;
    return { proxy: { ...choice.proxy }, proxyHeaders: choice.proxyHeaders.map(([n, v]) => [n, v]) };
  }

  #shouldProxy(origin: PoolOrigin): boolean {
    if (this.#noProxy.length === 0) return true;
    if (this.#noProxyAll) return false;
    const host = bracket(origin.host.toLowerCase());
    for (const entry of this.#noProxy) {
      if (entry.port !== 0 && entry.port !== origin.port) continue;
      if (host === entry.hostname || host.endsWith(`.${entry.hostname}`)) return false;
    }
    return true;
  }
}

/** A proxy URL: http: or https:, the port defaulting to 80/443, userinfo as Basic credentials. */
function parseProxy(spec: string | URL, what: string): ProxyChoice {
  let url: URL;
  try {
    url = spec instanceof URL ? spec : new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) ? spec : `http://${spec}`);
  } catch {
    throw new TypeError(`${what} is not a valid proxy URL: ${JSON.stringify(String(spec))}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`${what} must be an http: or https: URL, got ${url.protocol}`);
  }
  const scheme = url.protocol === "https:" ? "https" : "http";
  const address = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  if (address === "") throw new TypeError(`${what} has no host: ${JSON.stringify(url.href)}`);
  const port = url.port === "" ? (scheme === "https" ? 443 : 80) : Number(url.port);
  const proxyHeaders: Headers = [];
  if (url.username !== "" || url.password !== "") {
    // RFC 7617 §2: user-id ":" password, UTF-8, base64. URL userinfo is percent-encoded.
    const credentials = `${decode(url.username, what)}:${decode(url.password, what)}`;
    proxyHeaders.push(["proxy-authorization", `Basic ${Buffer.from(credentials, "utf8").toString("base64")}`]);
  }
  return { proxy: { scheme, address, port }, proxyHeaders };
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new TypeError(`${what} has badly percent-encoded credentials`);
  }
}

/** NO_PROXY entries: split on commas and whitespace; "host", ".suffix", "*.suffix", "host:port". */
function parseNoProxy(value: string): NoProxyEntry[] {
  const entries: NoProxyEntry[] = [];
  for (const raw of value.split(/[,\s]/)) {
    if (raw === "") continue;
    if (isBareIPv6(raw)) {
      entries.push({ hostname: `[${raw.toLowerCase()}]`, port: 0 });
      continue;
    }
    const m = /^(.+):(\d+)$/.exec(raw);
    const host = m ? m[1]! : raw;
    entries.push({ hostname: host.replace(/^\*?\./, "").toLowerCase(), port: m ? Number.parseInt(m[2]!, 10) : 0 });
  }
  return entries;
}

/** "::1", "2001:db8::1": two colons or more and only hex digits, colons and dots. */
function isBareIPv6(s: string): boolean {
  return /^[0-9a-f:.]+$/i.test(s) && (s.match(/:/g)?.length ?? 0) >= 2;
}

/** Hosts compare as a URL's host does: IPv6 in brackets. */
function bracket(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
