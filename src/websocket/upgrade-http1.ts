// The HTTP/1.1 opening handshake (RFC 6455 §4.1) on an open Connection.
//
// How this works: the connection is switched to passive mode and asked to keep its
// socket on a 101 (`holdSocketOnUpgrade`). The GET with Upgrade/Connection/key headers is
// sent and the response read with `recv` until it ends. On 101 the response is checked
// (core/websocket/handshake.ts), then the socket and the bytes already read past the 101
// are taken from the connection (`takeSocket`) and become the WebSocket's pipe. A refused
// upgrade keeps its status, headers and (first 64 KiB of) body in the error's details.

import type { Connection } from "../index.js";
import { type HandshakeOffer, checkResponse, createKey, http1Headers } from "../core/websocket/index.js";
import { TransportError } from "../errors.js";
import type { Headers } from "../types.js";
import { openWebSocket, randomFill, sha1 } from "./open.js";
import type { ResolvedOptions } from "./options.js";
import { SocketPipe } from "./pipe.js";
import type { WebSocket } from "./websocket.js";

const MAX_ERROR_BODY = 64 * 1024;

export async function upgradeHTTP1(conn: Connection, path: string, opts: ResolvedOptions, offer: HandshakeOffer, deadline: number): Promise<WebSocket> {
  const key = createKey(randomFill);
  conn.setMode("passive");
  const ref = conn.request("GET", path, http1Headers(key, offer), null);
  conn.holdSocketOnUpgrade(ref);
  let status = 0;
  let headers: Headers = [];
  const body: Uint8Array[] = [];
  let bodySize = 0;
  let done = false;
  while (!done) {
    const left = deadline - Date.now();
    if (left <= 0) throw new TransportError("timeout", `the WebSocket handshake did not finish within ${opts.handshakeTimeout} ms`);
    const parts = await conn.recv(0, left);
    for (const p of parts) {
      if (p.ref !== ref) continue;
      if (p.type === "status") {
        status = p.status;
        headers = [];
      } else if (p.type === "headers") {
        headers = p.headers;
      } else if (p.type === "data" && status !== 101 && bodySize < MAX_ERROR_BODY) {
        body.push(p.data.slice(0, MAX_ERROR_BODY - bodySize));
        bodySize += Math.min(p.data.length, MAX_ERROR_BODY - bodySize);
      } else if (p.type === "done") {
        done = true;
      } else if (p.type === "error") {
        throw p.error;
      }
    }
  }
  let taken: ReturnType<Connection["takeSocket"]> | undefined;
  if (status === 101) taken = conn.takeSocket();
  try {
    const agreed = checkResponse({ status, headers, body: Buffer.concat(body) }, key, offer, sha1);
    return openWebSocket(agreed, new SocketPipe(taken!.socket), opts, "http1", taken!.head);
  } catch (err) {
    taken?.socket.destroy();
    throw err;
  }
}
