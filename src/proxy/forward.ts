// Forward proxies (http targets behind a proxy): requests go to the proxy in absolute form.
//
// How it works: open the proxy socket with the proxy's own options (TCP, or TLS when the
// proxy is https), then run an HTTP/1 engine over it whose request targets are prefixed
// with `http://host[:port]` and whose `host` header is the origin's authority; the proxy
// headers are added to every request. The proxy is always spoken to in HTTP/1.

import type { Connection } from "../connection/connection.js";
import { authorityOf, openConnection } from "../connection/open.js";
import type { ConnectOptions, ProxyOptions } from "../options.js";
import { describe } from "../transport/tcp.js";
import type { BuiltTLSOptions } from "../transport/tls.js";
import { reachProxy } from "./reach-proxy.js";

/**
 * Connect to the proxy and return an HTTP/1 Connection that sends absolute-form requests
 * for `http://hostname[:port]`.
 *
 * Errors: TransportError from the proxy socket (`timeout`, `econnrefused`, `tls_alert`, ...).
 */
export async function connectForward(host: string, port: number, hostname: string, opts: ConnectOptions, proxy: ProxyOptions, proxyTLS?: BuiltTLSOptions): Promise<Connection> {
  const { socket, where: proxyWhere } = await reachProxy(proxy, proxyTLS);
  // The returned connection keeps the caller's connection-level options (mode, log, HTTP/1
  // options); the transport options and protocols are not the target's to choose here.
  const { proxy: _proxy, proxyHeaders, transportOpts: _transport, protocols: _protocols, ...connOpts } = opts;
  try {
    return await openConnection({
      socket,
      // The TLS to an https proxy is already done: what runs over the socket is plain HTTP/1
      // for an http origin.
      scheme: "http",
      hostname,
      port,
      opts: { ...connOpts, protocols: ["http1"] },
      deadline: Infinity,
      where: `${describe({ host, port })} via proxy ${proxyWhere}`,
      forwardProxy: {
        // RFC 9112 §3.2.2: absolute-form to a proxy; the port is left out when it is 80.
        targetPrefix: `http://${authorityOf("http", hostname, port)}`,
        headers: proxyHeaders ?? [],
      },
    });
  } catch (err) {
    socket.destroy();
    throw err;
  }
}
