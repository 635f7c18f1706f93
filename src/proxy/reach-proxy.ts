// Opens the socket to a proxy: TCP, then TLS when the proxy's scheme is https. Only the
// proxy's own options are used (its transportOpts, hostname and connect timeout); the
// target's options never reach this socket.

import type { Socket } from "node:net";
import type { ProxyOptions } from "../options.js";
import { connectTLS, type BuiltTLSOptions } from "../transport/tls.js";
import { connectTCP, describe } from "../transport/tcp.js";
import { resolveDeadline } from "../transport/options.js";

/** A connected proxy socket and how to name it in messages. */
export interface ProxySocket {
  socket: Socket;
  /** "127.0.0.1:8888" (or "[::1]:8888"). */
  where: string;
}

/** The proxy address without IPv6 brackets. */
export function proxyHost(proxy: ProxyOptions): string {
  const a = proxy.address;
  return a.startsWith("[") && a.endsWith("]") ? a.slice(1, -1) : a;
}

/**
 * Connect to the proxy within its connect timeout (`proxy.opts.transportOpts.timeout`,
 * 30000 ms by default), over TLS verified with the proxy's transportOpts when
 * `proxy.scheme` is https (ALPN offers only HTTP/1.1: a proxy is always spoken to in HTTP/1).
 *
 * Errors: TransportError `timeout`, socket codes (`econnrefused`, ...), `tls_alert`.
 */
export async function reachProxy(proxy: ProxyOptions, prepared?: BuiltTLSOptions): Promise<ProxySocket> {
  const host = proxyHost(proxy);
  const transportOpts = proxy.opts?.transportOpts ?? {};
  const deadline = resolveDeadline(transportOpts);
  const target = { host, port: proxy.port };
  const where = describe(target);
  const tcp = await connectTCP(target, transportOpts, deadline);
  if (proxy.scheme === "http") return { socket: tcp, where };
  try {
    const tls = await connectTLS({
      socket: tcp,
      hostname: proxy.opts?.hostname ?? host,
      port: proxy.port,
      transportOpts,
      alpnProtocols: ["http/1.1"],
      deadline,
      ...(prepared !== undefined ? { prepared } : {}),
    });
    return { socket: tls, where };
  } catch (err) {
    tcp.destroy();
    throw err;
  }
}
