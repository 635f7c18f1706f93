// Pool time and queue limits, aborts in every state, body cancel, destroy, and
// per-request back-pressure on HTTP/1.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { Pool } from "../../src/pool/index.js";
import { startHTTPServer, startRawServer } from "../support/servers.js";
import { startFaultServer, type Peer } from "../support/fault-server.js";
import { FrameBuilder } from "../support/h2-frames.js";
import { sleep, until } from "../support/wait.js";


async function stallingServer() {
  const held: ServerResponse[] = [];
  const server = await startHTTPServer((req, res) => {
    if (req.url === "/fast") return res.end("fast");
    if (req.url === "/partial") {
      res.writeHead(200, { "content-length": "10" });
      res.write("abc");
    }
    held.push(res);
  });
  return {
    ...server,
    release: () => {
      for (const r of held) if (!r.writableEnded) r.end();
    },
  };
}

test("queueTimeout and maxQueued", async () => {
  const server = await stallingServer();
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: 1, queueTimeout: 400, maxQueued: 1, headersTimeout: 5000 });
  // The connection opens first, so the queue timeout below measures only the wait for it.
  assert.equal(await (await pool.request("/fast")).body.text(), "fast");
  const stuck = pool.request("/stall").catch((e: unknown) => e);
  await until(() => pool.stats().inFlight === 1);
  const waiting = pool.request("/fast");
  waiting.catch(() => {});
  await assert.rejects(pool.request("/fast"), { name: "TransportError", reason: "queue_full" });
  await assert.rejects(waiting, { name: "TransportError", reason: "queue_timeout" });
  assert.equal(pool.stats().queued, 0);
  await pool.destroy();
  assert.equal((await stuck as { reason: string }).reason, "pool_closed");
  await server.close();
});

test("headersTimeout (pool and per request) and bodyTimeout", async () => {
  const server = await stallingServer();
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { headersTimeout: 80, bodyTimeout: 60 });
  const t0 = Date.now();
  await assert.rejects(pool.request("/stall"), { reason: "headers_timeout" });
  assert.ok(Date.now() - t0 >= 70);
  await assert.rejects(pool.request("/stall", { headersTimeout: 20 }), { reason: "headers_timeout" });
  const r = await pool.request("/partial");
  await assert.rejects(r.body.text(), { reason: "body_timeout" });
  await assert.rejects(r.trailers, { reason: "body_timeout" });
  assert.equal(await (await pool.request("/fast")).body.text(), "fast");
  await pool.close();
  server.release();
  await server.close();
});

test("headersTimeout counts again from each 1xx head: 103s every 60 ms keep a 100 ms timeout from firing", async () => {
  const server = await startRawServer((socket) => {
    socket.once("data", () => {
      let sent = 0;
      const t = setInterval(() => {
        if (socket.destroyed) return clearInterval(t);
        if (++sent <= 4) return void socket.write("HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n");
        clearInterval(t);
        socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
      }, 60);
    });
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { headersTimeout: 100 });
  const hints: number[] = [];
  const res = await pool.request("/", { onInformational: (status) => hints.push(status) });
  assert.equal(await res.body.text(), "ok");
  assert.deepEqual(hints, [103, 103, 103, 103]);
  await pool.close();
  await server.close();
});

test("abort while queued, while connecting, in flight (HTTP/1) and while the body streams", async () => {
  const server = await stallingServer();
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: 1 });
  // In flight before headers: the HTTP/1 connection is closed.
  const inflight = new AbortController();
  const p1 = pool.request("/stall", { signal: inflight.signal });
  // Queued behind it.
  const queued = new AbortController();
  const p2 = pool.request("/fast", { signal: queued.signal });
  await until(() => pool.stats().inFlight === 1 && pool.stats().queued === 1);
  assert.equal(pool.stats().queued, 1);
  queued.abort(new Error("not needed"));
  await assert.rejects(p2, (e: Error & { reason?: string }) => e.reason === "aborted" && (e.cause as Error).message === "not needed");
  inflight.abort();
  await assert.rejects(p1, { reason: "aborted" });
  await until(() => pool.stats().connections === 0);
  assert.equal(pool.stats().connections, 0, "the aborted HTTP/1 request's connection is closed");
  // While the body streams.
  const bodyAbort = new AbortController();
  const r = await pool.request("/partial", { signal: bodyAbort.signal });
  const text = r.body.text();
  bodyAbort.abort();
  await assert.rejects(text, { reason: "aborted" });
  // Already aborted.
  await assert.rejects(pool.request("/fast", { signal: AbortSignal.abort() }), { reason: "aborted" });
  await pool.close();
  server.release();
  await server.close();

  // While connecting: a TLS handshake that never completes.
  const silent = await startRawServer(() => {});
  const tlsPool = new Pool(`https://127.0.0.1:${silent.port}`);
  const c = new AbortController();
  const p = tlsPool.request("/", { signal: c.signal });
  await sleep(20);
  c.abort();
  await assert.rejects(p, { reason: "aborted" });
  await tlsPool.destroy();
  await silent.close();
});

async function greet(peer: Peer): Promise<FrameBuilder> {
  await peer.h2Handshake();
  await peer.waitForFrame((f) => f.type === 6 && (f.flags & 1) === 0, "the client's PING");
  const ping = peer.frames().find((f) => f.type === 6 && (f.flags & 1) === 0)!;
  const fb = new FrameBuilder();
  await peer.write(new FrameBuilder(fb.encoder).ping(ping.payload, true).bytes());
  return fb;
}

test("HTTP/2: an in-flight abort and a body cancel reset only their streams with CANCEL", async () => {
  const rstCancel = (peer: Peer, id: number) => peer.frames().some((f) => f.type === 3 && f.streamId === id && f.payload.readUInt32BE(0) === 8);
  const server = await startFaultServer(async (peer) => {
    const fb = await greet(peer);
    await peer.waitFor(() => peer.frames().filter((f) => f.type === 1).length >= 3, 3000, "three requests");
    // Stream 3 gets a head and part of its body; 1 and 5 wait.
    await peer.write(new FrameBuilder(fb.encoder).headers(3, [[":status", "200"]]).data(3, "par").bytes());
    await peer.waitFor(() => rstCancel(peer, 1) && rstCancel(peer, 3), 3000, "two RST_STREAM CANCEL");
    await peer.write(new FrameBuilder(fb.encoder).response(5, 200, [], "five").bytes());
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connect: { protocols: ["http2"] } });
  const ac = new AbortController();
  const p1 = pool.request("/1", { signal: ac.signal });
  const p3 = pool.request("/3");
  const p5 = pool.request("/5");
  const r3 = await p3;
  ac.abort();
  await assert.rejects(p1, { reason: "aborted" });
  await r3.body.cancel();
  assert.deepEqual(await r3.trailers, []);
  assert.equal(await (await p5).body.text(), "five");
  assert.equal(server.peers.length, 1);
  assert.equal(pool.stats().connections, 1);
  await pool.close();
  await server.close();
});

test("destroy fails queued requests first, then those in flight, with pool_closed", async () => {
  const server = await stallingServer();
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: 1 });
  const order: string[] = [];
  const inflight = pool.request("/stall").catch((e: { reason: string }) => order.push(`inflight:${e.reason}`));
  await until(() => pool.stats().inFlight === 1);
  const queued = pool.request("/fast").catch((e: { reason: string }) => order.push(`queued:${e.reason}`));
  await pool.destroy();
  await Promise.all([inflight, queued]);
  assert.deepEqual(order, ["queued:pool_closed", "inflight:pool_closed"]);
  assert.equal(pool.stats().connections, 0);
  server.release();
  await server.close();
});

test("HTTP/1 back-pressure: a reader that does not read stops the socket being read", async () => {
  const size = 32 * 1024 * 1024;
  let written = 0;
  const server = await startHTTPServer((_req, res) => {
    res.writeHead(200, { "content-length": String(size) });
    const chunk = Buffer.alloc(64 * 1024, 97);
    const pump = (): void => {
      while (written < size) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end();
    };
    pump();
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`);
  const r = await pool.request("/");
  await sleep(300);
  assert.ok(written < size / 2, `the server could write ${written} of ${size} bytes to a reader that read nothing`);
  let got = 0;
  for await (const chunk of r.body) got += chunk.length;
  assert.equal(got, size);
  await pool.close();
  await server.close();
});

test("destroy(err) fails requests with that error", async () => {
  const server = await stallingServer();
  const pool = new Pool(`http://127.0.0.1:${server.port}`);
  const p = pool.request("/stall").catch((e: unknown) => e);
  await until(() => pool.stats().inFlight === 1);
  const reason = new Error("shutting down");
  await pool.destroy(reason);
  assert.equal(await p, reason);
  server.release();
  await server.close();
});

test("a request body that fails mid-stream fails its request and takes its connection down (HTTP/1)", async () => {
  const server = await startHTTPServer((req, res) => {
    req.resume();
    req.on("end", () => res.end("ok"));
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`);
  const boom = new Error("source broke");
  async function* broken(): AsyncGenerator<Uint8Array> {
    yield new Uint8Array(10);
    await sleep(10);
    throw boom;
  }
  await assert.rejects(pool.request("/", { method: "POST", body: broken() }), (e) => e === boom);
  await until(() => pool.stats().connections === 0);
  assert.equal(pool.stats().connections, 0, "half a body cannot be taken back: the connection is closed");
  assert.equal(await (await pool.request("/")).body.text(), "ok");
  await pool.close();
  await server.close();
});
