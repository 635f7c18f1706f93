// HTTP/1 upgrades (RFC 9110 §7.8: Upgrade, answered by 101 Switching Protocols) and
// CONNECT tunnels (RFC 9110 §9.3.6: a 2xx makes the connection a tunnel) on a connection of
// their own: such a connection never returns to the pool, its socket goes to the caller.
//
// How this works: a passive HTTP/1 connection is dialed with the pool's connect options,
// the request is sent with `holdSocketOnUpgrade`, its response is read with `recv` until it
// ends; on 101 (a 2xx for CONNECT) the socket is taken (`takeSocket`) and the bytes already read past the 101
// are put back at the front of its read buffer. Any other status, a timeout or an abort
// closes the connection.

import type { Socket } from "node:net";
import { HTTPError, type ConnectOptions, type Headers } from "../index.js";
import { dial } from "./dial.js";
import { abortedError, poolError } from "./errors.js";
import type { PoolOrigin } from "./origin.js";

/** A 101 response (a 2xx to CONNECT) and the socket that now speaks the new protocol (or is the tunnel). */
export interface Upgraded {
  status: number;
  headers: Headers;
  /** Paused, with the bytes that followed the 101 unshifted; resumes when a "data" listener is added. */
  socket: Socket;
}

/**
 * Send `method path` with `headers` (which carry Upgrade and Connection: upgrade) on a new
 * HTTP/1 connection to `origin` and hand over its socket after 101; with method CONNECT
 * (`path` is then the request target as given, e.g. "host:port"), after a 2xx.
 * Errors: connect()'s; HTTPError `upgrade_failed` (details.status, details.headers) for
 * another status; TransportError `headers_timeout` after `timeoutMs`, `aborted` on `signal`.
 */
export async function upgradeOn(origin: PoolOrigin, connect: ConnectOptions, method: string, path: string, headers: Headers,
  timeoutMs: number, signal: AbortSignal | undefined): Promise<Upgraded> {
  const conn = await dial(origin, { ...connect, mode: "passive", protocols: ["http1"] }, signal);
  const onAbort = (): void => void conn.close();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const ref = conn.request(method, path, headers, null);
    const tunnel = method === "CONNECT";
    conn.holdSocketOnUpgrade(ref, tunnel);
    const deadline = Date.now() + timeoutMs;
    let status = 0;
    let head: Headers = [];
    for (let done = false; !done;) {
      const left = deadline - Date.now();
      if (left <= 0) throw poolError("headers_timeout", `no response to the upgrade request within ${timeoutMs} ms`);
      const parts = await conn.recv(0, Math.min(left, 2 ** 31 - 1));
      if (signal?.aborted === true) throw abortedError(signal);
      for (const p of parts) {
        if (p.ref !== ref) continue;
        if (p.type === "status") {
          status = p.status;
          head = [];
        } else if (p.type === "headers") head = p.headers;
        else if (p.type === "done") done = true;
        else if (p.type === "error") throw p.error;
      }
    }
    // RFC 9110 §15.2.2: only 101 switches protocols; §9.3.6: any 2xx to CONNECT opens the tunnel.
    if (tunnel ? status < 200 || status >= 300 : status !== 101) {
      throw new HTTPError("http1", "upgrade_failed", `the server answered ${status} instead of ${tunnel ? "a 2xx to CONNECT" : "101 Switching Protocols"}`, { status, headers: head });
    }
    const { socket, head: rest } = conn.takeSocket();
    if (rest.length > 0) socket.unshift(rest);
    // The connection paused the socket; a consumer that adds a "data" listener expects it to flow.
    const onListener = (event: string | symbol): void => {
      if (event !== "data") return;
      socket.off("newListener", onListener);
      queueMicrotask(() => socket.resume());
    };
    socket.on("newListener", onListener);
    return { status, headers: head, socket };
  } catch (err) {
    void conn.close();
    if (signal?.aborted === true && !(err instanceof HTTPError)) throw abortedError(signal);
    throw err;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
