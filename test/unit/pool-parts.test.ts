// Small pure parts of the pool: origins, the Keep-Alive hint, options, the wait queue,
// the clock, and the response body's buffering and back-pressure signals.

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseOrigin, originKey } from "../../src/pool/origin.js";
import { keepAliveHint } from "../../src/pool/keep-alive.js";
import { isIdempotentMethod, normalizeHeaders, resolvePoolOptions } from "../../src/pool/options.js";
import { WaitQueue } from "../../src/pool/queue.js";
import { ResponseBody } from "../../src/pool/response-body.js";
import { Clock } from "../../src/pool/clock.js";
import { TransportError } from "../../src/index.js";

test("parseOrigin: default ports, IPv6 brackets, refuses paths, queries and userinfo", () => {
  assert.deepEqual(parseOrigin("https://example.com"), { scheme: "https", host: "example.com", port: 443 });
  assert.deepEqual(parseOrigin("http://example.com/"), { scheme: "http", host: "example.com", port: 80 });
  assert.deepEqual(parseOrigin(new URL("http://[::1]:8080")), { scheme: "http", host: "::1", port: 8080 });
  assert.equal(originKey(parseOrigin("http://[::1]:8080")), "http://[::1]:8080");
  assert.equal(originKey(parseOrigin("https://a.test")), "https://a.test:443");
  for (const bad of ["http://a.test/path", "http://a.test/?q=1", "http://u:p@a.test", "ftp://a.test", "not a url", "http://a.test/#f"]) {
    assert.throws(() => parseOrigin(bad), TypeError, bad);
  }
});

test("keepAliveHint: timeout=N gives a little less than N seconds", () => {
  assert.equal(keepAliveHint([["keep-alive", "timeout=5, max=100"]]), 4000);
  assert.equal(keepAliveHint([["keep-alive", "timeout=1"]]), 500);
  assert.equal(keepAliveHint([["keep-alive", "max=3"]]), undefined);
  assert.equal(keepAliveHint([["content-type", "text/plain"]]), undefined);
});

test("options: defaults, validation, idempotent methods, header records", () => {
  const o = resolvePoolOptions();
  assert.deepEqual([o.connections, o.pipelining, o.keepAliveTimeout, o.queueTimeout, o.maxAttempts], [16, 1, 4000, 30000, 3]);
  assert.equal(resolvePoolOptions({ retry: false }).maxAttempts, 1);
  assert.throws(() => resolvePoolOptions({ connections: 0 }), TypeError);
  assert.throws(() => resolvePoolOptions({ pipelining: 1.5 }), TypeError);
  assert.throws(() => resolvePoolOptions({ retry: { maxAttempts: -1 } }), TypeError);
  assert.ok(isIdempotentMethod("PUT") && !isIdempotentMethod("POST") && !isIdempotentMethod("PATCH"));
  // RFC 9110 §9.2.2; method names are case-sensitive (§9.1).
  for (const m of ["GET", "HEAD", "OPTIONS", "TRACE", "DELETE", "G".concat("ET")]) assert.ok(isIdempotentMethod(m), m);
  for (const m of ["get", "GETX", "CONNECT", ""]) assert.ok(!isIdempotentMethod(m), m);
  assert.deepEqual(normalizeHeaders({ a: "1", b: ["2", "3"] }), [["a", "1"], ["b", "2"], ["b", "3"]]);
});

test("WaitQueue: FIFO, unshift keeps a retry in front, removed items are skipped", () => {
  const q = new WaitQueue<{ queued: boolean; n: number }>();
  const items = [1, 2, 3, 4].map((n) => ({ queued: false, n }));
  for (const i of items) q.push(i);
  q.remove(items[1]!);
  assert.equal(q.size, 3);
  assert.equal(q.shift()!.n, 1);
  q.unshift(items[0]!);
  assert.deepEqual([...q].map((i) => i.n), [1, 3, 4]);
  assert.equal(q.shift()!.n, 1);
  assert.equal(q.shift()!.n, 3);
  assert.equal(q.shift()!.n, 4);
  assert.equal(q.shift(), undefined);
  assert.equal(q.size, 0);
});

test("Clock: one wake-up at the earliest time asked for", async () => {
  const ticks: number[] = [];
  let next = Infinity;
  const clock = new Clock((now) => {
    ticks.push(now);
    const n = next;
    next = Infinity;
    return n;
  });
  const t0 = Date.now();
  clock.arm(t0, 200);
  clock.arm(t0, 20);
  clock.arm(t0, 100);
  next = 30;
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(ticks.length, 2, "20 ms, then the 30 ms the tick asked for; the 100/200 ms ones were folded in");
  clock.stop();
});

test("ResponseBody: buffers, pauses its owner past the high mark and resumes as it is read", async () => {
  const calls: string[] = [];
  const body = new ResponseBody({ pauseBody: () => calls.push("pause"), resumeBody: () => calls.push("resume"), cancelBody: () => calls.push("cancel") });
  for (let i = 0; i < 5; i++) body.push(new Uint8Array(20_000));
  assert.deepEqual(calls, ["pause"]);
  await body.next();
  await body.next();
  assert.deepEqual(calls, ["pause"]);
  await body.next();
  await body.next();
  assert.deepEqual(calls, ["pause"], "20000 bytes still wait");
  await body.next();
  assert.deepEqual(calls, ["pause", "resume"]);
  body.end([["x", "1"]]);
  assert.equal((await body.next()).done, true);
  assert.deepEqual(await body.trailers(), [["x", "1"]]);
});

test("ResponseBody: cancel tells the owner and resolves trailers with []; a failure rejects readers and trailers", async () => {
  const calls: string[] = [];
  const owner = { pauseBody: () => {}, resumeBody: () => {}, cancelBody: () => calls.push("cancel") };
  const a = new ResponseBody(owner);
  const t = a.trailers();
  await a.cancel();
  assert.deepEqual(calls, ["cancel"]);
  assert.deepEqual(await t, []);
  const b = new ResponseBody(owner);
  const text = b.text();
  b.fail(new TransportError("closed", "gone"));
  await assert.rejects(text, { reason: "closed" });
  await assert.rejects(b.trailers(), { reason: "closed" });
  const c = new ResponseBody(owner);
  c.push(new TextEncoder().encode('{"a":'));
  c.push(new TextEncoder().encode("1}"));
  c.end([]);
  assert.deepEqual(await c.json(), { a: 1 });
});
