// Pool over HTTP/2: the cold-burst ALPN gate, multiplexing up to the server's
// MAX_CONCURRENT_STREAMS and a new connection only when saturated, GOAWAY with in-flight
// streams above last_stream_id (retried elsewhere), REFUSED_STREAM (retried), and one slow
// reader not stalling another stream. Scripted servers speak h2c (prior knowledge).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { Pool } from "../../src/pool/index.js";
import { testCerts } from "../support/certs.js";
import { startFaultServer, type Peer } from "../support/fault-server.js";
import { FrameBuilder } from "../support/h2-frames.js";
import { sleep, until } from "../support/wait.js";

const certs = testCerts();
const tls = { transportOpts: { cacerts: [certs.rootCA.cert] } };

async function h2Server(settings: http2.Settings, handler: (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void) {
  const server = http2.createSecureServer({ key: certs.valid.key, cert: certs.valid.cert, allowHTTP1: true, settings }, handler);
  let sockets = 0;
  server.on("secureConnection", () => sockets++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sockets: () => sockets,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let slow: Awaited<ReturnType<typeof h2Server>>;
before(async () => {
  slow = await h2Server({ maxConcurrentStreams: 2 }, (req, res) => setTimeout(() => res.end(req.url), 40));
});
after(() => slow.close());

test("a cold burst to an https origin opens one connection, then multiplexes on it", async () => {
  const server = await h2Server({}, (req, res) => res.end(req.url));
  const pool = new Pool(server.origin, { connect: tls });
  const rs = await Promise.all(Array.from({ length: 50 }, (_, i) => pool.request(`/${i}`).then((r) => r.body.text())));
  assert.equal(rs[49], "/49");
  assert.equal(server.sockets(), 1);
  assert.equal(pool.stats().http2, 1);
  await pool.close();
  await server.close();
});

test("up to the server's MAX_CONCURRENT_STREAMS per connection; another connection only when saturated", async () => {
  const pool = new Pool(slow.origin, { connect: tls, connections: 3 });
  const before = slow.sockets();
  const all = Promise.all(Array.from({ length: 6 }, (_, i) => pool.request(`/${i}`).then((r) => r.body.text())));
  await until(() => pool.stats().inFlight > 0);
  const s = pool.stats();
  assert.ok(s.inFlight <= 2 * s.connections, JSON.stringify(s));
  assert.deepEqual(await all, ["/0", "/1", "/2", "/3", "/4", "/5"]);
  assert.equal(slow.sockets() - before, 3);
  await pool.close();
});

test("with one connection allowed, requests beyond the stream limit wait instead of failing", async () => {
  const pool = new Pool(slow.origin, { connect: tls, connections: 1 });
  const before = slow.sockets();
  const all = Promise.all(Array.from({ length: 7 }, (_, i) => pool.request(`/${i}`).then((r) => r.body.text())));
  await until(() => pool.stats().inFlight === 2);
  assert.equal(pool.stats().inFlight, 2);
  assert.equal(pool.stats().queued, 5);
  assert.equal((await all).length, 7);
  assert.equal(slow.sockets() - before, 1);
  await pool.close();
});

/** Server side of the preface plus the answer to the client's first PING. */
async function greet(peer: Peer): Promise<FrameBuilder> {
  await peer.h2Handshake();
  await peer.waitForFrame((f) => f.type === 6 && (f.flags & 1) === 0, "the client's PING");
  const ping = peer.frames().find((f) => f.type === 6 && (f.flags & 1) === 0)!;
  const fb = new FrameBuilder();
  await peer.write(new FrameBuilder(fb.encoder).ping(ping.payload, true).bytes());
  return fb;
}

const headersOn = (peer: Peer): number[] => peer.frames().filter((f) => f.type === 1).map((f) => f.streamId);

test("GOAWAY with last_stream_id below in-flight streams: those finish or come back unprocessed and are retried", async () => {
  const server = await startFaultServer(async (peer) => {
    const fb = await greet(peer);
    if (server.peers.indexOf(peer) === 0) {
      await peer.waitFor(() => headersOn(peer).length >= 3, 3000, "three requests");
      // RFC 9113 §6.8: streams 3 and 5 were not processed; stream 1 still finishes.
      await peer.write(new FrameBuilder(fb.encoder).goaway(1, 0).response(1, 200, [], "one").bytes());
      return;
    }
    await peer.waitFor(() => headersOn(peer).length >= 2, 3000, "the retried requests");
    const b = new FrameBuilder(fb.encoder);
    for (const id of headersOn(peer)) b.response(id, 200, [], "again");
    await peer.write(b.bytes());
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connect: { protocols: ["http2"] } });
  // Three POSTs: the first goes out at once, the others when the PING answer shows the SETTINGS are known.
  const rs = await Promise.all([1, 2, 3].map((i) => pool.request(`/${i}`, { method: "POST", body: `b${i}` }).then((r) => r.body.text())));
  assert.deepEqual(rs, ["one", "again", "again"]);
  assert.equal(server.peers.length, 2);
  assert.equal(headersOn(server.peers[0]!).length, 3);
  await pool.close();
  await server.close();
});

test("REFUSED_STREAM is retried, even for a POST", async () => {
  const server = await startFaultServer(async (peer) => {
    const fb = await greet(peer);
    await peer.waitFor(() => headersOn(peer).length >= 2, 3000, "two requests");
    // RFC 9113 §8.7: REFUSED_STREAM means the request was not processed.
    await peer.write(new FrameBuilder(fb.encoder).rst(3, 7).response(1, 200, [], "first").bytes());
    await peer.waitFor(() => headersOn(peer).length >= 3, 3000, "the retry");
    await peer.write(new FrameBuilder(fb.encoder).response(headersOn(peer)[2]!, 200, [], "second").bytes());
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connect: { protocols: ["http2"] } });
  const rs = await Promise.all(["/a", "/b"].map((p) => pool.request(p, { method: "POST", body: "x" }).then((r) => r.body.text())));
  assert.deepEqual(rs, ["first", "second"]);
  await pool.close();
  await server.close();
});

test("REFUSED_STREAM with a streamed (not replayable) body is not retried", async () => {
  const server = await startFaultServer(async (peer) => {
    const fb = await greet(peer);
    await peer.waitFor(() => headersOn(peer).length >= 1 && peer.frames().some((f) => f.type === 0), 3000, "a request with data");
    await peer.write(new FrameBuilder(fb.encoder).rst(1, 7).bytes());
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connect: { protocols: ["http2"] } });
  async function* body(): AsyncGenerator<Uint8Array> {
    yield new Uint8Array([1, 2, 3]);
    await sleep(200);
  }
  await assert.rejects(pool.request("/", { method: "POST", body: body() }), { reason: "server_closed_request" });
  assert.equal(headersOn(server.peers[0]!).length, 1);
  await pool.close();
  await server.close();
});

test("a slow reader on one stream does not stall another stream of the same connection", async () => {
  const big = Buffer.alloc(2 * 1024 * 1024, 120);
  const server = await h2Server({}, (req, res) => res.end(req.url === "/big" ? big : "small"));
  const pool = new Pool(server.origin, { connect: tls });
  const bigRes = await pool.request("/big");
  // Nobody reads the big body for now.
  const small = await pool.request("/small");
  assert.equal(await small.body.text(), "small");
  assert.equal(pool.stats().connections, 1);
  assert.equal((await bigRes.body.bytes()).length, big.length);
  await pool.close();
  await server.close();
});

test("an unread body holds back its own stream's window: the server cannot send it all, other streams go on", async () => {
  const total = 32 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 97);
  let finished = false;
  const server = await h2Server({}, (req, res) => {
    if (req.url !== "/huge") return res.end("small");
    let sent = 0;
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end(() => { finished = true; });
    };
    pump();
  });
  const pool = new Pool(server.origin, { connect: tls });
  try {
    const huge = await pool.request("/huge");
    await sleep(300);
    // RFC 9113 §6.9: with the stream's WINDOW_UPDATEs held, the server stalls at the window.
    const used = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 5; i++) assert.equal(await (await pool.request(`/s${i}`)).body.text(), "small");
    await sleep(300);
    assert.equal(finished, false, "the server could send the whole unread body");
    assert.ok(process.memoryUsage().arrayBuffers - used < 16 * 1024 * 1024, "buffered memory grew past the stream window");
    let got = 0;
    for await (const part of huge.body) got += part.length;
    assert.equal(got, total);
    assert.equal(pool.stats().connections, 1);
  } finally {
    await pool.destroy();
    await server.close();
  }
});

test("streams on a fresh connection that dies are not retried, even idempotent ones", async () => {
  const server = await startFaultServer(async (peer) => {
    await greet(peer);
    await peer.waitFor(() => headersOn(peer).length >= 2, 3000, "two requests");
    peer.destroy();
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connect: { protocols: ["http2"] } });
  const rs = await Promise.allSettled([pool.request("/a"), pool.request("/b")]);
  assert.deepEqual(rs.map((r) => r.status), ["rejected", "rejected"]);
  assert.equal(server.peers.length, 1);
  await pool.close();
  await server.close();
});

test("a stream on a proven connection that dies before its response is retried on a new one", async () => {
  const server = await startFaultServer(async (peer) => {
    const fb = await greet(peer);
    if (server.peers.indexOf(peer) === 0) {
      await peer.waitFor(() => headersOn(peer).length >= 1, 3000, "a request");
      await peer.write(new FrameBuilder(fb.encoder).response(1, 200, [], "first").bytes());
      await peer.waitFor(() => headersOn(peer).length >= 2, 3000, "a second request");
      peer.destroy();
      return;
    }
    await peer.waitFor(() => headersOn(peer).length >= 1, 3000, "the retry");
    await peer.write(new FrameBuilder(fb.encoder).response(1, 200, [], "retried").bytes());
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connect: { protocols: ["http2"] } });
  assert.equal(await (await pool.request("/a")).body.text(), "first");
  assert.equal(await (await pool.request("/b")).body.text(), "retried");
  assert.equal(server.peers.length, 2);
  await pool.close();
  await server.close();
});

test("a response that ends before its streamed request body resets the stream, freeing its place", async () => {
  const server = await startFaultServer(async (peer) => {
    await peer.h2Handshake(new FrameBuilder().settings({ maxConcurrentStreams: 1 }).bytes());
    await peer.waitForFrame((f) => f.type === 6 && (f.flags & 1) === 0, "the client's PING");
    const ping = peer.frames().find((f) => f.type === 6 && (f.flags & 1) === 0)!;
    const fb = new FrameBuilder();
    await peer.write(new FrameBuilder(fb.encoder).ping(ping.payload, true).bytes());
    await peer.waitFor(() => headersOn(peer).length >= 1, 3000, "the upload");
    // RFC 9113 §8.1: a complete response before the request body ended (no RST_STREAM from us).
    await peer.write(new FrameBuilder(fb.encoder).response(1, 413, [], "too big").bytes());
    await peer.waitFor(() => headersOn(peer).length >= 2, 3000, "the next request");
    await peer.write(new FrameBuilder(fb.encoder).response(3, 200, [], "next").bytes());
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connect: { protocols: ["http2"] }, connections: 1 });
  async function* endless(): AsyncGenerator<Uint8Array> {
    for (;;) {
      yield new Uint8Array(1000);
      await sleep(10);
    }
  }
  const upload = await pool.request("/upload", { method: "POST", body: endless() });
  assert.equal(upload.status, 413);
  assert.equal(await upload.body.text(), "too big");
  assert.equal(await (await pool.request("/next")).body.text(), "next");
  const peer = server.peers[0]!;
  assert.ok(peer.frames().some((f) => f.type === 3 && f.streamId === 1 && f.payload.readUInt32BE(0) === 8), "stream 1 reset with CANCEL");
  await pool.close();
  await server.close();
});

test("maxConnectionAge: an aged HTTP/2 connection takes no new streams and closes; the next request opens another", async () => {
  const server = await h2Server({}, (req, res) => res.end(req.url));
  const pool = new Pool(server.origin, { connect: tls, maxConnectionAge: 300 });
  assert.equal(await (await pool.request("/1")).body.text(), "/1");
  assert.equal(await (await pool.request("/2")).body.text(), "/2");
  assert.equal(server.sockets(), 1);
  await sleep(400);
  assert.equal(await (await pool.request("/3")).body.text(), "/3");
  assert.equal(server.sockets(), 2);
  await until(() => pool.stats().connections === 1);
  assert.equal(pool.stats().connections, 1, "the aged connection closed");
  await pool.close();
  await server.close();
});

test("a stream reset with NO_ERROR before any response fails its request instead of hanging", async () => {
  const server = await startFaultServer(async (peer) => {
    const fb = await greet(peer);
    await peer.waitFor(() => headersOn(peer).length >= 1, 3000, "a request");
    await peer.write(new FrameBuilder(fb.encoder).rst(1, 0).bytes());
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connect: { protocols: ["http2"] }, headersTimeout: 5000 });
  await assert.rejects(pool.request("/", { method: "POST", body: "x" }), { reason: "server_closed_request" });
  await pool.close();
  await server.close();
});
