// Turns a connected socket into a Connection: TLS (for https), protocol negotiation,
// the engine for that protocol. Shared by `connect` and the proxy tunnel.

import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { createHTTP1Engine } from "../core/http1/index.js";
import { createHTTP2Engine } from "../core/http2/index.js";
import { alpnFor, chooseProtocol } from "../negotiate.js";
import type { ConnectOptions } from "../options.js";
import { connectTLS, type BuiltTLSOptions } from "../transport/tls.js";
import type { Headers, Protocol, Scheme } from "../types.js";
import { Connection } from "./connection.js";

export interface OpenParams {
  socket: Socket;
  scheme: Scheme;
  /** The name used for Host / :authority, SNI and verification. */
  hostname: string;
  port: number;
  /** Unix socket: the authority has no port. */
  unixSocket?: boolean;
  opts: ConnectOptions;
  deadline: number;
  /** For messages: where the socket goes. */
  where: string;
  /** CONNECT reply headers when tunnelled. */
  proxyHeaders?: Headers;
  /** Forward proxy: absolute-form targets and headers added to every request. */
  forwardProxy?: { targetPrefix: string; headers: Headers };
  /** https: the TLS settings prepareTLS built and checked before the socket was opened. */
  prepared?: BuiltTLSOptions;
}

const DEFAULT_PORT: Record<Scheme, number> = { http: 80, https: 443 };

/** `host[:port]` for Host and :authority; IPv6 literals in brackets, default ports left out. */
export function authorityOf(scheme: Scheme, hostname: string, port: number, unixSocket = false): string {
  const host = hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
  return unixSocket || port === DEFAULT_PORT[scheme] ? host : `${host}:${port}`;
}

/**
 * Upgrade to TLS when https, pick the protocol, and wrap the socket in a Connection.
 * Errors: TransportError from the TLS handshake or negotiation (`bad_alpn_protocol`,
 * `protocol_not_negotiated`); the socket is destroyed on every failure path.
 */
export async function openConnection(p: OpenParams): Promise<Connection> {
  const protocols: Protocol[] = p.opts.protocols ?? ["http1", "http2"];
  let socket: Socket = p.socket;
  let alpn: string | false | null = null;
  if (p.scheme === "https") {
    const tlsSocket: TLSSocket = await connectTLS({
      socket,
      hostname: p.hostname,
      port: p.port,
      transportOpts: p.opts.transportOpts ?? {},
      alpnProtocols: alpnFor("https", protocols),
      deadline: p.deadline,
      ...(p.prepared !== undefined ? { prepared: p.prepared } : {}),
    });
    socket = tlsSocket;
    alpn = tlsSocket.alpnProtocol;
  }
  let protocol: Protocol;
  try {
    protocol = chooseProtocol(p.scheme, protocols, alpn);
  } catch (err) {
    socket.destroy();
    throw err;
  }
  const authority = authorityOf(p.scheme, p.hostname, p.port, p.unixSocket);
  try {
    return createConnection(p, socket, protocol, authority);
  } catch (err) {
    // Options are checked before the socket opens; should an engine still refuse them, the
    // socket must not outlive the failure.
    socket.destroy();
    throw err;
  }
}

function createConnection(p: OpenParams, socket: Socket, protocol: Protocol, authority: string): Connection {
  const o = p.opts;
  return new Connection({
    socket,
    mode: o.mode ?? "active",
    log: o.log ?? false,
    where: p.where,
    ...(p.proxyHeaders !== undefined ? { proxyHeaders: p.proxyHeaders } : {}),
    createEngine: (log) =>
      protocol === "http2"
        ? createHTTP2Engine({
            scheme: p.scheme,
            authority,
            ...(log ? { log } : {}),
            ...(o.maxHeaderListSize !== undefined ? { maxHeaderListSize: o.maxHeaderListSize } : {}),
            ...(o.clientSettings !== undefined ? { clientSettings: o.clientSettings } : {}),
            ...(o.connectionWindowSize !== undefined ? { connectionWindowSize: o.connectionWindowSize } : {}),
            ...(o.receiveWindowUpdateThreshold !== undefined ? { receiveWindowUpdateThreshold: o.receiveWindowUpdateThreshold } : {}),
          })
        : createHTTP1Engine({
            scheme: p.scheme,
            authority,
            ...(log ? { log } : {}),
            ...(o.maxHeaderListSize !== undefined ? { maxHeaderListSize: o.maxHeaderListSize } : {}),
            ...(o.caseSensitiveHeaders !== undefined ? { caseSensitiveHeaders: o.caseSensitiveHeaders } : {}),
            ...(o.skipTargetValidation !== undefined ? { skipTargetValidation: o.skipTargetValidation } : {}),
            ...(o.optionalResponses !== undefined ? { optionalResponses: o.optionalResponses } : {}),
            ...(p.forwardProxy !== undefined
              ? { absoluteTargetPrefix: p.forwardProxy.targetPrefix, extraHeaders: p.forwardProxy.headers }
              : {}),
          }),
  });
}
