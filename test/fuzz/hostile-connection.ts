// Hostile-peer and bad-option cases at the connection level (real sockets on 127.0.0.1),
// measured the same way: the reason the caller sees, how many sockets reached the server,
// how many socket handles were left once things settled (process.getActiveResourcesInfo),
// and how many events fired after close() returned.
//
// hostile-connection.test.ts asserts on them; report.ts prints them as a second table.

import assert from "node:assert/strict";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { connect, MintError, type Connection, type ConnectOptions } from "../../src/index.js";
import { Encoder } from "../../src/hpack/index.js";
import { TLS_ALERTS } from "../../src/transport/tls-alerts.js";
import { testCerts } from "../support/certs.js";
import { startFaultServer } from "../support/fault-server.js";
import { FrameBuilder } from "../support/h2-frames.js";
import { settleSockets, socketHandleCount } from "../support/handles.js";
import { startRawServer } from "../support/servers.js";

export interface ConnectionCaseResult {
  /** The error's reason (with details.alert for tls_alert), "TypeError", or "none". */
  reason: string;
  /** Connections the server accepted. */
  opened: number;
  /** Socket handles above the baseline once settled (after the servers closed their side). */
  leftOpen: number;
  /** Events ("parts", "window", "closed") that fired after close() returned. */
  eventsAfterClose: number;
  facts: Record<string, number | string | boolean>;
  message: string;
  ms: number;
}

export interface ConnectionCase {
  name: string;
  run(): Promise<ConnectionCaseResult>;
  check(r: ConnectionCaseResult): void;
}

const OPENSSL_TEXT = /SSL routines|\.c:\d|:error:|0x[0-9a-f]|[0-9A-F]{8,}|ERR_SSL|SSL alert number/i;

function describeError(err: unknown): string {
  if (err instanceof TypeError) return "TypeError";
  if (err instanceof MintError) return err.reason === "tls_alert" ? `tls_alert ${String(err.details?.alert)}` : err.reason;
  return err === undefined ? "none" : String(err);
}

const fatalAlert = (n: number) => Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, n]);

/** Runs `attempt` against a server that counts its connections and keeps its side open. */
async function measureConnect(
  serve: (onConnection: () => void) => Promise<{ port: number; close(): Promise<void> }>,
  attempt: (port: number) => Promise<Connection>,
): Promise<ConnectionCaseResult> {
  let opened = 0;
  const server = await serve(() => { opened++; });
  const baseline = socketHandleCount();
  const t0 = performance.now();
  let err: unknown;
  try {
    await (await attempt(server.port)).close();
  } catch (e) {
    err = e;
  }
  const ms = performance.now() - t0;
  const left = (await settleSockets(baseline)) - baseline;
  await server.close();
  return { reason: describeError(err), opened, leftOpen: Math.max(0, left), eventsAfterClose: 0, facts: {}, message: err instanceof Error ? err.message : "", ms };
}

const rawAlert = (n: number, end = false) => (onConnection: () => void) =>
  startRawServer((s) => { onConnection(); s.once("data", () => (end ? s.end(fatalAlert(n)) : s.write(fatalAlert(n)))); });
const counting = (onConnection: () => void) => startRawServer(() => onConnection());
/** A proxy that answers the CONNECT head with `reply` (or never) and keeps its side open. */
const proxyAnswering = (reply: string | undefined) => (onConnection: () => void) =>
  startRawServer((s) => {
    onConnection();
    let head = "";
    let sent = false;
    s.on("data", (c: Buffer) => {
      head += c.toString("latin1");
      if (reply !== undefined && !sent && head.includes("\r\n\r\n")) {
        sent = true;
        s.write(reply);
      }
    });
  });

function expectRefused(r: ConnectionCaseResult, reason: string): void {
  assert.equal(r.reason, reason, r.message);
  assert.equal(r.opened, 0, "no socket opened");
  assert.equal(r.leftOpen, 0, "no socket handle left");
}

function expectReleased(r: ConnectionCaseResult, reason: string): void {
  assert.equal(r.reason, reason, r.message);
  assert.equal(r.leftOpen, 0, "no socket handle left");
  assert.doesNotMatch(r.message, OPENSSL_TEXT);
}

/** Events after close() called from the first "parts" handler of an h2c response carrying a WINDOW_UPDATE. */
async function closeInHandler(replay: boolean): Promise<ConnectionCaseResult> {
  const server = await startFaultServer();
  const t0 = performance.now();
  const conn = await connect("http", "127.0.0.1", server.port, { protocols: ["http2"], mode: replay ? "passive" : "active" });
  const peer = await server.nextPeer();
  let after = -1;
  let total = 0;
  const count = () => { total++; };
  conn.on("parts", count);
  conn.on("window", count);
  conn.on("closed", count);
  await peer.h2Handshake();
  if (replay) await conn.recv(0, 2000);
  conn.request("GET", "/", [], null);
  await peer.waitForFrame((f) => f.type === 1, "HEADERS");
  conn.once("parts", () => {
    void conn.close();
    after = total;
  });
  await peer.write(new FrameBuilder(new Encoder()).headers(1, [[":status", "200"]]).windowUpdate(0, 1000).data(1, "hello").bytes());
  if (replay) {
    await new Promise((r) => setTimeout(r, 30));
    await conn.recv(5, 2000); // the rest stays buffered, replayed by setMode
    conn.setMode("active");
  }
  for (let i = 0; i < 100 && after === -1; i++) await new Promise((r) => setTimeout(r, 5));
  await peer.write(new FrameBuilder(new Encoder()).data(1, "more").windowUpdate(0, 1000).bytes());
  await new Promise((r) => setTimeout(r, 100));
  const ms = performance.now() - t0;
  await server.close();
  return { reason: "none", opened: 1, leftOpen: conn.getSocket().destroyed ? 0 : 1, eventsAfterClose: after === -1 ? -1 : total - after, facts: { events: total }, message: "", ms };
}

export function connectionCases(): ConnectionCase[] {
  const certs = testCerts();
  const trust = { cacerts: [certs.rootCA.cert] };
  const tlsServer = (opts: https.ServerOptions) => async (onConnection: () => void) => {
    const server = https.createServer(opts, (_q, r) => r.end());
    server.on("connection", onConnection);
    server.on("tlsClientError", () => {});
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
  };
  const h = (opts: unknown) => (port: number) => connect("http", "127.0.0.1", port, opts as ConnectOptions);
  return [
    {
      name: "TLS: the server refuses our ALPN offer",
      run: () => measureConnect(tlsServer({ cert: certs.valid.cert, key: certs.valid.key, ALPNProtocols: ["spdy/3"] }), (port) => connect("https", "127.0.0.1", port, { transportOpts: trust })),
      check: (r) => {
        expectReleased(r, "tls_alert no_application_protocol");
        assert.match(r.message, /supports none of the application protocols we offered \(h2, http\/1\.1\)/);
      },
    },
    {
      name: `TLS: each of the ${TLS_ALERTS.length - 1} registered alerts (close_notify aside) from a scripted server`,
      run: async () => {
        let named = 0;
        let clean = 0;
        let opened = 0;
        let leftOpen = 0;
        let wrong = "";
        const t0 = performance.now();
        for (const a of TLS_ALERTS) {
          if (a.name === "close_notify") continue;
          const r = await measureConnect(rawAlert(a.number), (port) => connect("https", "127.0.0.1", port, { transportOpts: trust }));
          opened += r.opened;
          leftOpen = Math.max(leftOpen, r.leftOpen);
          if (r.reason === `tls_alert ${a.name}`) named++;
          else wrong ||= `${a.name}: ${r.reason}`;
          if (!OPENSSL_TEXT.test(r.message)) clean++;
        }
        return { reason: wrong || "tls_alert <its name>", opened, leftOpen, eventsAfterClose: 0, facts: { named, clean }, message: wrong, ms: performance.now() - t0 };
      },
      check: (r) => {
        assert.equal(r.facts.named, TLS_ALERTS.length - 1, r.message);
        assert.equal(r.facts.clean, TLS_ALERTS.length - 1);
        assert.equal(r.leftOpen, 0);
      },
    },
    {
      name: "TLS: an alert with an unregistered number (200), then the server hangs up",
      // OpenSSL does not fail on an unknown description; the hang-up ends the handshake.
      run: () => measureConnect(rawAlert(200, true), (port) => connect("https", "127.0.0.1", port, { transportOpts: { ...trust, timeout: 5000 } })),
      check: (r) => expectReleased(r, "closed"),
    },
    {
      name: "TLS: the server answers in plain HTTP",
      run: () => measureConnect((on) => startRawServer((s) => { on(); s.once("data", () => s.write("HTTP/1.1 400 Bad Request\r\n\r\n")); }),
        (port) => connect("https", "127.0.0.1", port, { transportOpts: trust })),
      check: (r) => expectReleased(r, "tls_alert protocol_version"),
    },
    {
      name: "TLS: an expired certificate (verified after the handshake)",
      run: () => measureConnect(tlsServer({ cert: certs.expired.cert, key: certs.expired.key }), (port) => connect("https", "localhost", port, { transportOpts: trust })),
      check: (r) => expectReleased(r, "tls_alert certificate_expired"),
    },
    {
      name: "Options: a hostname carrying CR LF",
      run: () => measureConnect(counting, h({ hostname: "a\r\nx-injected: 1" })),
      check: (r) => expectRefused(r, "TypeError"),
    },
    {
      name: "Options: clientSettings maxFrameSize below 16384 (h2c)",
      run: () => measureConnect(counting, h({ protocols: ["http2"], clientSettings: { maxFrameSize: 100 } })),
      check: (r) => expectRefused(r, "TypeError"),
    },
    {
      name: "Options: unknown cipher names (https)",
      run: () => measureConnect(counting, (port) => connect("https", "127.0.0.1", port, { transportOpts: { ciphers: "NOPE-NOTHING" } })),
      check: (r) => expectRefused(r, "TypeError"),
    },
    {
      name: "Proxy: CONNECT answered 407, proxy keeps the socket",
      run: () => measureConnect(proxyAnswering("HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n"), (port) => connect("https", "origin.test", 443, { proxy: { scheme: "http", address: "127.0.0.1", port } })),
      check: (r) => expectReleased(r, "unexpected_status"),
    },
    {
      name: "Proxy: CONNECT never answered (tunnelTimeout 100 ms)",
      run: () => measureConnect(proxyAnswering(undefined), (port) => connect("https", "origin.test", 443, { proxy: { scheme: "http", address: "127.0.0.1", port, opts: { tunnelTimeout: 100 } } })),
      check: (r) => expectReleased(r, "tunnel_timeout"),
    },
    {
      name: "Events: close() in a \"parts\" handler (h2c, WINDOW_UPDATE in the same read)",
      run: () => closeInHandler(false),
      check: (r) => {
        assert.equal(r.eventsAfterClose, 0);
        assert.equal(r.leftOpen, 0);
      },
    },
    {
      name: "Events: close() in a \"parts\" handler during the setMode(\"active\") replay",
      run: () => closeInHandler(true),
      check: (r) => {
        assert.equal(r.eventsAfterClose, 0);
        assert.equal(r.leftOpen, 0);
      },
    },
  ];
}
