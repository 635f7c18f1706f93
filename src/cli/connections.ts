// Which connection carried which request and response, for `-v`, `-w %{num_connects}` and the timings.
//
// How it works: connect() publishes every connection it opens on the diagnostics channel
// `mint-http:connection:open`; the pool's connections included. Each one is numbered
// (#0, #1, ... in opening order, as curl does) and watched: its "parts" events are read
// alongside the pool's, so that a response's reason phrase and interim (1xx) heads are
// kept, and the final head's header list is remembered with the connection that carried it.
// The pool hands that same list to the caller as `response.headers`, which is how a
// response is matched back to its connection; a request is matched to its connection by the
// socket the pool's `onSent` reports. TCP lookup and connect times come from
// Node's `net.client.socket` channel (matched to a connection by local port).

import diagnosticsChannel from "node:diagnostics_channel";
import type { Socket } from "node:net";
import { CONNECTION_OPEN_CHANNEL, type Connection, type Headers, type ResponsePart } from "../index.js";

/** An interim (1xx) response head. */
export interface InterimHead {
  status: number;
  reason: string | undefined;
  headers: Headers;
}

/** One connection the command opened. */
export interface TrackedConnection {
  id: number;
  conn: Connection;
  /** performance.now() at DNS lookup, TCP connect and when connect() resolved. */
  lookupAt: number | undefined;
  tcpAt: number | undefined;
  openAt: number;
  /** Responses seen on it so far. */
  uses: number;
  /** Requests handed to it so far (counted by the caller, for -v). */
  sent: number;
}

/** What is known of one response's head beyond the pool's response. */
export interface HeadInfo {
  connection: TrackedConnection;
  reason: string | undefined;
  interim: InterimHead[];
  /** Whether this response was the first one on its connection. */
  fresh: boolean;
}

interface Pending {
  status: number;
  reason: string | undefined;
  interim: InterimHead[];
}

/** Watches the connections opened while it is subscribed. */
export class ConnectionTracker {
  readonly connections: TrackedConnection[] = [];
  readonly #heads = new WeakMap<Headers, HeadInfo>();
  readonly #bySocket = new WeakMap<Socket, TrackedConnection>();
  readonly #sockets = new Map<number, { lookupAt?: number; tcpAt?: number }>();

  readonly #onSocket = (message: unknown): void => {
    const socket = (message as { socket?: Socket }).socket;
    if (socket === undefined) return;
    const times: { lookupAt?: number; tcpAt?: number } = {};
    socket.once("lookup", () => (times.lookupAt ??= performance.now()));
    socket.once("connect", () => {
      times.tcpAt ??= performance.now();
      if (socket.localPort !== undefined) this.#sockets.set(socket.localPort, times);
    });
  };

  readonly #onOpen = (message: unknown): void => {
    const conn = (message as { connection: Connection }).connection;
    const localPort = conn.getSocket().localPort;
    const times = localPort !== undefined ? this.#sockets.get(localPort) : undefined;
    if (localPort !== undefined) this.#sockets.delete(localPort);
    const tracked: TrackedConnection = {
      id: this.connections.length, conn, lookupAt: times?.lookupAt, tcpAt: times?.tcpAt, openAt: performance.now(), uses: 0, sent: 0,
    };
    this.connections.push(tracked);
    this.#bySocket.set(conn.getSocket(), tracked);
    const pending = new Map<string, Pending>();
    conn.on("parts", (parts: ResponsePart[]) => this.#onParts(tracked, pending, parts));
  };

  constructor() {
    diagnosticsChannel.subscribe("net.client.socket", this.#onSocket);
    diagnosticsChannel.subscribe(CONNECTION_OPEN_CHANNEL, this.#onOpen);
  }

  /** The connection and extras of a response, by its header list; undefined when unknown. */
  headOf(headers: Headers): HeadInfo | undefined {
    return this.#heads.get(headers);
  }

  /** The connection whose socket is `socket` (as the pool's `onSent` reports it); undefined when unknown. */
  bySocket(socket: Socket): TrackedConnection | undefined {
    return this.#bySocket.get(socket);
  }

  /** Stop watching new connections. */
  stop(): void {
    diagnosticsChannel.unsubscribe("net.client.socket", this.#onSocket);
    diagnosticsChannel.unsubscribe(CONNECTION_OPEN_CHANNEL, this.#onOpen);
  }

  #onParts(tracked: TrackedConnection, pending: Map<string, Pending>, parts: ResponsePart[]): void {
    for (const part of parts) {
      switch (part.type) {
        case "status": {
          const p = pending.get(part.ref) ?? { status: 0, reason: undefined, interim: [] };
          p.status = part.status;
          p.reason = undefined;
          pending.set(part.ref, p);
          break;
        }
        case "status_reason": {
          const p = pending.get(part.ref);
          if (p !== undefined) p.reason = part.reason;
          break;
        }
        case "headers": {
          const p = pending.get(part.ref);
          if (p === undefined) break; // trailers
          // RFC 9110 §15.2: a 1xx head is interim; the final head follows.
          if (p.status >= 100 && p.status < 200 && p.status !== 101) {
            p.interim.push({ status: p.status, reason: p.reason, headers: part.headers });
            p.status = 0;
            break;
          }
          pending.delete(part.ref);
          tracked.uses++;
          this.#heads.set(part.headers, { connection: tracked, reason: p.reason, interim: p.interim, fresh: tracked.uses === 1 });
          break;
        }
        case "done":
        case "error":
          pending.delete(part.ref);
          break;
        default:
          break;
      }
    }
  }
}
