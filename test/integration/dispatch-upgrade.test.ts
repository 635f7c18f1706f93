// HTTP/1 upgrades through the dispatcher: undici's upgrade() over our Agent gets the 101
// and a socket that speaks the new protocol (bytes sent with the 101 included); a refused
// upgrade is an HTTPError upgrade_failed; CONNECT through undici's connect() gets the 2xx and
// the tunnel's socket (a refused CONNECT is upgrade_failed);
// undici's WebSocket (fetch with upgrade: "websocket") works over our Agent.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { Duplex } from "node:stream";
import * as undici from "undici";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { Agent, Pool } from "../../src/pool/index.js";
import { HTTPError } from "../../src/index.js";
import type { IncomingMessage } from "node:http";
import { startHTTPServer } from "../support/servers.js";
import { strictHandler } from "../support/strict-handler.js";

let server: Awaited<ReturnType<typeof startHTTPServer>>;
let origin: string;
const seen: Array<string | undefined> = [];

before(async () => {
  server = await startHTTPServer((_req, res) => {
    res.writeHead(426, { upgrade: "echo" });
    res.end("upgrade required");
  });
  server.server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    seen.push(req.headers.upgrade as string | undefined);
    if (req.headers.upgrade !== "echo") {
      socket.end("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    // The first bytes of the new protocol travel with the 101.
    socket.write("HTTP/1.1 101 Switching Protocols\r\nupgrade: echo\r\nconnection: upgrade\r\n\r\nhello-");
    socket.on("data", (d: Buffer) => socket.write(d));
  });
  server.server.on("connect", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    seen.push(`CONNECT ${req.url} ${req.headers["x-tunnel"] ?? ""}`);
    if (req.url === "deny.test:443") {
      socket.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 6\r\n\r\ndenied");
      return;
    }
    // The tunnel's first bytes travel with the 200; then it echoes.
    socket.write("HTTP/1.1 200 Connection Established\r\nx-proxy: node\r\n\r\ntunnel-");
    if (head.length > 0) socket.write(head);
    socket.on("data", (d: Buffer) => socket.write(d));
  });
  origin = `http://127.0.0.1:${server.port}`;
});
after(() => server.close());

function readUntil(socket: Duplex, want: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = "";
    socket.on("data", (d: Buffer) => {
      got += d.toString();
      if (got.length >= want.length) resolve(got);
    });
    socket.on("error", reject);
  });
}

test("undici upgrade() over our Agent: the 101, then the socket speaks the new protocol", async () => {
  const agent = new Agent();
  const { headers, socket } = await undici.upgrade(`${origin}/chat`, { dispatcher: agent as unknown as undici.Dispatcher, protocol: "echo" });
  assert.equal(headers.upgrade, "echo");
  const echoed = readUntil(socket, "hello-ping");
  socket.write("ping");
  assert.equal(await echoed, "hello-ping");
  socket.destroy();
  assert.deepEqual(seen.slice(-1), ["echo"]);
  await agent.close();
});

test("a legacy handler gets onConnect then onUpgrade(101, raw headers, socket), and no other completion", async () => {
  const pool = new Pool(origin);
  const events: string[] = [];
  const socket = await new Promise<Duplex>((resolve, reject) => {
    pool.dispatch({ path: "/", method: "GET", upgrade: "echo" }, {
      onConnect: () => void events.push("connect"),
      onHeaders: () => (events.push("headers"), true),
      onComplete: () => void events.push("complete"),
      onUpgrade(status: number, raw: Buffer[], s: Duplex) {
        events.push(`upgrade ${status} ${raw.map(String).join(",")}`);
        resolve(s);
      },
      onError: reject,
    });
  });
  const echoed = readUntil(socket, "hello-x");
  socket.write("x");
  assert.equal(await echoed, "hello-x");
  socket.destroy();
  assert.deepEqual(events, ["connect", "upgrade 101 upgrade,echo,connection,upgrade"]);
  await pool.close();
});

test("a refused upgrade is HTTPError upgrade_failed; so is a CONNECT answered without a 2xx", async () => {
  const pool = new Pool(origin);
  const h = Object.assign(strictHandler(), { onUpgrade() {} });
  pool.dispatch({ path: "/", method: "GET", upgrade: "other" }, h);
  const err = (await h.done).error;
  assert.ok(err instanceof HTTPError && err.reason === "upgrade_failed", String(err));
  assert.equal(err.details?.status, 400);
  const c = Object.assign(strictHandler(), { onUpgrade() {} });
  assert.equal(pool.dispatch({ path: "deny.test:443", method: "CONNECT" }, c), true);
  const cErr = (await c.done).error;
  assert.ok(cErr instanceof HTTPError && cErr.reason === "upgrade_failed", String(cErr));
  assert.equal(cErr.details?.status, 403);
  // A CONNECT without onUpgrade is misuse, as in undici.
  const plain = strictHandler();
  assert.equal(pool.dispatch({ path: "a.test:443", method: "CONNECT" }, plain), false);
  assert.ok((await plain.done).error instanceof TypeError);
  await pool.close();
});

test("undici's connect() over our Agent: onUpgrade gets the 200, its headers and the tunnel's socket", async () => {
  const agent = new Agent();
  const { statusCode, headers, socket } = await undici.connect(origin, { dispatcher: agent as unknown as undici.Dispatcher, headers: { "x-tunnel": "yes" } });
  assert.equal(statusCode, 200);
  assert.equal(headers["x-proxy"], "node");
  const echoed = readUntil(socket, "tunnel-ping");
  socket.write("ping");
  assert.equal(await echoed, "tunnel-ping");
  socket.destroy();
  assert.deepEqual(seen.slice(-1), ["CONNECT / yes"]);
  // An authority-form target, through a Pool's dispatch with an undici 7 handler.
  const pool = new Pool(origin);
  const got = await new Promise<{ status: number; socket: Duplex }>((resolve, reject) => {
    pool.dispatch({ path: "example.test:443", method: "CONNECT" }, {
      onRequestStart() {},
      onRequestUpgrade: (_c: unknown, status: number, _h: unknown, s: Duplex) => resolve({ status, socket: s }),
      onResponseError: (_c: unknown, err: Error) => reject(err),
    } as never);
  });
  assert.equal(got.status, 200);
  const again = readUntil(got.socket, "tunnel-x");
  got.socket.write("x");
  assert.equal(await again, "tunnel-x");
  got.socket.destroy();
  assert.deepEqual(seen.slice(-1), ["CONNECT example.test:443 "]);
  await agent.close();
  await pool.close();
});

test("undici's WebSocket over our Agent: open, echo, close", async () => {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  wss.on("connection", (s) => s.on("message", (d, binary) => s.send(d, { binary })));
  await new Promise<void>((r) => wss.once("listening", () => r()));
  const agent = new Agent();
  const ws = new undici.WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, { dispatcher: agent as unknown as undici.Dispatcher });
  const got = await new Promise<unknown>((resolve, reject) => {
    ws.onopen = () => ws.send("over mint-http");
    ws.onmessage = (e) => resolve(e.data);
    ws.onerror = () => reject(new Error("WebSocket error"));
  });
  assert.equal(got, "over mint-http");
  const closed = new Promise<number>((r) => (ws.onclose = (e) => r(e.code)));
  ws.close(1000);
  assert.equal(await closed, 1000);
  await agent.close();
  await new Promise<void>((r) => wss.close(() => r()));
});
