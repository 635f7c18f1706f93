// The facade: `connect(scheme, address, port, opts)` validates options, opens the socket
// (TCP or Unix), goes through a proxy when asked, and hands over to openConnection for
// TLS, ALPN and the protocol engine.
//
// Every option that can be refused is refused before a socket is opened: the shapes and
// ranges (options.ts, transport/options.ts), the address and host names, and the TLS
// settings OpenSSL must judge (prepareTLS: cipher names, certificate and key, trust store).
// What can only fail once a socket exists (the handshake, ALPN, the proxy's answer) destroys
// that socket on its failure path.
//
// Every connection that opens is published on the diagnostics channel
// `mint-http:connection:open` ({ connection, scheme, address, port, hostname }), so that code
// that does not open connections itself (a tool driving a Pool, a tracer) can see them.

import diagnosticsChannel from "node:diagnostics_channel";
import type { Connection } from "./connection/connection.js";
import { authorityOf, openConnection } from "./connection/open.js";
import { isAuthority } from "./core/uri-parts.js";
import { checkHost, type ConnectOptions, validateConnectOptions } from "./options.js";
import { alpnFor } from "./negotiate.js";
import { connectViaProxy } from "./proxy/index.js";
import { connectTCP, describe, type TCPTarget } from "./transport/tcp.js";
import { prepareTLS } from "./transport/tls.js";
import { resolveDeadline, validateTransportOptions } from "./transport/options.js";
import type { Scheme } from "./types.js";

/**
 * Open a connection to `address:port` over `scheme`, speaking HTTP/1.1 or HTTP/2.
 *
 * `address` is a host name, an IPv4/IPv6 literal, or `{ path }` for a Unix domain socket
 * (then `opts.hostname` is required and `port` is ignored).
 *
 * Rejects with TransportError (`timeout`, `econnrefused`, `enotfound`, `tls_alert`,
 * `bad_alpn_protocol`, `protocol_not_negotiated`, ...) or HTTPError (proxy
 * `tunnel_timeout`, `unexpected_status`); rejects with TypeError for bad options, a bad
 * address or host name, and TLS settings OpenSSL refuses, all before any socket is opened.
 * On every failure the sockets it opened are destroyed.
 */
export async function connect(scheme: Scheme, address: string | { path: string }, port: number, opts: ConnectOptions = {}): Promise<Connection> {
  const connection = await open(scheme, address, port, opts);
  if (connectionChannel.hasSubscribers) {
    connectionChannel.publish({ connection, scheme, address, port, hostname: opts.hostname ?? (typeof address === "string" ? address : undefined) });
  }
  return connection;
}

/** Name of the diagnostics channel on which every opened connection is published. */
export const CONNECTION_OPEN_CHANNEL = "mint-http:connection:open";
const connectionChannel = diagnosticsChannel.channel(CONNECTION_OPEN_CHANNEL);

async function open(scheme: Scheme, address: string | { path: string }, port: number, opts: ConnectOptions = {}): Promise<Connection> {
  if (scheme !== "http" && scheme !== "https") throw new TypeError(`scheme must be "http" or "https", got ${String(scheme)}`);
  validateConnectOptions(opts);
  const transportOpts = opts.transportOpts ?? {};
  validateTransportOptions(transportOpts);
  let target: TCPTarget;
  let hostname: string;
  if (typeof address === "string") {
    if (address === "") throw new TypeError("address must be a host name, an IP address or { path }");
    checkHost(address, "address");
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new TypeError(`port must be an integer in 1..65535, got ${String(port)}`);
    const host = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
    target = { host, port };
    hostname = opts.hostname ?? host;
  } else if (typeof address === "object" && address !== null && typeof address.path === "string") {
    if (address.path === "" || address.path.includes("\0")) throw new TypeError(`a Unix socket path must be a non-empty string without NUL, got ${JSON.stringify(address.path)}`);
    if (opts.hostname === undefined) throw new TypeError("the hostname option is required when connecting to a Unix socket");
    target = { path: address.path };
    hostname = opts.hostname;
  } else {
    throw new TypeError("address must be a host name, an IP address or { path }");
  }
  // RFC 9113 §8.3.1, RFC 9110 §7.2: the name becomes Host / :authority; refuse one that would
  // carry userinfo, spaces, CR, LF or NUL before any socket opens.
  if (!isAuthority(authorityOf(scheme, hostname, 1))) {
    throw new TypeError(`hostname ${JSON.stringify(hostname)} cannot be used as a Host or :authority: use a host name or an IP address`);
  }
  if (opts.proxy !== undefined) {
    if (target.host === undefined) throw new TypeError("a proxy cannot be used with a Unix socket address");
    return connectViaProxy(scheme, target.host, port, hostname, opts);
  }
  const prepared = scheme === "https" ? prepareTLS(transportOpts, hostname, target.port ?? 0, alpnFor("https", opts.protocols ?? ["http1", "http2"])) : undefined;
  const deadline = resolveDeadline(transportOpts);
  const socket = await connectTCP(target, transportOpts, deadline);
  return openConnection({
    ...(prepared !== undefined ? { prepared } : {}),
    socket,
    scheme,
    hostname,
    port: target.port ?? 0,
    unixSocket: target.path !== undefined,
    opts,
    deadline,
    where: describe(target),
  });
}
