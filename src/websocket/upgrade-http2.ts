// The HTTP/2 opening handshake (RFC 8441) on an open HTTP/2 Connection in active mode.
//
// How this works: RFC 8441 §3 lets a client use extended CONNECT only once the server
// sent SETTINGS_ENABLE_CONNECT_PROTOCOL=1. The server's first SETTINGS arrive before the
// answer to any PING we send (frames are in order), so a PING round trip tells that the
// SETTINGS are known; the result is remembered on the connection. Then a CONNECT with
// `:protocol websocket` and a streamed body opens a stream; a 2xx opens the WebSocket,
// whose frames ride in the stream's DATA (StreamPipe). Other requests go on meanwhile.

import type { Connection } from "../index.js";
import { type HandshakeOffer, checkResponse, http2Headers } from "../core/websocket/index.js";
import { HTTPError, type MintError, TransportError } from "../errors.js";
import { type Headers, type RequestRef, type ResponsePart, STREAM } from "../types.js";
import { openWebSocket, sha1 } from "./open.js";
import type { ResolvedOptions } from "./options.js";
import { StreamPipe } from "./pipe.js";
import type { WebSocket } from "./websocket.js";

const SETTINGS_KNOWN = "mint-http.websocket.serverSettingsKnown";

/** Waits for parts of `ref` (active mode) until `stop` says so; rejects on timeout or connection end. */
function watch(conn: Connection, ref: RequestRef, deadline: number, timeoutMs: number, stop: (p: ResponsePart) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      conn.off("parts", onParts);
      conn.off("closed", onClosed);
    };
    const onParts = (parts: ResponsePart[]): void => {
      for (const p of parts) {
        if (p.ref !== ref) continue;
        if (p.type === "error") {
          cleanup();
          reject(p.error);
          return;
        }
        if (stop(p)) {
          cleanup();
          resolve();
          return;
        }
      }
    };
    const onClosed = (err?: MintError): void => {
      cleanup();
      reject(err ?? new TransportError("closed", "the HTTP/2 connection closed during the WebSocket handshake"));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new TransportError("timeout", `the WebSocket handshake did not finish within ${timeoutMs} ms`));
    }, Math.max(0, deadline - Date.now()));
    conn.on("parts", onParts);
    conn.on("closed", onClosed);
  });
}

/** Whether the server allows RFC 8441, once its SETTINGS are known (a PING round trip). */
export async function serverAllowsWebSocket(conn: Connection, deadline: number, timeoutMs: number): Promise<boolean> {
  if (conn.getPrivate(SETTINGS_KNOWN) !== true) {
    const ref = conn.ping();
    await watch(conn, ref, deadline, timeoutMs, (p) => p.type === "pong");
    conn.putPrivate(SETTINGS_KNOWN, true);
  }
  return conn.getServerSetting("enableConnectProtocol") === true;
}

export async function upgradeHTTP2(conn: Connection, path: string, opts: ResolvedOptions, offer: HandshakeOffer, deadline: number): Promise<WebSocket> {
  if (!conn.isOpen("write")) throw new HTTPError("http2", "closed", "the HTTP/2 connection is closed");
  // RFC 8441 §3: extended CONNECT only after SETTINGS_ENABLE_CONNECT_PROTOCOL = 1
  if (!(await serverAllowsWebSocket(conn, deadline, opts.handshakeTimeout))) {
    throw new HTTPError("websocket", "extended_connect_disabled", "the server's HTTP/2 SETTINGS do not allow WebSockets (SETTINGS_ENABLE_CONNECT_PROTOCOL is not 1, RFC 8441 §3)");
  }
  // RFC 8441 §4: CONNECT with :protocol, :scheme and :path; the body is the WebSocket
  const ref = conn.request("CONNECT", path, http2Headers(offer), STREAM);
  const pipe = new StreamPipe(conn, ref);
  let status = 0;
  let headers: Headers = [];
  const body: Uint8Array[] = [];
  try {
    await watch(conn, ref, deadline, opts.handshakeTimeout, (p) => {
      if (p.type === "status") status = p.status;
      else if (p.type === "headers") {
        headers = p.headers;
        // RFC 8441 §5: a 2xx opens the WebSocket (1xx are followed by the final status)
        if (status >= 200) return status <= 299;
      } else if (p.type === "data" && body.length < 16) body.push(p.data);
      return p.type === "done";
    });
    if (status < 200 || status > 299) pipe.destroy();
    const agreed = checkResponse({ status, headers, body: Buffer.concat(body) }, null, offer, sha1);
    return openWebSocket(agreed, pipe, opts, "http2", new Uint8Array(0));
  } catch (err) {
    pipe.destroy();
    throw err;
  }
}
