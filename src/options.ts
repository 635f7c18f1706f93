// ConnectOptions: the options of `connect`, their defaults and their validation.
// Misuse (an unknown mode, a wrong type) is a TypeError naming the option. Every check here
// runs before a socket is opened: `connect` refuses bad options without touching the network.

import { validateClientSettings } from "./core/http2/settings.js";
import type { TransportOptions } from "./transport/options.js";
import type { Headers, HTTP2Settings, Protocol, Scheme } from "./types.js";

/** Where a proxy is and how to reach it. */
export interface ProxyOptions {
  /** How to reach the proxy: plain TCP or TLS. */
  scheme: Scheme;
  /** The proxy's host name or IP address. */
  address: string;
  /** The proxy's port. */
  port: number;
  /** The proxy connection's own options, plus `tunnelTimeout` (ms, default 30000). */
  opts?: ConnectOptions & { tunnelTimeout?: number };
}

/** Options of {@link connect}; each as in Mint's `connect/4`, camelCased. */
export interface ConnectOptions {
  /** Host header / `:authority`, SNI and certificate verification; defaults to `address`. */
  hostname?: string;
  /** Socket and TLS options merged over the secure defaults. */
  transportOpts?: TransportOptions;
  /** `"active"` (default: parts arrive as events) or `"passive"` (read with `recv`). */
  mode?: "active" | "passive";
  /** One protocol forces it; both (default) negotiate: http → HTTP/1, https → ALPN. */
  protocols?: Protocol[];
  /** Go through this proxy: a forward proxy for http targets, a CONNECT tunnel for https. */
  proxy?: ProxyOptions;
  /** Sent on CONNECT (tunnel) or added to every request (forward proxy). */
  proxyHeaders?: Headers;
  /** HTTP/2 SETTINGS sent in the preface. */
  clientSettings?: Partial<HTTP2Settings>;
  /** Debug logging of the connection's traffic: true for stderr, or a function taking each line. */
  log?: boolean | ((line: string) => void);
  /** Cap on one response header (or trailer) section, in bytes (256 KiB). */
  maxHeaderListSize?: number;
  /** HTTP/2 connection receive window (16 MiB). */
  connectionWindowSize?: number;
  /** HTTP/2: refill a receive window once this little is left (160000). */
  receiveWindowUpdateThreshold?: number;
  /** HTTP/1: keep the caller's header-name casing. */
  caseSensitiveHeaders?: boolean;
  /** HTTP/1: do not validate the request target. */
  skipTargetValidation?: boolean;
  /** `["status_reason"]` turns on `status_reason` parts. */
  optionalResponses?: Array<"status_reason">;
}

const KNOWN = new Set([
  "hostname", "transportOpts", "mode", "protocols", "proxy", "proxyHeaders", "clientSettings", "log",
  "maxHeaderListSize", "connectionWindowSize", "receiveWindowUpdateThreshold", "caseSensitiveHeaders",
  "skipTargetValidation", "optionalResponses", "tunnelTimeout",
]);

/**
 * Check `opts` (every ConnectOptions entry: type, range, host syntax, HTTP/2 settings);
 * throws TypeError naming the first bad option. `transportOpts` contents are checked by
 * validateTransportOptions.
 */
export function validateConnectOptions(opts: ConnectOptions): void {
  if (typeof opts !== "object" || opts === null) throw new TypeError("connect options must be an object");
  for (const key of Object.keys(opts)) {
    if (!KNOWN.has(key)) throw new TypeError(`unknown connect option "${key}"`);
  }
  if (opts.hostname !== undefined && (typeof opts.hostname !== "string" || opts.hostname === "")) {
    throw new TypeError("option hostname must be a non-empty string");
  }
  if (opts.hostname !== undefined) checkHost(opts.hostname, "option hostname");
  if (opts.mode !== undefined && opts.mode !== "active" && opts.mode !== "passive") {
    throw new TypeError(`option mode must be "active" or "passive", got ${String(opts.mode)}`);
  }
  if (opts.protocols !== undefined) {
    if (!Array.isArray(opts.protocols) || opts.protocols.length === 0) throw new TypeError("option protocols must be a non-empty array");
    for (const p of opts.protocols) if (p !== "http1" && p !== "http2") throw new TypeError(`unknown protocol "${String(p)}" in option protocols`);
  }
  if (opts.log !== undefined && typeof opts.log !== "boolean" && typeof opts.log !== "function") {
    throw new TypeError("option log must be a boolean or a function");
  }
  if (opts.transportOpts !== undefined && (typeof opts.transportOpts !== "object" || opts.transportOpts === null)) {
    throw new TypeError("option transportOpts must be an object");
  }
  if (opts.proxyHeaders !== undefined) checkHeaders(opts.proxyHeaders, "proxyHeaders");
  for (const key of ["maxHeaderListSize", "connectionWindowSize", "receiveWindowUpdateThreshold"] as const) {
    const v = opts[key];
    if (v !== undefined && !(v === Infinity || (Number.isInteger(v) && v > 0))) throw new TypeError(`option ${key} must be a positive integer`);
  }
  if (opts.connectionWindowSize !== undefined && (opts.connectionWindowSize < 65535 || opts.connectionWindowSize > 2 ** 31 - 1)) {
    throw new TypeError("option connectionWindowSize must be between 65535 and 2^31-1");
  }
  for (const key of ["caseSensitiveHeaders", "skipTargetValidation"] as const) {
    if (opts[key] !== undefined && typeof opts[key] !== "boolean") throw new TypeError(`option ${key} must be a boolean`);
  }
  if (opts.clientSettings !== undefined) {
    try {
      validateClientSettings(opts.clientSettings);
    } catch (err) {
      throw new TypeError(`option clientSettings: ${(err as Error).message}`);
    }
  }
  const t = (opts as { tunnelTimeout?: unknown }).tunnelTimeout;
  if (t !== undefined && !(typeof t === "number" && (t === Infinity || (Number.isFinite(t) && t >= 0)))) {
    throw new TypeError(`option tunnelTimeout must be a non-negative number of milliseconds or Infinity, got ${String(t)}`);
  }
  if (opts.optionalResponses !== undefined) {
    if (!Array.isArray(opts.optionalResponses)) throw new TypeError("option optionalResponses must be an array");
    for (const r of opts.optionalResponses) if (r !== "status_reason") throw new TypeError(`unknown optional response "${String(r)}"`);
  }
  if (opts.proxy !== undefined) {
    const p = opts.proxy;
    if (typeof p !== "object" || p === null) throw new TypeError("option proxy must be { scheme, address, port, opts? }");
    if (p.scheme !== "http" && p.scheme !== "https") throw new TypeError('proxy.scheme must be "http" or "https"');
    if (typeof p.address !== "string" || p.address === "") throw new TypeError("proxy.address must be a host name or IP address");
    checkHost(p.address, "proxy.address");
    if (!Number.isInteger(p.port) || p.port <= 0 || p.port > 65535) throw new TypeError("proxy.port must be a port number");
  }
}

/**
 * Throws TypeError unless `host` can be a URI host (RFC 3986 §3.2.2): an IP literal (IPv6
 * with or without brackets) or a registered name. Refused: empty, controls (C0, DEL, C1),
 * space, and the characters that end or split an authority ("/", "?", "#", "@", "\\",
 * "[", "]", ":" outside an IPv6 literal) — they would reach the Host header, `:authority`,
 * SNI and the certificate check as something else than a host.
 */
export function checkHost(host: string, what: string): void {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const ipv6 = bare.includes(":");
  // RFC 3986 §3.2.2 IP-literal / RFC 6874 zone ID; the address itself is checked by the socket.
  const ok = ipv6
    ? /^[0-9A-Fa-f:.]+(%[A-Za-z0-9._~-]+)?$/.test(bare) && bare.indexOf(":") !== bare.lastIndexOf(":")
    : bare === host && /^[^\x00-\x20\x7f-\x9f/?#@\\[\]:<>"{}|^`]+$/.test(bare);
  if (!ok) throw new TypeError(`${what} must be a host name or an IP address, got ${JSON.stringify(host)}`);
}

/** Throws TypeError unless `headers` is an array of [string, string] pairs. */
export function checkHeaders(headers: unknown, what: string): asserts headers is Headers {
  if (!Array.isArray(headers)) throw new TypeError(`${what} must be an array of [name, value] pairs`);
  for (const h of headers) {
    if (!Array.isArray(h) || h.length !== 2 || typeof h[0] !== "string" || typeof h[1] !== "string") {
      throw new TypeError(`${what} must be an array of [name, value] string pairs`);
    }
  }
}
