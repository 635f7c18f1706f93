// Pool.request over HTTP/1 (node:http) and HTTP/2 (node:http2 over TLS with ALPN):
// responses, request bodies of every kind, header shapes, trailers, reuse and stats, and
// no socket left once the pool is closed.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { Pool, Agent } from "../../src/pool/index.js";
import { testCerts } from "../support/certs.js";
import { startHTTPServer, type Running } from "../support/servers.js";
import { settleSockets, socketHandleCount, describeResources } from "../support/handles.js";

let h1: Running & { server: import("node:http").Server };
let h2: http2.Http2SecureServer;
let h2port = 0;
const certs = testCerts();
const tls = { transportOpts: { cacerts: [certs.rootCA.cert] } };

before(async () => {
  h1 = await startHTTPServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/trailers") {
        res.writeHead(200, { trailer: "x-sum" });
        res.write("abc");
        res.addTrailers({ "x-sum": "42" });
        res.end();
        return;
      }
      res.setHeader("x-method", req.method ?? "");
      res.setHeader("x-multi", String(req.headers["x-multi"] ?? ""));
      res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`);
    });
  });
  h2 = http2.createSecureServer({ key: certs.valid.key, cert: certs.valid.cert, allowHTTP1: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/trailers") {
        res.addTrailers({ "x-sum": "7" });
        res.end("xyz");
        return;
      }
      res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).length}`);
    });
  });
  await new Promise<void>((r) => h2.listen(0, "127.0.0.1", r));
  h2port = (h2.address() as AddressInfo).port;
});

after(async () => {
  await h1.close();
  await new Promise<void>((r) => h2.close(() => r()));
});

test("HTTP/1: GET and POST with text, bytes, async iterable and ReadableStream bodies", async () => {
  const pool = new Pool(`http://127.0.0.1:${h1.port}`);
  const r1 = await pool.request("/a?b=1");
  assert.equal(r1.status, 200);
  assert.equal(r1.protocol, "http1");
  assert.equal(await r1.body.text(), "GET /a?b=1 ");
  const r2 = await pool.request("/t", { method: "POST", body: "hello" });
  assert.equal(await r2.body.text(), "POST /t hello");
  const r3 = await pool.request("/u", { method: "PUT", body: new Uint8Array([104, 105]) });
  assert.equal(await r3.body.text(), "PUT /u hi");
  async function* gen(): AsyncGenerator<Uint8Array> {
    yield new TextEncoder().encode("it");
    yield new TextEncoder().encode("er");
  }
  const r4 = await pool.request("/i", { method: "POST", body: gen() });
  assert.equal(await r4.body.text(), "POST /i iter");
  const rs = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode("web"));
      c.close();
    },
  });
  const r5 = await pool.request(`http://127.0.0.1:${h1.port}/w`, { method: "POST", body: rs, headers: { "x-multi": ["1", "2"] } });
  assert.equal(r5.headers.find(([n]) => n === "x-multi")?.[1], "1, 2");
  assert.equal(await r5.body.text(), "POST /w web");
  const s = pool.stats();
  assert.equal(s.connections, 1, "sequential requests reuse one connection");
  assert.deepEqual({ http1: s.http1, busy: s.busy, idle: s.idle, queued: s.queued, inFlight: s.inFlight }, { http1: 1, busy: 0, idle: 1, queued: 0, inFlight: 0 });
  await pool.close();
});

test("HTTP/1: trailers, json and bytes", async () => {
  const pool = new Pool(`http://127.0.0.1:${h1.port}`);
  const r = await pool.request("/trailers");
  assert.equal(await r.body.text(), "abc");
  assert.deepEqual(await r.trailers, [["x-sum", "42"]]);
  const r2 = await pool.request("/j");
  assert.equal(Buffer.from(await r2.body.bytes()).toString(), "GET /j ");
  await assert.rejects(pool.request("http://other.example/x"), TypeError);
  await pool.close();
});

test("HTTP/2 over TLS: concurrent requests share one connection; trailers; for-await body", async () => {
  const pool = new Pool(`https://127.0.0.1:${h2port}`, { connect: tls });
  const res = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.request(`/p${i}`, { method: "POST", body: "x".repeat(i) })));
  for (let i = 0; i < res.length; i++) {
    assert.equal(res[i]!.protocol, "http2");
    let text = "";
    for await (const chunk of res[i]!.body) text += new TextDecoder().decode(chunk);
    assert.equal(text, `POST /p${i} ${i}`);
  }
  assert.equal(pool.stats().connections, 1);
  assert.equal(pool.stats().http2, 1);
  const t = await pool.request("/trailers");
  assert.equal(await t.body.text(), "xyz");
  assert.deepEqual(await t.trailers, [["x-sum", "7"]]);
  await pool.close();
});

test("HTTP/2: a body larger than the send window goes out in window-sized pieces", async () => {
  const pool = new Pool(`https://127.0.0.1:${h2port}`, { connect: tls });
  const big = new Uint8Array(300_000).fill(97);
  const r = await pool.request("/big", { method: "POST", body: big });
  assert.equal(await r.body.text(), "POST /big 300000");
  async function* gen(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < 5; i++) yield new Uint8Array(100_000);
  }
  const r2 = await pool.request("/stream", { method: "POST", body: gen() });
  assert.equal(await r2.body.text(), "POST /stream 500000");
  await pool.close();
});

test("Agent keeps one pool per origin; stats keyed by origin", async () => {
  const agent = new Agent({ connect: tls });
  const a = await agent.request(`http://127.0.0.1:${h1.port}/x`);
  await a.body.text();
  const b = await agent.request(`https://127.0.0.1:${h2port}/y`);
  await b.body.text();
  const stats = agent.stats();
  assert.deepEqual(Object.keys(stats).sort(), [`http://127.0.0.1:${h1.port}`, `https://127.0.0.1:${h2port}`].sort());
  assert.equal(stats[`https://127.0.0.1:${h2port}`]!.http2, 1);
  await agent.close();
  await assert.rejects(agent.request(`http://127.0.0.1:${h1.port}/x`), { reason: "pool_closed" });
});

test("no socket is left once close() resolves", async () => {
  const server = await startHTTPServer((_req, res) => res.end("ok"));
  const base = socketHandleCount();
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: 4 });
  await Promise.all(Array.from({ length: 8 }, (_, i) => pool.request(`/c${i}`).then((r) => r.body.text())));
  assert.ok(pool.stats().connections > 1);
  const pool2 = new Pool(`https://127.0.0.1:${h2port}`, { connect: tls });
  await (await pool2.request("/z")).body.text();
  await Promise.all([pool.close(), pool2.close()]);
  assert.equal(pool.stats().connections, 0);
  assert.equal(pool2.stats().connections, 0);
  // Client sockets are released when close() resolves; the servers' follow on their FIN.
  const n = await settleSockets(base, 3000);
  assert.ok(n <= base, describeResources());
  await assert.rejects(pool.request("/late"), { reason: "pool_closed" });
  await server.close();
});

test("https without HTTP/2: once the first connection shows HTTP/1, the burst spreads over `connections`", async () => {
  const https = await import("node:https");
  let sockets = 0;
  const server = https.createServer({ key: certs.valid.key, cert: certs.valid.cert }, (req, res) => setTimeout(() => res.end(req.url), 20));
  server.on("secureConnection", () => sockets++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const pool = new Pool(`https://127.0.0.1:${(server.address() as AddressInfo).port}`, { connect: tls, connections: 3 });
  const rs = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.request(`/${i}`).then(async (r) => `${r.protocol} ${await r.body.text()}`)));
  assert.equal(rs[5], "http1 /5");
  assert.equal(sockets, 3);
  assert.equal(pool.stats().http1, 3);
  await pool.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

test("an idle pool does not keep the process alive", async () => {
  const { execFile } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const entry = fileURLToPath(new URL("../../src/pool/index.ts", import.meta.url));
  const code = `
    import { Pool } from ${JSON.stringify(entry)};
    import * as http from "node:http";
    const srv = http.createServer((q, s) => s.end("ok"));
    srv.on("connection", (s) => s.unref());
    await new Promise((r) => srv.listen(0, "127.0.0.1", r));
    srv.unref();
    const pool = new Pool("http://127.0.0.1:" + srv.address().port);
    await (await pool.request("/")).body.text();
    const t = Date.now();
    process.on("exit", () => console.log(Date.now() - t));`;
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { timeout: 15_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
  // Without unref'd idle sockets and clock, the 4 s keepAliveTimeout would hold the process.
  assert.ok(Number(out.trim()) < 1000, `the process lived ${out.trim()} ms after its last request`);
});
