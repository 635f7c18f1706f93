// Proxy selection: http targets go through a forward proxy (absolute-form requests over
// HTTP/1), https targets through a CONNECT tunnel (then TLS and ALPN to the target).

import type { Connection } from "../connection/connection.js";
import { isFieldValue, isToken } from "../core/headers.js";
import { HTTPError } from "../errors.js";
import { type ConnectOptions, validateConnectOptions } from "../options.js";
import { alpnFor } from "../negotiate.js";
import { validateTransportOptions } from "../transport/options.js";
import { prepareTLS } from "../transport/tls.js";
import type { Headers, Scheme } from "../types.js";
import { connectForward } from "./forward.js";
import { proxyHost } from "./reach-proxy.js";
import { connectTunnel } from "./tunnel.js";

export { basicProxyAuth } from "./auth.js";

/**
 * Connect to `host:port` through `opts.proxy`: a forward proxy for http, a CONNECT tunnel
 * for https. The proxy socket uses only `opts.proxy.opts` (its transportOpts, hostname,
 * connect timeout); the target's transportOpts and hostname apply to the target alone.
 *
 * Errors: HTTPError("proxy") `tunnel_timeout`, `unexpected_status` (details.status),
 * `invalid_status_line`, `invalid_header`, `max_header_list_size_exceeded`,
 * `invalid_header_name`, `invalid_header_value` (a bad proxy header); TransportError
 * unwrapped from either socket. TypeError for bad proxy options (before any socket opens).
 */
export async function connectViaProxy(scheme: Scheme, host: string, port: number, hostname: string, opts: ConnectOptions): Promise<Connection> {
  const proxy = opts.proxy;
  if (proxy === undefined) throw new TypeError("connectViaProxy needs opts.proxy");
  const proxyOpts = proxy.opts ?? {};
  if (typeof proxyOpts !== "object" || proxyOpts === null) throw new TypeError("proxy.opts must be an object");
  validateConnectOptions(proxyOpts);
  if (proxyOpts.proxy !== undefined) throw new TypeError("proxy.opts cannot itself contain a proxy");
  validateTransportOptions(proxyOpts.transportOpts);
  checkProxyHeaders(opts.proxyHeaders ?? []);
  // The TLS settings of both hops are built and checked before the proxy socket is opened.
  const proxyTLS = proxy.scheme === "https"
    ? prepareTLS(proxyOpts.transportOpts ?? {}, proxyOpts.hostname ?? proxyHost(proxy), proxy.port, ["http/1.1"])
    : undefined;
  if (scheme === "http") return connectForward(host, port, hostname, opts, proxy, proxyTLS);
  const targetTLS = prepareTLS(opts.transportOpts ?? {}, hostname, port, alpnFor("https", opts.protocols ?? ["http1", "http2"]));
  return connectTunnel(host, port, hostname, opts, proxy, proxyTLS, targetTLS);
}

/**
 * Proxy headers are checked before any socket is opened, as a request's headers are.
 * Errors: HTTPError("proxy") `invalid_header_name` (details.name), `invalid_header_value`
 * (details.name, details.value).
 */
function checkProxyHeaders(headers: Headers): void {
  for (const [name, value] of headers) {
    // RFC 9110 §5.1: a field name is a token.
    if (!isToken(name)) throw new HTTPError("proxy", "invalid_header_name", `proxy header name ${JSON.stringify(name)} is not a valid token`, { name });
    // RFC 9110 §5.5: no CR, LF or NUL in a field value.
    if (!isFieldValue(value)) {
      throw new HTTPError("proxy", "invalid_header_value", `proxy header ${name} has a value with characters not allowed in a field (CR, LF, NUL, controls)`, { name, value });
    }
  }
}
