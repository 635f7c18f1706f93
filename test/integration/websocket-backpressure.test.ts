// Back-pressure for a WebSocket over HTTP/2 (RFC 8441): a node:http2 server with
// enableConnectProtocol floods binary messages at a passive WebSocket that does not call
// `recv`. The client holds the stream's receive window, so the server's stream write stalls
// (its writableLength stays high, 'drain' is not emitted) with at most about one receive
// window (4 MiB) plus the client's hold threshold sent; then `recv` drains every message, in
// order and byte-exact, and the server's writes complete.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { connectWebSocket, type WebSocketEvent } from "../../src/websocket/index.js";
import { HOLD_AT } from "../../src/websocket/pipe.js";

const FRAME = 64 * 1024;
const COUNT = 256; // 16 MiB in all: four times the client's default stream receive window
const WINDOW = 4 * 1024 * 1024;

/** An unmasked binary frame (RFC 6455 §5.2) whose payload starts with its index. */
function frame(i: number): Buffer {
  const head = Buffer.from([0x82, 127, 0, 0, 0, 0, 0, 0, 0, 0]);
  head.writeUInt32BE(FRAME, 6);
  const payload = Buffer.alloc(FRAME, i & 0xff);
  payload.writeUInt32BE(i, 0);
  return Buffer.concat([head, payload]);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Flood {
  stream: http2.ServerHttp2Stream;
  total: number;
  drained: boolean;
}

async function floodServer(): Promise<{ port: number; flood: Promise<Flood>; close(): Promise<void> }> {
  const server = http2.createServer({ settings: { enableConnectProtocol: true } });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => sessions.add(s));
  let resolve!: (f: Flood) => void;
  const flood = new Promise<Flood>((r) => (resolve = r));
  server.on("stream", (stream, headers) => {
    assert.equal(headers[":protocol"], "websocket");
    stream.respond({ ":status": 200 });
    const f: Flood = { stream, total: 0, drained: false };
    for (let i = 0; i < COUNT; i++) {
      const b = frame(i);
      f.total += b.length;
      stream.write(b);
    }
    stream.once("drain", () => (f.drained = true));
    // Any frame from the client after the flood is its close: answer it and end the stream.
    stream.once("data", () => {
      stream.end(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
    });
    stream.on("error", () => undefined);
    resolve(f);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    flood,
    close: async () => {
      for (const s of sessions) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers) await c();
});

test("a passive WebSocket over HTTP/2 that does not recv stops the server; recv then drains it all in order", async () => {
  const srv = await floodServer();
  closers.push(srv.close);
  const ws = await connectWebSocket(`ws://127.0.0.1:${srv.port}/flood`, { http2: "require", mode: "passive", perMessageDeflate: false });
  assert.equal(ws.httpVersion, "http2");
  const f = await srv.flood;
  // Give the server every chance to send: it stalls on the stream window the client holds.
  let sent = 0;
  for (let i = 0; i < 20; i++) {
    await sleep(25);
    sent = f.total - f.stream.writableLength;
  }
  assert.equal(f.drained, false, "the server's writes do not drain while the client does not recv");
  assert.ok(f.stream.writableLength > f.total / 2, `the server still holds ${f.stream.writableLength} of ${f.total} bytes`);
  assert.ok(sent <= WINDOW + HOLD_AT + 2 * FRAME, `at most a window and the hold threshold were sent: ${sent}`);

  const got: WebSocketEvent[] = [];
  while (got.length < COUNT) got.push(...(await ws.recv(5000)));
  assert.equal(got.length, COUNT);
  got.forEach((e, i) => {
    assert.equal(e.type, "binary");
    const d = Buffer.from((e as { data: Uint8Array }).data);
    assert.equal(d.length, FRAME);
    assert.equal(d.readUInt32BE(0), i, `message ${i} in order`);
    assert.ok(d.subarray(4).every((b) => b === (i & 0xff)), `message ${i} is byte-exact`);
  });
  for (let i = 0; i < 100 && !f.drained && f.stream.writableLength > 0; i++) await sleep(10);
  assert.equal(f.stream.writableLength, 0, "the server's writes completed once the client read");
  const info = await ws.close();
  assert.equal(info.code, 1000);
  assert.equal(info.wasClean, true);
});
