// WebSockets over HTTP/2 (RFC 8441) against node:http2 servers with enableConnectProtocol,
// over h2c and h2: echo under flow control, a request served on the same connection while
// the WebSocket is open, the stream (not the connection) ending on close, servers that do
// not allow RFC 8441 (extended_connect_disabled, or HTTP/1.1 fallback with "prefer").

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { connect, HTTPError } from "../../src/index.js";
import { connectWebSocket, upgrade, type CloseInfo, type WebSocket } from "../../src/websocket/index.js";
import { testCerts } from "../support/certs.js";
import { collectActive, responseOf } from "../support/collect.js";
import { startH2WebSocketServer, type H2WebSocketServer } from "../support/websocket-h2-server.js";

const servers: H2WebSocketServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});
async function server(opts: Parameters<typeof startH2WebSocketServer>[0] = {}): Promise<H2WebSocketServer> {
  const s = await startH2WebSocketServer(opts);
  servers.push(s);
  return s;
}
const tlsOpts = () => ({ transportOpts: { cacerts: [testCerts().rootCA.cert] } });

function nextMessage(ws: WebSocket): Promise<string | Uint8Array> {
  return new Promise((resolve) => ws.once("message", (d: string | Uint8Array) => resolve(d)));
}

async function echoAndClose(ws: WebSocket, srv: H2WebSocketServer): Promise<void> {
  ws.send("over h2");
  assert.equal(await nextMessage(ws), "over h2");
  // 3 MiB: more than the default 64 KiB stream windows, so both directions wait for WINDOW_UPDATE.
  const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i & 0xff);
  ws.send(big);
  const got = await nextMessage(ws);
  assert.equal((got as Uint8Array).length, big.length);
  assert.deepEqual(Buffer.from(got as Uint8Array).equals(Buffer.from(big)), true);
  const info = await ws.close(1000, "bye");
  assert.deepEqual(info, { code: 1000, reason: "", wasClean: true });
  assert.equal(srv.closeCodes.at(-1), 1000);
}

test("h2c (prior knowledge): extended CONNECT, echo under flow control, clean close", async () => {
  const srv = await server();
  const ws = await connectWebSocket(`ws://127.0.0.1:${srv.port}/socket?x=1`, { http2: "require", connect: { protocols: ["http2"] } });
  assert.equal(ws.httpVersion, "http2");
  const h = srv.connects.at(-1)!;
  assert.equal(h[":protocol"], "websocket");
  assert.equal(h[":path"], "/socket?x=1");
  assert.equal(h[":scheme"], "http");
  assert.equal(h["sec-websocket-version"], "13");
  assert.equal(h["sec-websocket-key"], undefined, "RFC 8441 §5: no key");
  assert.equal(h["upgrade"], undefined);
  await echoAndClose(ws, srv);
});

test("h2 over TLS: http2 \"prefer\" uses RFC 8441 when ALPN gives h2", async () => {
  const srv = await server({ tls: true });
  const ws = await connectWebSocket(`wss://127.0.0.1:${srv.port}/tls`, { connect: tlsOpts() });
  assert.equal(ws.httpVersion, "http2");
  await echoAndClose(ws, srv);
});

test("the connection serves requests while the WebSocket is open, and outlives it", async () => {
  for (const tls of [false, true]) {
    const srv = await server({ tls });
    const conn = tls ? await connect("https", "127.0.0.1", srv.port, tlsOpts()) : await connect("http", "127.0.0.1", srv.port, { protocols: ["http2"] });
    assert.equal(conn.protocol, "http2");
    const ws = await upgrade(conn, "/ws");
    assert.equal(ws.httpVersion, "http2");
    const echoed = nextMessage(ws);
    ws.send("ping-pong");
    const ref = conn.request("GET", "/plain", [], null);
    const parts = await collectActive(conn, [ref]);
    const res = responseOf(parts, ref);
    assert.equal(res.status, 200);
    assert.equal(Buffer.from(res.body).toString(), "hello from /plain");
    assert.equal(await echoed, "ping-pong");
    const info: CloseInfo = await ws.close();
    assert.equal(info.wasClean, true);
    assert.equal(conn.isOpen(), true, "closing the WebSocket ends the stream, not the connection");
    assert.equal(conn.openRequestCount(), 0, "the WebSocket's stream is closed both ways");
    const ref2 = conn.request("GET", "/after", [], null);
    assert.equal(responseOf(await collectActive(conn, [ref2]), ref2).status, 200);
    await conn.close();
  }
});

test("RFC 8441 with permessage-deflate (h2c and h2)", async () => {
  for (const tls of [false, true]) {
    const srv = await server({ tls, deflate: true });
    const ws = tls
      ? await connectWebSocket(`wss://127.0.0.1:${srv.port}/z`, { connect: tlsOpts() })
      : await connectWebSocket(`ws://127.0.0.1:${srv.port}/z`, { http2: "require" });
    assert.equal(ws.httpVersion, "http2");
    assert.equal(ws.extensions, "permessage-deflate");
    for (let i = 0; i < 3; i++) {
      const text = "compress me ".repeat(50_000) + i;
      ws.send(text);
      assert.equal(await nextMessage(ws), text);
    }
    assert.equal((await ws.close(1000)).wasClean, true);
  }
});

test("a server without SETTINGS_ENABLE_CONNECT_PROTOCOL: extended_connect_disabled", async () => {
  const srv = await server({ enableConnectProtocol: false });
  await assert.rejects(
    connectWebSocket(`ws://127.0.0.1:${srv.port}/`, { http2: "require", connect: { protocols: ["http2"] } }),
    (e: unknown) => e instanceof HTTPError && e.protocol === "websocket" && e.reason === "extended_connect_disabled",
  );
  const conn = await connect("http", "127.0.0.1", srv.port, { protocols: ["http2"] });
  await assert.rejects(upgrade(conn, "/"), (e: unknown) => e instanceof HTTPError && e.reason === "extended_connect_disabled");
  assert.equal(conn.isOpen(), true);
  await conn.close();
  assert.equal(srv.connects.length, 0, "no CONNECT was sent");
});

test("wss with \"prefer\" falls back to HTTP/1.1 when the h2 server does not allow RFC 8441", async () => {
  const seen: string[] = [];
  const srv = await server({ tls: true, enableConnectProtocol: false, allowHTTP1: true, onHTTP1Request: (v, h) => seen.push(`${v} ${String(h["upgrade"])}`) });
  await assert.rejects(connectWebSocket(`wss://127.0.0.1:${srv.port}/`, { connect: tlsOpts() }), (e: unknown) => {
    assert.ok(e instanceof HTTPError && e.reason === "upgrade_failed");
    assert.equal(e.details!.status, 426);
    return true;
  });
  assert.deepEqual(seen, ["1.1 websocket"]);
});

test("a refused extended CONNECT is upgrade_failed with its status", async () => {
  const srv = await server({ status: 403 });
  await assert.rejects(
    connectWebSocket(`ws://127.0.0.1:${srv.port}/`, { http2: "require", connect: { protocols: ["http2"] } }),
    (e: unknown) => e instanceof HTTPError && e.reason === "upgrade_failed" && e.details!.status === 403,
  );
});
