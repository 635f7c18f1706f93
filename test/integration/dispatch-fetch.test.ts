// Node's global fetch (its bundled undici) and undici 7's fetch and request() over mint-http's
// Agent and Pool: GET/POST, streamed bodies both ways, redirects, setGlobalDispatcher,
// HTTP/2 over TLS by ALPN, errors as fetch's TypeError with our error as cause, abort
// mid-body, and an unread 50 MB body that must stall the server instead of filling memory.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import * as undici from "undici";
import { Agent, Pool } from "../../src/pool/index.js";
import { TransportError } from "../../src/index.js";
import { testCerts } from "../support/certs.js";
import { fetchInit as init } from "../support/strict-handler.js";
import { startHTTPServer, type Running } from "../support/servers.js";
import { sleep, until } from "../support/wait.js";

const certs = testCerts();
const tls = { transportOpts: { cacerts: [certs.rootCA.cert] } };

let h1: Running;
let origin: string;
let stallWritten = 0;

before(async () => {
  h1 = await startHTTPServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/late") return void setTimeout(() => res.end("late"), 300);
      if (req.url === "/redirect") return void res.writeHead(302, { location: "/target" }).end();
      if (req.url === "/stream") {
        let i = 0;
        const t = setInterval(() => (i++ < 5 ? res.write(`part${i};`) : (clearInterval(t), res.end())), 5);
        return;
      }
      if (req.url === "/drip") {
        res.write("first");
        const t = setInterval(() => res.write("x"), 10);
        res.on("close", () => clearInterval(t));
        return;
      }
      if (req.url === "/huge") {
        // 50 MB, written as fast as the client takes it.
        stallWritten = 0;
        const chunk = Buffer.alloc(64 * 1024);
        const pump = (): void => {
          while (stallWritten < 50 * 1024 * 1024) {
            stallWritten += chunk.length;
            if (!res.write(chunk)) return void res.once("drain", pump);
          }
          res.end();
        };
        return pump();
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ method: req.method, url: req.url, body: Buffer.concat(chunks).toString(), v: req.httpVersion }));
    });
  });
  origin = `http://127.0.0.1:${h1.port}`;
});
after(() => h1.close());

const MiB = 1024 * 1024;
const pattern = Buffer.alloc(8 * MiB);
for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 31) & 0xff;

async function h2Server() {
  let h2Written = 0;
  const server = http2.createSecureServer({ key: certs.valid.key, cert: certs.valid.cert, allowHTTP1: true }, (req, res) => {
    if (req.url === "/pattern") return void res.end(pattern);
    if (req.url === "/huge") {
      h2Written = 0;
      const chunk = Buffer.alloc(64 * 1024);
      const pump = (): void => {
        while (h2Written < 50 * MiB && !res.destroyed) {
          h2Written += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      return pump();
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => res.end(JSON.stringify({ method: req.method, url: req.url, body: Buffer.concat(chunks).toString(), v: req.httpVersion })));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, written: () => h2Written, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test("Node's fetch with dispatcher: new Agent(): GET and POST over HTTP/1", async () => {
  const agent = new Agent();
  const r = await fetch(`${origin}/a?b=1`, init(agent));
  assert.equal(r.status, 200);
  assert.equal(r.statusText, "OK");
  assert.equal(r.headers.get("content-type"), "application/json");
  assert.deepEqual(await r.json(), { method: "GET", url: "/a?b=1", body: "", v: "1.1" });
  const p = await fetch(`${origin}/post`, init(agent, { method: "POST", body: "payload" }));
  assert.equal(((await p.json()) as { body: string }).body, "payload");
  assert.equal(agent.stats()[origin]?.http1, 1);
  await agent.close();
});

test("Node's fetch: streamed request and response bodies, redirects followed", async () => {
  const agent = new Agent();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode("str"));
      c.enqueue(new TextEncoder().encode("eamed"));
      c.close();
    },
  });
  const r = await fetch(`${origin}/up`, init(agent, { method: "POST", body, duplex: "half" }));
  assert.equal(((await r.json()) as { body: string }).body, "streamed");
  const s = await fetch(`${origin}/stream`, init(agent));
  const parts: string[] = [];
  const dec = new TextDecoder();
  for await (const chunk of s.body!) parts.push(dec.decode(chunk));
  assert.equal(parts.join(""), "part1;part2;part3;part4;part5;");
  const red = await fetch(`${origin}/redirect`, init(agent));
  assert.equal(red.redirected, true);
  assert.equal(((await red.json()) as { url: string }).url, "/target");
  await agent.close();
});

test("setGlobalDispatcher(new Agent()) puts mint-http under every fetch", async () => {
  const previous = undici.getGlobalDispatcher();
  const agent = new Agent();
  undici.setGlobalDispatcher(agent as unknown as undici.Dispatcher);
  try {
    const r = await fetch(`${origin}/global`);
    assert.equal(((await r.json()) as { url: string }).url, "/global");
    const u = await undici.fetch(`${origin}/global7`);
    assert.equal(((await u.json()) as { url: string }).url, "/global7");
    assert.equal(agent.stats()[`http://127.0.0.1:${h1.port}`]?.connections, 1);
  } finally {
    undici.setGlobalDispatcher(previous);
    await agent.close();
  }
});

test("errors: fetch rejects with its TypeError and our error as cause", async () => {
  const free = net.createServer();
  await new Promise<void>((r) => free.listen(0, "127.0.0.1", r));
  const port = (free.address() as AddressInfo).port;
  await new Promise<void>((r) => free.close(() => r()));
  const agent = new Agent();
  const err = await fetch(`http://127.0.0.1:${port}/`, init(agent)).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof TypeError);
  assert.ok(err.cause instanceof TransportError, String(err.cause));
  assert.equal(err.cause.reason, "econnrefused");
  const err7 = await undici.fetch(`http://127.0.0.1:${port}/`, { dispatcher: agent as unknown as undici.Dispatcher }).then(() => undefined, (e: unknown) => e);
  assert.ok(err7 instanceof TypeError && err7.cause instanceof TransportError);
  await agent.close();
});

test("abort via AbortController mid-body rejects the read and frees the connection", async () => {
  const agent = new Agent();
  const ac = new AbortController();
  const r = await fetch(`${origin}/drip`, init(agent, { signal: ac.signal }));
  const reader = r.body!.getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), "first");
  ac.abort();
  await assert.rejects(async () => {
    for (;;) if ((await reader.read()).done) break;
  }, { name: "AbortError" });
  await until(() => (agent.stats()[`http://127.0.0.1:${h1.port}`]?.inFlight ?? 0) === 0);
  await agent.close();
});

test("an unread 50 MB fetch body stalls the server instead of being buffered", async () => {
  const agent = new Agent();
  const r = await fetch(`${origin}/huge`, init(agent));
  assert.equal(r.status, 200);
  await sleep(400);
  const early = stallWritten;
  await sleep(400);
  // The server's writes stopped: socket buffers plus about a window of chunks, far below 50 MB.
  assert.equal(stallWritten, early);
  assert.ok(early < 16 * 1024 * 1024, `server wrote ${early} bytes to an unread body`);
  await r.body!.cancel();
  await agent.destroy();
});

test("undici 7 fetch and request() over our Agent on HTTP/2 over TLS (ALPN)", async () => {
  const server = await h2Server();
  const agent = new Agent({ connect: tls });
  const d = agent as unknown as undici.Dispatcher;
  const r = await undici.fetch(`${server.origin}/h2?x=1`, { dispatcher: d });
  assert.deepEqual(await r.json(), { method: "GET", url: "/h2?x=1", body: "", v: "2.0" });
  const p = await undici.fetch(`${server.origin}/post`, { dispatcher: d, method: "POST", body: "h2 body" });
  assert.equal(((await p.json()) as { body: string }).body, "h2 body");
  async function* gen() {
    yield Buffer.from("it");
    yield Buffer.from("er");
  }
  const bodies: Array<[unknown, string]> = [["s", "s"], [Buffer.from("b"), "b"], [Readable.from([Buffer.from("rd")]), "rd"], [gen(), "iter"]];
  for (const [body, want] of bodies) {
    const q = await undici.request(`${server.origin}/req`, { dispatcher: d, method: "POST", body: body as string });
    assert.equal(q.statusCode, 200);
    assert.deepEqual(await q.body.json(), { method: "POST", url: "/req", body: want, v: "2.0" });
  }
  // Node's own fetch over HTTP/2 too.
  const n = await fetch(`${server.origin}/node`, init(agent));
  assert.equal(((await n.json()) as { v: string }).v, "2.0");
  assert.equal(agent.stats()[server.origin]?.http2, 1);
  await agent.close();
  await server.close();
});

test("undici 7 request() over our Pool vs its own Agent: same answer over HTTP/1", async () => {
  const pool = new Pool(origin);
  const ours = await undici.request(`${origin}/same`, { dispatcher: pool as unknown as undici.Dispatcher, method: "PUT", body: "x" });
  const theirs = await undici.request(`${origin}/same`, { method: "PUT", body: "x" });
  assert.equal(ours.statusCode, theirs.statusCode);
  assert.deepEqual(await ours.body.json(), await theirs.body.json());
  await pool.close();
});

test("abort before the response: fetch rejects with AbortError and the request leaves the pool", async () => {
  const agent = new Agent();
  const ac = new AbortController();
  const pending = fetch(`${origin}/late`, init(agent, { signal: ac.signal }));
  await until(() => (agent.stats()[origin]?.inFlight ?? 0) === 1);
  ac.abort();
  await assert.rejects(pending, { name: "AbortError" });
  await until(() => (agent.stats()[origin]?.inFlight ?? 0) === 0);
  await agent.close();
});

test("large downloads read slowly arrive intact over HTTP/1 and HTTP/2 over TLS (https, ALPN)", async () => {
  const server = await h2Server();
  for (const protocols of [["http1"], ["http1", "http2"]] as const) {
    const agent = new Agent({ connect: { ...tls, protocols: [...protocols] } });
    const r = await fetch(`${server.origin}/pattern`, init(agent));
    const reader = r.body!.getReader();
    const parts: Uint8Array[] = [];
    let n = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      if (++n % 16 === 0) await sleep(2);
    }
    assert.ok(Buffer.concat(parts).equals(pattern), `body differs with ${protocols.join("+")}`);
    const stats = agent.stats()[server.origin]!;
    assert.equal(protocols.length === 1 ? stats.http1 : stats.http2, 1);
    await agent.close();
  }
  await server.close();
});

test("an unread fetch body on HTTP/2 holds back its stream's window: the server's writes stall", async () => {
  const server = await h2Server();
  const agent = new Agent({ connect: tls });
  const r = await undici.fetch(`${server.origin}/huge`, { dispatcher: agent as unknown as undici.Dispatcher });
  assert.equal(r.status, 200);
  await sleep(400);
  const early = server.written();
  await sleep(400);
  assert.equal(server.written(), early);
  assert.ok(early < 8 * MiB, `server wrote ${early} bytes to an unread HTTP/2 body`);
  // Another stream on the same connection still flows.
  const other = await undici.fetch(`${server.origin}/other`, { dispatcher: agent as unknown as undici.Dispatcher });
  assert.equal(((await other.json()) as { v: string }).v, "2.0");
  await r.body!.cancel();
  await agent.destroy();
  await server.close();
});
