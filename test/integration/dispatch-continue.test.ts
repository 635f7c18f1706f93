// 1xx informational responses and `expect: 100-continue`, through the pool's
// onInformational / expectContinue and through dispatch (legacy and undici 7 handlers,
// undici's request() with onInfo): against node:http and node:http2 (h2c) servers.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { fetch as undiciFetch, request as undiciRequest } from "undici";
import { Agent, Pool } from "../../src/pool/index.js";
import type { Headers } from "../../src/index.js";
import { startHTTPServer, type Running } from "../support/servers.js";
import { strictHandler } from "../support/strict-handler.js";

/** What the server saw of each request body: bytes received, and when (ms after the head). */
interface Seen {
  bytes: number;
  continued: boolean;
  firstByteAfterMs: number | undefined;
}

let h1: Running;
let h1Origin: string;
let h2: http2.Http2Server;
let h2Origin: string;
const seen: Seen[] = [];

/** Answers `checkContinue` as the path says: /continue (after 50 ms), /refuse (417), /ignore (never answers 100). */
function onCheckContinue(req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse): void {
  const s: Seen = { bytes: 0, continued: false, firstByteAfterMs: undefined };
  seen.push(s);
  const t0 = Date.now();
  req.on("data", (c: Buffer) => {
    s.firstByteAfterMs ??= Date.now() - t0;
    s.bytes += c.length;
  });
  const finish = (): void => void req.on("end", () => res.end(`got ${s.bytes}`));
  if (req.url === "/refuse") {
    res.writeHead(417, { "content-type": "text/plain" });
    res.end("no thanks");
    return;
  }
  if (req.url === "/ignore") return finish();
  setTimeout(() => {
    s.continued = true;
    res.writeContinue();
    finish();
  }, 50);
}

function onRequest(req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse): void {
  if (req.url === "/hints") {
    res.writeEarlyHints({ link: "</style.css>; rel=preload; as=style" });
    res.writeEarlyHints({ link: "</app.js>; rel=preload; as=script" });
    setTimeout(() => res.end("final"), 10);
    return;
  }
  req.resume();
  req.on("end", () => res.end("plain"));
}

before(async () => {
  h1 = await startHTTPServer(onRequest);
  (h1 as Running & { server: http.Server }).server.on("checkContinue", onCheckContinue);
  h1Origin = `http://127.0.0.1:${h1.port}`;
  h2 = http2.createServer(onRequest);
  h2.on("checkContinue", onCheckContinue);
  await new Promise<void>((resolve) => h2.listen(0, "127.0.0.1", resolve));
  h2Origin = `http://127.0.0.1:${(h2.address() as AddressInfo).port}`;
});
after(async () => {
  await h1.close();
  await new Promise<void>((resolve) => h2.close(() => resolve()));
});

const cases = [
  { name: "HTTP/1", origin: () => h1Origin, connect: {} },
  { name: "HTTP/2", origin: () => h2Origin, connect: { protocols: ["http2" as const] } },
];

for (const c of cases) {
  test(`${c.name}: Pool.request reports each 1xx response to onInformational, then the final response`, async () => {
    const pool = new Pool(c.origin(), { connect: c.connect });
    const infos: Array<[number, Headers]> = [];
    const r = await pool.request("/hints", { onInformational: (status, headers) => infos.push([status, headers]) });
    assert.equal(r.status, 200);
    assert.equal(await r.body.text(), "final");
    assert.deepEqual(infos.map(([s]) => s), [103, 103]);
    assert.deepEqual(infos.map(([, h]) => h.find(([n]) => n === "link")?.[1]), ["</style.css>; rel=preload; as=style", "</app.js>; rel=preload; as=script"]);
    await pool.close();
  });

  test(`${c.name}: expectContinue holds the body until the server's 100 Continue`, async () => {
    const pool = new Pool(c.origin(), { connect: c.connect });
    seen.length = 0;
    const infos: number[] = [];
    const r = await pool.request("/continue", { method: "POST", body: "x".repeat(5000), expectContinue: true, onInformational: (s) => infos.push(s) });
    assert.equal(r.status, 200);
    assert.equal(await r.body.text(), "got 5000");
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.continued, true);
    // The server answered 100 after 50 ms: no byte came before.
    assert.ok(seen[0]!.firstByteAfterMs! >= 45, `first body byte after ${seen[0]!.firstByteAfterMs} ms`);
    assert.deepEqual(infos, [100]);
    await pool.close();
  });

  test(`${c.name}: expectContinue with a streamed body, and a server that answers 417 gets no body`, async () => {
    const pool = new Pool(c.origin(), { connect: c.connect });
    seen.length = 0;
    let pulled = 0;
    async function* stream(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 3; i++) {
        pulled++;
        yield Buffer.from("chunk");
      }
    }
    const ok = await pool.request("/continue", { method: "PUT", body: stream(), expectContinue: true });
    assert.equal(await ok.body.text(), "got 15");
    pulled = 0;
    const r = await pool.request("/refuse", { method: "POST", body: stream(), expectContinue: true });
    assert.equal(r.status, 417);
    assert.equal(await r.body.text(), "no thanks");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(seen.length, 2);
    assert.equal(seen[1]!.bytes, 0);
    assert.equal(pulled, 0, "the body stream was never read");
    // The pool goes on serving.
    const after = await pool.request("/x");
    assert.equal(await after.body.text(), "plain");
    await pool.close();
  });

  test(`${c.name}: expectContinue sends the body after 1 s when the server never answers 100`, async () => {
    const pool = new Pool(c.origin(), { connect: c.connect });
    seen.length = 0;
    const t0 = Date.now();
    const r = await pool.request("/ignore", { method: "POST", body: Buffer.alloc(100, 1), expectContinue: true });
    assert.equal(await r.body.text(), "got 100");
    const waited = Date.now() - t0;
    assert.ok(waited >= 950 && waited < 3000, `waited ${waited} ms`);
    assert.equal(seen[0]!.firstByteAfterMs! >= 900, true);
    await pool.close();
  });
}

test("dispatch: a legacy handler gets onHeaders for each 103 (with onResponseStarted), then the final response", async () => {
  const agent = new Agent();
  const h = strictHandler();
  let started = 0;
  const handler = Object.assign(h, { onResponseStarted: () => void started++ });
  agent.dispatch({ origin: h1Origin, path: "/hints", method: "GET" }, handler);
  const s = await h.done;
  assert.deepEqual(s.events.filter((e) => e !== "data"), ["connect", "info", "info", "headers", "complete"]);
  assert.deepEqual(s.informational.map((i) => [i.status, i.statusText]), [[103, "Early Hints"], [103, "Early Hints"]]);
  assert.equal(s.informational[0]!.headers.map(String).includes("</style.css>; rel=preload; as=style"), true);
  assert.equal(s.status, 200);
  assert.equal(s.body.toString(), "final");
  assert.equal(started, 3, "onResponseStarted once per response message, as undici's HTTP/1 client");
  await agent.close();
});

test("dispatch: an undici 7 handler gets onResponseStart for the 1xx responses, and undici's request() its onInfo", async () => {
  const pool = new Pool(h2Origin, { connect: { protocols: ["http2"] } });
  const statuses: number[] = [];
  await new Promise<void>((resolve, reject) => {
    pool.dispatch({ path: "/hints", method: "GET" }, {
      onRequestStart() {},
      onResponseStart(_c: unknown, status: number) {
        statuses.push(status);
      },
      onResponseData() {},
      onResponseEnd: () => resolve(),
      onResponseError: (_c: unknown, err: Error) => reject(err),
    } as never);
  });
  assert.deepEqual(statuses, [103, 103, 200]);
  const infos: number[] = [];
  const r = await undiciRequest(`${h1Origin}/hints`, { dispatcher: new Agent() as never, onInfo: ({ statusCode }) => infos.push(statusCode) });
  assert.equal(await r.body.text(), "final");
  assert.deepEqual(infos, [103, 103]);
  await pool.close();
});

test("dispatch: expectContinue through undici's request(): the body waits for 100, and 417 gets no body", async () => {
  const agent = new Agent();
  seen.length = 0;
  const ok = await undiciRequest(`${h1Origin}/continue`, { dispatcher: agent as never, method: "POST", body: "hello", expectContinue: true });
  assert.equal(await ok.body.text(), "got 5");
  const no = await undiciRequest(`${h1Origin}/refuse`, { dispatcher: agent as never, method: "POST", body: "hello", expectContinue: true });
  assert.equal(no.statusCode, 417);
  await no.body.text();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(seen[0]!.continued, true);
  assert.ok(seen[0]!.firstByteAfterMs! >= 45);
  assert.equal(seen[1]!.bytes, 0);
  await agent.close();
});

test("fetch (Node's and undici's) over our Agent skips 103 Early Hints and reads the final response", async () => {
  const agent = new Agent();
  const viaNode = await fetch(`${h1Origin}/hints`, { dispatcher: agent } as unknown as RequestInit);
  assert.equal(viaNode.status, 200);
  assert.equal(await viaNode.text(), "final");
  const pool = new Pool(h2Origin, { connect: { protocols: ["http2"] } });
  const viaUndici = await undiciFetch(`${h2Origin}/hints`, { dispatcher: pool as never });
  assert.equal(viaUndici.status, 200);
  assert.equal(await viaUndici.text(), "final");
  await agent.close();
  await pool.close();
});
