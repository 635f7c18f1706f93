// WebSocket.bufferedAmount: bytes accepted by send() and not yet written to the socket
// (HTTP/1.1) or to the HTTP/2 stream. Against servers that stop reading, it grows with what
// was sent (nothing is dropped or refused), and falls back to 0 once the server reads, with
// every message delivered.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket as WsSocket } from "ws";
import { connectWebSocket } from "../../src/websocket/index.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers) await c();
});

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

test("HTTP/1.1: bufferedAmount holds what the socket has not taken while the server does not read", async () => {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  await new Promise<void>((r) => wss.once("listening", () => r()));
  closers.push(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  });
  let server!: WsSocket;
  let received = 0;
  const connected = new Promise<void>((resolve) =>
    wss.on("connection", (s) => {
      server = s;
      s.pause();
      s.on("message", () => received++);
      resolve();
    }),
  );
  const ws = await connectWebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, { perMessageDeflate: false });
  await connected;
  assert.equal(ws.bufferedAmount, 0);
  const MiB = 1024 * 1024;
  const count = 48;
  for (let i = 0; i < count; i++) ws.send(new Uint8Array(MiB).fill(i));
  const right = ws.bufferedAmount;
  assert.ok(right > 0 && right <= count * (MiB + 14), `right after send: ${right}`);
  await sleep(200);
  // The kernel's socket buffers take a few MiB at most; the rest stays in ours.
  assert.ok(ws.bufferedAmount > 16 * MiB, `while the server does not read: ${ws.bufferedAmount}`);
  server.resume();
  await until(() => received === count, `the server received ${count} messages (has ${received})`);
  await until(() => ws.bufferedAmount === 0, "bufferedAmount is 0");
  assert.equal((await ws.close()).wasClean, true);
  assert.equal(ws.bufferedAmount, 0);
});

test("HTTP/2: bufferedAmount holds the frames waiting for the stream's send window", async () => {
  const server = http2.createServer({ settings: { enableConnectProtocol: true } });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => sessions.add(s));
  let stream!: http2.ServerHttp2Stream;
  let got = 0;
  const opened = new Promise<void>((resolve) =>
    server.on("stream", (s) => {
      stream = s;
      s.respond({ ":status": 200 });
      s.on("error", () => undefined);
      s.pause();
      resolve();
    }),
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(async () => {
    for (const s of sessions) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const ws = await connectWebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, { http2: "require", perMessageDeflate: false });
  assert.equal(ws.httpVersion, "http2");
  await opened;
  const size = 2 * 1024 * 1024;
  ws.send(new Uint8Array(size));
  await sleep(200);
  // The server's stream window (64 KiB by default, plus what node reads ahead) is all that went out.
  assert.ok(ws.bufferedAmount > size - 512 * 1024, `while the server does not read: ${ws.bufferedAmount}`);
  assert.ok(ws.bufferedAmount <= size + 14);
  stream.on("data", (c: Buffer) => (got += c.length));
  stream.resume();
  await until(() => ws.bufferedAmount === 0, "bufferedAmount is 0");
  await until(() => got === size + 14, `the server got the whole frame (${got})`);
});
