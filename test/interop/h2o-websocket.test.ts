// Interop with h2o (Debian's package, 2.2) as a server without RFC 8441: its HTTP/2 never
// sends SETTINGS_ENABLE_CONNECT_PROTOCOL. h2o proxies HTTP/1.1 WebSocket upgrades
// (`proxy.websocket: ON`) to the `ws` package's echo server. With `http2: "prefer"` over
// TLS, ALPN gives h2, the client sees no extended CONNECT and falls back to HTTP/1.1 on a
// new connection, through h2o to the backend; `"require"` fails with
// extended_connect_disabled, over h2 (TLS) and h2c (prior knowledge), and sends no CONNECT.
// Without the binary these tests fail under CI and are skipped (with the reason) otherwise.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocketServer } from "ws";
import { connect, HTTPError } from "../../src/index.js";
import { connectWebSocket, upgrade, type WebSocket } from "../../src/websocket/index.js";
import { testCerts } from "../support/certs.js";
import { freePort, interopBinary, startChild, waitForPorts, type Child } from "./support/process.js";

const { bin, missing } = interopBinary("h2o", "apt-get install h2o");
const certs = testCerts();
const tls = { transportOpts: { cacerts: [certs.rootCA.cert] } };

function config(dir: string, http: number, https: number, backend: number): string {
  return `user: ${process.env.USER ?? "root"}
pid-file: ${join(dir, "h2o.pid")}
error-log: ${join(dir, "error.log")}
num-threads: 1
listen:
  host: 127.0.0.1
  port: ${http}
listen:
  host: 127.0.0.1
  port: ${https}
  ssl:
    certificate-file: ${certs.valid.certPath}
    key-file: ${certs.valid.keyPath}
hosts:
  default:
    paths:
      /:
        proxy.reverse.url: http://127.0.0.1:${backend}/
        proxy.websocket: ON
        proxy.websocket.timeout: 30000
`;
}

function nextMessage(ws: WebSocket): Promise<string | Uint8Array> {
  return new Promise((resolve) => ws.once("message", (d: string | Uint8Array) => resolve(d)));
}

const isExtendedConnectDisabled = (e: unknown): boolean => e instanceof HTTPError && e.protocol === "websocket" && e.reason === "extended_connect_disabled";

describe("h2o: a server without RFC 8441", { skip: missing }, () => {
  let child: Child;
  let dir: string;
  let wss: WebSocketServer;
  let http = 0;
  let https = 0;
  const upgrades: string[] = [];

  before(async () => {
    wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: true, handleProtocols: (p) => (p.has("chat.v1") ? "chat.v1" : false) });
    await new Promise<void>((r) => wss.once("listening", () => r()));
    wss.on("connection", (s, req) => {
      upgrades.push(`${req.httpVersion} ${req.url ?? ""}`);
      s.on("message", (d, isBinary) => s.send(d, { binary: isBinary }));
    });
    dir = mkdtempSync(join(tmpdir(), "mint-http-h2o-"));
    http = await freePort();
    https = await freePort();
    const conf = join(dir, "h2o.conf");
    writeFileSync(conf, config(dir, http, https, (wss.address() as AddressInfo).port));
    child = startChild(bin!, ["-c", conf], dir);
    await waitForPorts("h2o", [http, https], child, () => {
      try {
        return readFileSync(join(dir, "error.log"), "utf8");
      } catch {
        return "";
      }
    });
  });
  after(async () => {
    await child?.stop();
    for (const c of wss?.clients ?? []) c.terminate();
    await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("h2o's HTTP/2 does not allow extended CONNECT (ALPN h2, no SETTINGS_ENABLE_CONNECT_PROTOCOL)", async () => {
    const conn = await connect("https", "127.0.0.1", https, tls);
    assert.equal(conn.protocol, "http2");
    await assert.rejects(upgrade(conn, "/chat"), isExtendedConnectDisabled);
    assert.equal(conn.isOpen(), true, "a refused RFC 8441 leaves the connection usable");
    await conn.close();
  });

  test("wss:// with http2 \"prefer\": falls back to HTTP/1.1 through h2o's WebSocket proxy", async () => {
    const before = upgrades.length;
    const ws = await connectWebSocket(`wss://127.0.0.1:${https}/chat?via=h2o`, { connect: tls, protocols: ["chat.v1"] });
    assert.equal(ws.httpVersion, "http1");
    assert.equal(ws.protocol, "chat.v1");
    assert.deepEqual(upgrades.slice(before), ["1.1 /chat?via=h2o"]);
    ws.send("through h2o");
    assert.equal(await nextMessage(ws), "through h2o");
    const big = new Uint8Array(1024 * 1024 + 7).map((_, i) => (i * 31) & 0xff);
    ws.send(big);
    const got = await nextMessage(ws);
    assert.ok(got instanceof Uint8Array && Buffer.from(got).equals(Buffer.from(big)), "binary echo is byte-exact");
    assert.deepEqual(await ws.close(1000, "bye"), { code: 1000, reason: "bye", wasClean: true });
  });

  test("ws:// over HTTP/1.1 through h2o", async () => {
    const ws = await connectWebSocket(`ws://127.0.0.1:${http}/plain`);
    assert.equal(ws.httpVersion, "http1");
    const text = "héllo ".repeat(10_000);
    ws.send(text);
    assert.equal(await nextMessage(ws), text);
    assert.equal((await ws.close(4000)).code, 4000);
  });

  test("http2 \"require\": extended_connect_disabled over h2 and h2c, and no upgrade reaches the backend", async () => {
    const before = upgrades.length;
    await assert.rejects(connectWebSocket(`wss://127.0.0.1:${https}/chat`, { http2: "require", connect: tls }), isExtendedConnectDisabled);
    await assert.rejects(connectWebSocket(`ws://127.0.0.1:${http}/chat`, { http2: "require" }), isExtendedConnectDisabled);
    assert.equal(upgrades.length, before);
  });
});
