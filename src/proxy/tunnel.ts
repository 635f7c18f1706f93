// CONNECT tunnels (https targets behind a proxy).
//
// How it works: open the proxy socket (TCP, or TLS when the proxy is https), send
// `CONNECT host:port HTTP/1.1` with the proxy headers, and read the reply with a
// ConnectExchange (the HTTP/1 engine) before `tunnelTimeout`. On 2xx, the bytes that came
// after the reply's header section are put back at the front of the socket's read buffer,
// and the socket is handed to openConnection: TLS to the target with the target's own options and hostname,
// ALPN, then the HTTP/1 or HTTP/2 engine. On any failure the proxy socket is destroyed.

import type { Socket } from "node:net";
import type { Connection } from "../connection/connection.js";
import { openConnection } from "../connection/open.js";
import { DEFAULT_MAX_HEADER_LIST_SIZE } from "../core/engine.js";
import { HTTPError, TransportError } from "../errors.js";
import type { ConnectOptions, ProxyOptions } from "../options.js";
import { describe, socketError } from "../transport/tcp.js";
import { resolveDeadline } from "../transport/options.js";
import type { BuiltTLSOptions } from "../transport/tls.js";
import type { Headers } from "../types.js";
import { type ConnectReply, ConnectExchange } from "./connect-exchange.js";
import { reachProxy } from "./reach-proxy.js";

/** Default time to wait for the proxy's reply to CONNECT, in ms. */
export const DEFAULT_TUNNEL_TIMEOUT = 30_000;

/** `host:port` as CONNECT wants it (RFC 9110 §9.3.6: authority-form, port always present). */
export function connectAuthority(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * Open a tunnel to `host:port` through `proxy`, then TLS and the protocol inside it.
 *
 * Errors: HTTPError("proxy") `tunnel_timeout`, `unexpected_status` (details.status,
 * details.headers), `invalid_status_line`, `invalid_header`, `max_header_list_size_exceeded`;
 * TransportError (unwrapped) from the proxy socket or the TLS handshake with the target
 * (`timeout`, `econnrefused`, `closed`, `tls_alert`, `bad_alpn_protocol`, ...).
 */
export async function connectTunnel(
  host: string, port: number, hostname: string, opts: ConnectOptions, proxy: ProxyOptions,
  proxyTLS?: BuiltTLSOptions, targetTLS?: BuiltTLSOptions,
): Promise<Connection> {
  const proxyOpts = proxy.opts ?? {};
  const tunnelTimeout = proxyOpts.tunnelTimeout ?? DEFAULT_TUNNEL_TIMEOUT;
  const { socket, where: proxyWhere } = await reachProxy(proxy, proxyTLS);
  const authority = connectAuthority(host, port);
  let reply: ConnectReply;
  try {
    // The tunnel deadline starts once the proxy is reached (Mint: deadline-based).
    const deadline = tunnelTimeout === Infinity ? Infinity : Date.now() + tunnelTimeout;
    const exchange = new ConnectExchange({
      scheme: proxy.scheme,
      authority,
      headers: opts.proxyHeaders ?? [],
      maxHeaderListSize: proxyOpts.maxHeaderListSize ?? DEFAULT_MAX_HEADER_LIST_SIZE,
    });
    for (const chunk of exchange.takeOutgoing()) socket.write(chunk);
    reply = await readReply(socket, exchange, deadline, proxyWhere, tunnelTimeout);
  } catch (err) {
    socket.destroy();
    throw err;
  }
  if (reply.status < 200 || reply.status > 299) {
    socket.destroy();
    throw unexpectedStatus(reply, proxyWhere, authority, opts.proxyHeaders ?? []);
  }
  // Bytes after the reply belong to the tunnel: TLS reads them first.
  if (reply.rest.length > 0) socket.unshift(Buffer.from(reply.rest.buffer, reply.rest.byteOffset, reply.rest.length));
  // Between here and the TLS socket taking over, an error on the raw socket must not go
  // unhandled; the TLS layer reports it through its own socket.
  socket.on("error", ignore);
  const { proxy: _proxy, proxyHeaders: _headers, ...targetOpts } = opts;
  try {
    return await openConnection({
      socket,
      scheme: "https",
      hostname,
      port,
      opts: targetOpts,
      deadline: resolveDeadline(opts.transportOpts ?? {}),
      where: `${describe({ host, port })} via proxy ${proxyWhere}`,
      proxyHeaders: reply.headers,
      ...(targetTLS !== undefined ? { prepared: targetTLS } : {}),
    });
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

function ignore(): void {}

function unexpectedStatus(reply: ConnectReply, proxyWhere: string, authority: string, proxyHeaders: Headers): HTTPError {
  const text = `${reply.status}${reply.reason === "" ? "" : ` ${reply.reason}`}`;
  let hint: string;
  if (reply.status === 407) {
    hint = proxyHeaders.some(([n]) => n.toLowerCase() === "proxy-authorization")
      ? "the proxy refused the credentials in proxy-authorization"
      : "add proxy-authorization to proxyHeaders (see basicProxyAuth)";
  } else {
    hint = `the proxy did not open a tunnel to ${authority}`;
  }
  return new HTTPError("proxy", "unexpected_status", `proxy ${proxyWhere} answered CONNECT with ${text}: ${hint}`, {
    status: reply.status,
    headers: reply.headers,
  });
}

/** Read the final reply to CONNECT from `socket`, leaving the socket paused with no listener of ours. */
function readReply(socket: Socket, exchange: ConnectExchange, deadline: number, where: string, tunnelTimeout: number): Promise<ConnectReply> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      socket.removeListener("data", onData);
      socket.removeListener("end", onEnd);
      socket.removeListener("close", onEnd);
      socket.removeListener("error", onError);
      socket.pause();
    };
    const onData = (chunk: Buffer): void => {
      let reply: ConnectReply | undefined;
      try {
        reply = exchange.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      } catch (err) {
        finish();
        reject(err);
        return;
      }
      if (reply === undefined) return;
      finish();
      resolve(reply);
    };
    const onEnd = (): void => {
      finish();
      reject(new TransportError("closed", `proxy ${where} closed the connection before answering CONNECT`));
    };
    const onError = (err: Error): void => {
      finish();
      reject(socketError(err, `proxy ${where}`));
    };
    socket.on("data", onData);
    socket.once("end", onEnd);
    socket.once("close", onEnd);
    socket.once("error", onError);
    if (deadline !== Infinity) {
      // Mint clamps a deadline already passed to 0 rather than failing to arm the timer.
      const remaining = Math.max(0, deadline - Date.now());
      timer = setTimeout(() => {
        finish();
        reject(new HTTPError("proxy", "tunnel_timeout",
          `proxy ${where} did not answer CONNECT within ${tunnelTimeout} ms (raise proxy.opts.tunnelTimeout if the proxy is slow)`,
          { timeout: tunnelTimeout }));
      }, Math.min(remaining, 2 ** 31 - 1));
    }
    socket.resume();
  });
}
