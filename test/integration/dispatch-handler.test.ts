// Pool and Agent as undici dispatchers, driven directly through dispatch(opts, handler)
// with a handler that checks the callback order: both handler shapes, header and body
// shapes, query, trailers, back-pressure with pause/resume, abort, misuse and closed
// dispatchers never throwing, close/destroy callbacks, and false + "drain" at maxQueued.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { Readable } from "node:stream";
import { Agent, Pool } from "../../src/pool/index.js";
import { HTTPError, TransportError } from "../../src/index.js";
import { startHTTPServer, type Running } from "../support/servers.js";
import { strictHandler } from "../support/strict-handler.js";

let server: Running;
let origin: string;
const big = Buffer.alloc(1024 * 1024, 7);

before(async () => {
  server = await startHTTPServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      if (req.url === "/big") return void res.end(big);
      if (req.url === "/trailers") {
        res.writeHead(200, { "content-type": "text/plain", trailer: "x-checksum" });
        res.write("abc");
        res.addTrailers({ "x-checksum": "42" });
        return void res.end();
      }
      if (req.url === "/cut") {
        res.writeHead(200, { "content-length": "100000" });
        res.write("partial");
        return void setTimeout(() => res.destroy(), 20);
      }
      if (req.url === "/slow") return void setTimeout(() => res.end("slow"), 150);
      if (req.url === "/drip") {
        res.write("first");
        const t = setInterval(() => res.write("more"), 20);
        res.on("close", () => clearInterval(t));
        return;
      }
      res.setHeader("x-multi", ["1", "2"]);
      res.end(JSON.stringify({ method: req.method, url: req.url, body, a: req.headers["x-a"] ?? null, b: req.headers["x-b"] ?? null }));
    });
  });
  origin = `http://127.0.0.1:${server.port}`;
});
after(() => server.close());

test("a legacy handler gets onConnect, raw Buffer headers, data and onComplete in order", async () => {
  const agent = new Agent();
  const h = strictHandler();
  assert.equal(agent.dispatch({ origin, path: "/x", method: "GET" }, h), true);
  const seen = await h.done;
  assert.deepEqual(seen.events.filter((e) => e !== "data"), ["connect", "headers", "complete"]);
  assert.equal(seen.status, 200);
  assert.equal(seen.statusText, "OK");
  const names = seen.headers.filter((_, i) => i % 2 === 0).map(String);
  assert.deepEqual(seen.headers.filter((_, i) => i % 2 === 1 && names[(i - 1) / 2] === "x-multi").map(String), ["1", "2"]);
  assert.equal(JSON.parse(seen.body.toString()).url, "/x");
  assert.deepEqual(seen.trailers, []);
  await agent.close();
});

test("request headers in every undici shape reach the server", async () => {
  const pool = new Pool(origin);
  const shapes: unknown[] = [
    ["x-a", "1", "x-b", "2"],
    [["x-a", "1"], ["x-b", "2"]],
    { "x-a": "1", "X-B": ["2", "3"] },
    new Map([["x-a", "1"], ["x-b", "2"]]),
  ];
  const got = [];
  for (const headers of shapes) {
    const h = strictHandler();
    pool.dispatch({ path: "/h", method: "GET", headers }, h);
    got.push(JSON.parse((await h.done).body.toString()));
  }
  assert.deepEqual(got.map((g) => [g.a, g.b]), [["1", "2"], ["1", "2"], ["1", "2, 3"], ["1", "2"]]);
  await pool.close();
});

test("request bodies: string, Buffer, Uint8Array, Readable, async and sync iterables, null; query", async () => {
  const pool = new Pool(origin);
  async function* gen() {
    yield Buffer.from("as");
    yield Buffer.from("ync");
  }
  const bodies: Array<[unknown, string]> = [
    ["text", "text"], [Buffer.from("buf"), "buf"], [new Uint8Array([104, 105]), "hi"],
    [Readable.from([Buffer.from("rea"), Buffer.from("dable")]), "readable"], [gen(), "async"],
    [[Buffer.from("sy"), Buffer.from("nc")], "sync"], [null, ""],
  ];
  for (const [body, want] of bodies) {
    const h = strictHandler();
    pool.dispatch({ path: "/b", method: "POST", body }, h);
    const seen = await h.done;
    assert.equal(seen.error, undefined);
    assert.equal(JSON.parse(seen.body.toString()).body, want);
  }
  const h = strictHandler();
  pool.dispatch({ path: "/q", method: "GET", query: { a: "1", b: ["x", "y"] } }, h);
  assert.equal(JSON.parse((await h.done).body.toString()).url, "/q?a=1&b=x&b=y");
  await pool.close();
});

test("HTTP/1 trailers arrive as raw Buffers in onComplete", async () => {
  const pool = new Pool(origin);
  const h = strictHandler();
  pool.dispatch({ path: "/trailers", method: "GET" }, h);
  const seen = await h.done;
  assert.equal(seen.body.toString(), "abc");
  assert.deepEqual(seen.trailers!.map(String), ["x-checksum", "42"]);
  await pool.close();
});

test("false from onData pauses delivery until resume(); the body arrives whole", async () => {
  const pool = new Pool(origin);
  const h = strictHandler({ pauseEvery: 2, resumeAfterMs: 10 });
  pool.dispatch({ path: "/big", method: "GET" }, h);
  const seen = await h.done;
  assert.ok(seen.events.includes("pause"));
  assert.ok(seen.body.equals(big));
  await pool.close();
});

test("undici 7 handler shape: controller pause/resume, headers and trailers as records", async () => {
  const pool = new Pool(origin);
  const events: string[] = [];
  let bytes = 0, pausedOnce = false, paused = false, dataWhilePaused = 0;
  const result = await new Promise<{ status: number; headers: Record<string, string | string[]>; trailers: Record<string, string | string[]> }>((resolve, reject) => {
    let status = 0, headers = {};
    pool.dispatch({ path: "/big", method: "GET" }, {
      onRequestStart() {
        events.push("start");
      },
      onResponseStart(_c: unknown, s: number, h: Record<string, string | string[]>) {
        status = s;
        headers = h;
        events.push("response");
      },
      onResponseData(c: { pause(): void; resume(): void; paused: boolean }, chunk: Buffer) {
        if (paused) dataWhilePaused++;
        bytes += chunk.length;
        if (!pausedOnce && bytes > 100_000) {
          pausedOnce = paused = true;
          c.pause();
          setTimeout(() => {
            paused = false;
            c.resume();
          }, 50);
        }
      },
      onResponseEnd(_c: unknown, trailers: Record<string, string | string[]>) {
        events.push("end");
        resolve({ status, headers, trailers });
      },
      onResponseError(_c: unknown, err: Error) {
        reject(err);
      },
    });
  });
  assert.deepEqual(events, ["start", "response", "end"]);
  assert.equal(result.status, 200);
  assert.deepEqual(result.headers["content-length"], String(big.length));
  assert.deepEqual(result.trailers, {});
  assert.equal(bytes, big.length);
  assert.equal(dataWhilePaused, 0);
  await pool.close();
});

test("abort mid-body: one error with the abort reason, no completion", async () => {
  const pool = new Pool(origin);
  const reason = new Error("stop here");
  const h = strictHandler({ onChunk: (handler, n) => n === 2 && handler.abort!(reason) });
  pool.dispatch({ path: "/drip", method: "GET" }, h);
  const seen = await h.done;
  assert.equal(seen.error, reason);
  assert.equal(seen.events.filter((e) => e === "error").length, 1);
  assert.ok(!seen.events.includes("complete"));
  await pool.close();
});

test("an aborted opts.signal ends the request with its reason", async () => {
  const pool = new Pool(origin);
  const ac = new AbortController();
  const h = strictHandler();
  pool.dispatch({ path: "/slow", method: "GET", signal: ac.signal }, h);
  setTimeout(() => ac.abort(new Error("gave up")), 20);
  const seen = await h.done;
  assert.equal(seen.error?.message, "gave up");
  await pool.close();
});

test("a throwing onData becomes the one onError", async () => {
  const pool = new Pool(origin);
  let errors = 0, completes = 0;
  const err = await new Promise<Error>((resolve) => {
    pool.dispatch({ path: "/big", method: "GET" }, {
      onConnect() {},
      onHeaders: () => true,
      onData() {
        throw new Error("handler bug");
      },
      onComplete: () => completes++,
      onError(e: Error) {
        errors++;
        resolve(e);
      },
    });
  });
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(err.message, "handler bug");
  assert.equal(errors, 1);
  assert.equal(completes, 0);
  await pool.close();
});

test("misuse and closed dispatchers never throw out of dispatch: onError and false", async () => {
  const pool = new Pool(origin);
  const bad = strictHandler();
  assert.equal(pool.dispatch({ path: "no-slash", method: "GET" }, bad), false);
  assert.ok((await bad.done).error instanceof TypeError);
  const up = strictHandler();
  assert.equal(pool.dispatch({ path: "/", method: "GET", upgrade: "websocket" }, up), false);
  // An upgrade needs a handler that can take the socket.
  assert.ok((await up.done).error instanceof TypeError);
  assert.throws(() => pool.dispatch({ path: "/", method: "GET" }, null as never), TypeError);
  let called = 0;
  await new Promise<void>((resolve) => void pool.close(() => { called++; resolve(); }));
  assert.equal(called, 1);
  const late = strictHandler();
  assert.equal(pool.dispatch({ path: "/", method: "GET" }, late), false);
  const lateErr = (await late.done).error;
  assert.ok(lateErr instanceof TransportError && lateErr.reason === "pool_closed");
  await pool.destroy();
  await new Promise<void>((resolve) => void pool.destroy(() => resolve()));
});

test("dispatch returns false when the queue is full and the dispatcher emits drain", async () => {
  const pool = new Pool(origin, { connections: 1, maxQueued: 1 });
  const drained = new Promise<unknown[]>((resolve) => pool.once("drain", (...args: unknown[]) => resolve(args)));
  const h = strictHandler();
  // The first request waits in the queue while the connection opens: the queue is full.
  assert.equal(pool.dispatch({ path: "/slow", method: "GET" }, h), false);
  const [o, targets] = await drained;
  assert.equal(String(o), `${origin}/`);
  assert.deepEqual(targets, [pool]);
  assert.equal((await h.done).body.toString(), "slow");
  await pool.close();
});

test("a connection cut mid-body: one onError with the pool's error, no completion", async () => {
  const pool = new Pool(origin);
  const h = strictHandler();
  pool.dispatch({ path: "/cut", method: "GET" }, h);
  const seen = await h.done;
  assert.equal(seen.body.toString(), "partial");
  assert.ok(seen.error instanceof HTTPError || seen.error instanceof TransportError, String(seen.error));
  assert.deepEqual(seen.events.filter((e) => e !== "data"), ["connect", "headers", "error"]);
  await pool.close();
});

test("a long-lived opts.signal keeps no listener once its requests end", async () => {
  const pool = new Pool(origin);
  const ac = new AbortController();
  for (let i = 0; i < 5; i++) {
    const h = strictHandler();
    pool.dispatch({ path: "/x", method: "GET", signal: ac.signal }, h);
    await h.done;
  }
  assert.equal(getEventListeners(ac.signal, "abort").length, 0);
  await pool.close();
});

test("destroy() with requests in flight and queued: each handler gets one onError", async () => {
  const pool = new Pool(origin, { connections: 1 });
  const a = strictHandler();
  const b = strictHandler();
  pool.dispatch({ path: "/slow", method: "GET" }, a);
  pool.dispatch({ path: "/slow", method: "GET" }, b);
  await new Promise((r) => setTimeout(r, 50));
  const reason = new Error("shutting down");
  await pool.destroy(reason);
  for (const seen of [await a.done, await b.done]) {
    assert.equal(seen.error, reason);
    assert.equal(seen.events.filter((e) => e === "error").length, 1);
    assert.ok(!seen.events.includes("complete"));
  }
  assert.equal(pool.dispatchState, "destroyed");
});
