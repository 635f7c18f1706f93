// The WebSocket client against the `ws` package's WebSocketServer on 127.0.0.1 over
// HTTP/1.1: echo of text and binary, ping/pong, permessage-deflate, subprotocols, frames
// sent with the handshake, passive mode, refused upgrades, closes from both sides and
// maxMessageSize.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket as ServerSocket } from "ws";
import { connectWebSocket, upgrade } from "../../src/websocket/index.js";
import type { CloseInfo, WebSocket } from "../../src/websocket/index.js";
import { connect, HTTPError, TransportError } from "../../src/index.js";

interface Server {
  url: string;
  wss: WebSocketServer;
  lastClose: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

async function start(opts: ConstructorParameters<typeof WebSocketServer>[0] = {}, onConn?: (s: ServerSocket) => void): Promise<Server> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: true, ...opts });
  await new Promise<void>((r) => wss.once("listening", () => r()));
  let resolveClose!: (v: { code: number; reason: string }) => void;
  const server: Server = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/echo`,
    wss,
    lastClose: new Promise((r) => (resolveClose = r)),
    close: () => new Promise<void>((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => r());
    }),
  };
  wss.on("connection", (s) => {
    s.on("close", (code, reason) => resolveClose({ code, reason: reason.toString() }));
    if (onConn) onConn(s);
    else s.on("message", (data, isBinary) => s.send(data, { binary: isBinary }));
  });
  return server;
}

function nextMessage(ws: WebSocket): Promise<[string | Uint8Array, boolean]> {
  return new Promise((resolve) => ws.once("message", (d: string | Uint8Array, b: boolean) => resolve([d, b])));
}
function closed(ws: WebSocket): Promise<CloseInfo> {
  return new Promise((resolve) => ws.once("close", resolve));
}

const servers: Server[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

test("echo: text, binary, ping/pong, then a clean close", async () => {
  const srv = await start();
  servers.push(srv);
  const ws = await connectWebSocket(srv.url);
  assert.equal(ws.httpVersion, "http1");
  assert.match(ws.extensions, /permessage-deflate/);
  ws.send("héllo");
  assert.deepEqual(await nextMessage(ws), ["héllo", false]);
  ws.send(new Uint8Array([0, 1, 2, 255]));
  const [bin, isBinary] = await nextMessage(ws);
  assert.equal(isBinary, true);
  assert.deepEqual(new Uint8Array(bin as Uint8Array), new Uint8Array([0, 1, 2, 255]));
  const pong = new Promise<Uint8Array>((r) => ws.once("pong", r));
  ws.ping(new Uint8Array([7, 7]));
  assert.deepEqual(new Uint8Array(await pong), new Uint8Array([7, 7]));
  const info = await ws.close(1000, "done");
  assert.equal(info.code, 1000);
  assert.equal(info.wasClean, true);
  assert.deepEqual(await srv.lastClose, { code: 1000, reason: "done" });
  assert.throws(() => ws.send("late"), (e: unknown) => e instanceof HTTPError && e.reason === "closed");
});

test("permessage-deflate: large compressible messages both ways, and without deflate", async () => {
  const srv = await start();
  servers.push(srv);
  for (const perMessageDeflate of [true, false, { clientNoContextTakeover: true, serverNoContextTakeover: true }]) {
    const ws = await connectWebSocket(srv.url, { perMessageDeflate });
    assert.equal(ws.extensions.includes("permessage-deflate"), perMessageDeflate !== false);
    if (typeof perMessageDeflate === "object") assert.match(ws.extensions, /server_no_context_takeover/);
    for (let i = 0; i < 3; i++) {
      const big = "abcdefgh".repeat(100_000) + i;
      ws.send(big);
      const [got] = await nextMessage(ws);
      assert.equal(got, big);
    }
    await ws.close();
  }
});

test("messages sent with the handshake reach the caller (active mode)", async () => {
  const srv = await start({}, (s) => {
    s.send("first");
    s.send("second");
  });
  servers.push(srv);
  const ws = await connectWebSocket(srv.url, { perMessageDeflate: false });
  const got: unknown[] = [];
  await new Promise<void>((resolve) => ws.on("message", (d) => (got.push(d), got.length === 2 && resolve())));
  assert.deepEqual(got, ["first", "second"]);
  await ws.close();
});

test("passive mode: recv returns events, times out, then returns the close once", async () => {
  const srv = await start();
  servers.push(srv);
  const ws = await connectWebSocket(srv.url, { mode: "passive" });
  await assert.rejects(ws.recv(50), (e: unknown) => e instanceof TransportError && e.reason === "timeout");
  ws.send("one");
  assert.deepEqual(await ws.recv(2000), [{ type: "text", data: "one" }]);
  const done = ws.close(3001, "bye");
  const events = await ws.recv(2000);
  assert.deepEqual(events.at(-1), { type: "close", code: 3001, reason: "bye", wasClean: true });
  assert.deepEqual(await done, { code: 3001, reason: "bye", wasClean: true });
  await assert.rejects(ws.recv(10), (e: unknown) => e instanceof HTTPError && e.reason === "closed");
});

test("subprotocol agreed from the offer", async () => {
  const srv = await start({ handleProtocols: (set) => (set.has("chat") ? "chat" : false) });
  servers.push(srv);
  const ws = await connectWebSocket(srv.url, { protocols: ["superchat", "chat"] });
  assert.equal(ws.protocol, "chat");
  await ws.close();
  const none = await connectWebSocket(srv.url);
  assert.equal(none.protocol, "");
  await none.close();
});

test("a refused upgrade is upgrade_failed with status, headers and body", async () => {
  const srv = await start({ verifyClient: (_info, cb) => cb(false, 403, "Forbidden here") });
  servers.push(srv);
  await assert.rejects(connectWebSocket(srv.url), (e: unknown) => {
    assert.ok(e instanceof HTTPError);
    assert.equal(e.protocol, "websocket");
    assert.equal(e.reason, "upgrade_failed");
    assert.equal(e.details!.status, 403);
    assert.ok(Array.isArray(e.details!.headers));
    assert.equal(Buffer.from(e.details!.body as Uint8Array).toString(), "Forbidden here");
    return true;
  });
});

test("the server closes first: close event with its code and reason", async () => {
  const srv = await start({}, (s) => s.on("message", () => s.close(4000, "server says bye")));
  servers.push(srv);
  const ws = await connectWebSocket(srv.url);
  const c = closed(ws);
  ws.send("close please");
  assert.deepEqual(await c, { code: 4000, reason: "server says bye", wasClean: true });
});

test("a message over maxMessageSize closes 1009 (compressed or not)", async () => {
  for (const perMessageDeflate of [false, true]) {
    const srv = await start({}, (s) => s.send(Buffer.alloc(2 * 1024 * 1024, 0x61)));
    servers.push(srv);
    const ws = await connectWebSocket(srv.url, { maxMessageSize: 1024 * 1024, perMessageDeflate, closeTimeout: 2000 });
    const info = await closed(ws);
    assert.equal(info.code, 1009);
    assert.equal(info.wasClean, false);
    assert.equal((await srv.lastClose).code, 1009);
  }
});

test("the server vanishing without a closing handshake -> 1006", async () => {
  const srv = await start({}, (s) => setTimeout(() => s.terminate(), 20));
  servers.push(srv);
  const ws = await connectWebSocket(srv.url);
  assert.deepEqual(await closed(ws), { code: 1006, reason: "", wasClean: false });
});

test("passive mode: messages sent with the handshake come with the first recv", async () => {
  const srv = await start({}, (s) => {
    s.send("early-1");
    s.send(Buffer.from([1, 2]));
  });
  servers.push(srv);
  const ws = await connectWebSocket(srv.url, { mode: "passive", perMessageDeflate: false });
  const events: unknown[] = [];
  while (events.length < 2) events.push(...(await ws.recv(2000)).map((e) => ("data" in e && typeof e.data !== "string" ? { ...e, data: new Uint8Array(e.data) } : e)));
  assert.deepEqual(events, [{ type: "text", data: "early-1" }, { type: "binary", data: new Uint8Array([1, 2]) }]);
  await ws.close();
});

test("upgrade() on an open HTTP/1.1 connection takes over its socket", async () => {
  const srv = await start();
  servers.push(srv);
  const port = Number(new URL(srv.url).port);
  const conn = await connect("http", "127.0.0.1", port);
  const socket = conn.getSocket();
  const ws = await upgrade(conn, "/echo", { protocols: [] });
  assert.equal(conn.isOpen(), false, "the connection is done with HTTP");
  assert.equal(socket.destroyed, false, "the socket lives on under the WebSocket");
  ws.send("over the same socket");
  assert.deepEqual(await nextMessage(ws), ["over the same socket", false]);
  assert.equal((await ws.close()).wasClean, true);
  assert.equal(socket.destroyed, true);
});
