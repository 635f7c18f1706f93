// A peer that sends but never reads must not make a connection buffer without bound the
// bytes its engine queues on its own while receiving (acknowledgements): reading stops
// until the socket drains. The caller's own writes never stop reading.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { Connection } from "../../src/connection/connection.js";
import type { Engine } from "../../src/core/engine.js";

/** An engine that answers every received chunk with `reply` bytes, like a PING flood's ACKs. */
function echoingEngine(reply: number): Engine & { received: number } {
  const out: Uint8Array[] = [];
  return {
    protocol: "http1",
    received: 0,
    request: () => {
      out.push(new Uint8Array(8 * 1024 * 1024));
      return "r";
    },
    streamRequestBody: () => {},
    receive(data) {
      this.received += data.length;
      out.push(new Uint8Array(reply));
      return [];
    },
    receiveEof: () => [],
    fail: () => [],
    takeOutgoing: () => out.splice(0),
    close: () => {},
    isOpen: () => true,
    openRequestCount: () => 0,
    requestBodyWindow: () => Infinity,
  };
}

async function peerThatNeverReads(): Promise<{ port: number; written: () => number; close: () => Promise<void> }> {
  let written = 0;
  let stop = false;
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    socket.pause();
    const chunk = Buffer.alloc(1024);
    const pump = (): void => {
      if (stop || socket.destroyed) return;
      written += chunk.length;
      if (socket.write(chunk)) setImmediate(pump);
      else socket.once("drain", pump);
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    written: () => written,
    close: async () => {
      stop = true;
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => server.close(r));
    },
  };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

test("acknowledgements piling up stop reading until the socket drains", async () => {
  const peer = await peerThatNeverReads();
  const socket = net.connect(peer.port, "127.0.0.1");
  await new Promise((r) => socket.once("connect", r));
  const engine = echoingEngine(16 * 1024);
  const conn = new Connection({ socket, createEngine: () => engine, mode: "active", log: false, where: "peer" });
  try {
    await until(() => socket.isPaused(), 10_000);
    assert.equal(socket.isPaused(), true, "reading stops");
    const queued = socket.writableLength;
    const received = engine.received;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(engine.received, received, "nothing more is received while writes are stuck");
    assert.ok(socket.writableLength <= queued);
    assert.ok(queued < 4 * 1024 * 1024, `queued ${queued} bytes`);
  } finally {
    await conn.close();
    await peer.close();
  }
});

test("the caller's own large writes do not stop reading", async () => {
  const peer = await peerThatNeverReads();
  const socket = net.connect(peer.port, "127.0.0.1");
  await new Promise((r) => socket.once("connect", r));
  const engine = echoingEngine(0);
  const conn = new Connection({ socket, createEngine: () => engine, mode: "active", log: false, where: "peer" });
  try {
    conn.request("POST", "/", [], null); // queues 8 MiB the peer never reads
    const before = engine.received;
    await until(() => engine.received > before + 256 * 1024, 5000);
    assert.ok(engine.received > before + 256 * 1024, "responses keep being read");
    assert.equal(socket.isPaused(), false);
  } finally {
    await conn.close();
    await peer.close();
  }
});
