// connectWebSocket and upgrade: the public entry points of mint-http/websocket.
//
// How this works: `connectWebSocket` turns a ws:/wss: URL into connect() arguments, picks
// the protocols from the `http2` policy (API.md), opens the connection and calls `upgrade`.
// With "prefer" over wss, ALPN decides; if it gave h2 but the server does not allow RFC
// 8441, that connection is closed and a new HTTP/1.1 one is opened. `upgrade` runs the
// HTTP/1.1 (upgrade-http1.ts) or HTTP/2 (upgrade-http2.ts) handshake on a connection.

import { connect } from "../connect.js";
import type { Connection } from "../index.js";
import type { HandshakeOffer } from "../core/websocket/index.js";
import { TransportError } from "../errors.js";
import type { ConnectOptions } from "../options.js";
import type { Protocol } from "../types.js";
import { type ResolvedOptions, type WebSocketOptions, resolveOptions } from "./options.js";
import { upgradeHTTP1 } from "./upgrade-http1.js";
import { serverAllowsWebSocket, upgradeHTTP2 } from "./upgrade-http2.js";
import type { WebSocket } from "./websocket.js";

function offerOf(opts: ResolvedOptions): HandshakeOffer {
  return { protocols: opts.protocols, deflate: opts.deflate, headers: opts.headers };
}

/**
 * Opens a WebSocket on an open connection: HTTP/1.1 Upgrade (the connection is switched to
 * passive mode for the handshake and then used up: its socket belongs to the WebSocket; a
 * refused upgrade leaves it in passive mode), or RFC 8441 on an HTTP/2 connection in active
 * mode (one stream; the connection keeps serving requests).
 *
 * Errors: HTTPError("websocket") `upgrade_failed` (details.status, headers, body),
 * `invalid_accept`, `extended_connect_disabled`, `unrequested_extension`,
 * `unrequested_protocol`, `invalid_extension`; TransportError `timeout` (handshakeTimeout)
 * and the connection's own errors; TypeError for bad options or a passive HTTP/2 connection.
 */
export async function upgrade(conn: Connection, path: string, opts?: WebSocketOptions): Promise<WebSocket> {
  if (typeof path !== "string" || !path.startsWith("/")) throw new TypeError(`path must start with "/", got ${JSON.stringify(path)}`);
  const o = resolveOptions(opts);
  const deadline = Date.now() + o.handshakeTimeout;
  if (conn.protocol === "http2") return upgradeHTTP2(conn, path, o, offerOf(o), deadline);
  return upgradeHTTP1(conn, path, o, offerOf(o), deadline);
}

function protocolsFor(secure: boolean, policy: ResolvedOptions["http2"], given: ConnectOptions["protocols"]): Protocol[] {
  if (policy === "never") return ["http1"];
  if (given !== undefined) return given;
  if (policy === "require") return ["http2"];
  return secure ? ["http1", "http2"] : ["http1"];
}

/**
 * Opens a connection to a ws: or wss: URL and performs the WebSocket handshake.
 * Errors: as `upgrade`, plus connect()'s TransportError/HTTPError; TypeError for a URL that
 * is not ws: or wss:, or for `http2: "never"` with connect.protocols lacking "http1".
 */
export async function connectWebSocket(url: string | URL, opts?: WebSocketOptions): Promise<WebSocket> {
  const u = typeof url === "string" ? new URL(url) : url;
  if (u.protocol !== "ws:" && u.protocol !== "wss:") throw new TypeError(`a WebSocket URL starts with ws: or wss:, got ${u.protocol}`);
  if (u.hash !== "") throw new TypeError("a WebSocket URL has no fragment (RFC 6455 §3)");
  const o = resolveOptions(opts);
  if (o.http2 === "never" && o.connect.protocols !== undefined && !o.connect.protocols.includes("http1")) {
    throw new TypeError('http2: "never" needs "http1" in connect.protocols');
  }
  const deadline = Date.now() + o.handshakeTimeout;
  const secure = u.protocol === "wss:";
  const host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port === "" ? (secure ? 443 : 80) : Number(u.port);
  const path = (u.pathname === "" ? "/" : u.pathname) + u.search;
  const base: ConnectOptions = {
    caseSensitiveHeaders: true,
    ...o.connect,
    mode: "active",
    transportOpts: { timeout: o.handshakeTimeout, ...o.connect.transportOpts },
  };
  const open = (protocols: Protocol[]): Promise<Connection> => connect(secure ? "https" : "http", host, port, { ...base, protocols });
  const timeLeft = (): number => {
    const left = deadline - Date.now();
    if (left <= 0) throw new TransportError("timeout", `the WebSocket handshake did not finish within ${o.handshakeTimeout} ms`);
    return left;
  };
  let conn = await open(protocolsFor(secure, o.http2, o.connect.protocols));
  try {
    timeLeft();
    if (conn.protocol === "http2" && o.http2 === "prefer" && !(await serverAllowsWebSocket(conn, deadline, o.handshakeTimeout))) {
      // RFC 8441 not allowed by this server: fall back to HTTP/1.1 on a new connection.
      await conn.close();
      timeLeft();
      conn = await open(["http1"]);
    }
    // An HTTP/2 connection opened here is the WebSocket's alone: it closes with it.
    if (conn.protocol === "http2") o.onClosed = () => void conn.close();
    return conn.protocol === "http2" ? await upgradeHTTP2(conn, path, o, offerOf(o), deadline) : await upgradeHTTP1(conn, path, o, offerOf(o), deadline);
  } catch (err) {
    await conn.close().catch(() => undefined);
    throw err;
  }
}
