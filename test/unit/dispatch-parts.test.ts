// Pure parts of the dispatcher: undici's option shapes (headers, bodies, query, timeouts),
// telling the two handler shapes apart, the controller, raw header conversions, and the
// response body's non-waiting read() the dispatcher delivers buffered data with.

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDispatchOptions, toPoolBody } from "../../src/dispatch/options.js";
import { headerPairs, headerRecord, rawHeaders } from "../../src/dispatch/raw-headers.js";
import { normalizeHandler } from "../../src/dispatch/handler.js";
import { DispatchController } from "../../src/dispatch/controller.js";
import { DiagnosticsRequest } from "../../src/dispatch/request-record.js";
import { ResponseBody } from "../../src/pool/response-body.js";
import { TransportError } from "../../src/index.js";

test("headerPairs: flat arrays, pairs, records with arrays, iterables; misuse is a TypeError", () => {
  const want = [["a", "1"], ["b", "2"]];
  assert.deepEqual(headerPairs(["a", "1", "b", "2"]), want);
  assert.deepEqual(headerPairs([["a", "1"], ["b", "2"]]), want);
  assert.deepEqual(headerPairs({ a: "1", b: ["2"], c: undefined }), want);
  assert.deepEqual(headerPairs(new Map([["a", "1"], ["b", "2"]])), want);
  assert.deepEqual(headerPairs({ n: 5, e: null }), [["n", "5"], ["e", ""]]);
  assert.deepEqual(headerPairs(null), []);
  assert.throws(() => headerPairs(["a", "1", "b"]), TypeError);
  assert.throws(() => headerPairs([["a", "1", "x"]]), TypeError);
  assert.throws(() => headerPairs({ a: { nested: true } }), TypeError);
  assert.throws(() => headerPairs("a: 1"), TypeError);
});

test("parseDispatchOptions: method, path, query, timeouts, idempotency, names kept as given", () => {
  const p = parseDispatchOptions({ path: "/x", method: "GET", query: { a: 1, b: ["x", "y"], skip: undefined }, headers: { "X-Trace": "t" }, headersTimeout: 0, bodyTimeout: 50 });
  assert.equal(p.path, "/x?a=1&b=x&b=y");
  assert.deepEqual(p.headers, [["X-Trace", "t"]]);
  assert.equal(p.headersTimeout, Infinity);
  assert.equal(p.bodyTimeout, 50);
  assert.equal(p.idempotent, true);
  assert.equal(parseDispatchOptions({ path: "/", method: "POST" }).idempotent, false);
  assert.equal(parseDispatchOptions({ path: "/", method: "POST", idempotent: true }).idempotent, true);
  for (const bad of [
    null, { path: "x", method: "GET" }, { path: "/", method: "G ET" }, { path: "/a b", method: "GET" },
    { path: "/?a", method: "GET", query: { b: 1 } }, { path: "/", method: "GET", headersTimeout: -1 },
    { path: "/", method: "GET", reset: "yes" }, { path: "/", method: "GET", headers: { "bad name": "v" } },
  ]) assert.throws(() => parseDispatchOptions(bad), TypeError, JSON.stringify(bad));
});

test("toPoolBody: bytes stay bytes, empty is null, iterables become async iterables", async () => {
  assert.equal(toPoolBody(""), null);
  assert.equal(toPoolBody(Buffer.alloc(0)), null);
  assert.equal(toPoolBody("s"), "s");
  const view = toPoolBody(new DataView(new Uint8Array([1, 2, 3]).buffer, 1, 2));
  assert.deepEqual([...(view as Uint8Array)], [2, 3]);
  assert.deepEqual([...(toPoolBody(new Uint8Array([4]).buffer) as Uint8Array)], [4]);
  const it = toPoolBody([Buffer.from("a"), "b"]) as AsyncIterable<Uint8Array | string>;
  const got: string[] = [];
  for await (const c of it) got.push(String(c));
  assert.deepEqual(got, ["a", "b"]);
  assert.throws(() => toPoolBody(42), TypeError);
});

test("normalizeHandler: onRequestStart picks undici 7's shape; a legacy false pauses the controller", () => {
  const c = new DispatchController();
  let resume: (() => void) | undefined;
  const legacy = normalizeHandler({ onHeaders: (_s: number, _h: Buffer[], r: () => void) => ((resume = r), false), onData: () => false, onError() {} });
  assert.equal(legacy.canError, true);
  legacy.head(c, 200, [], "OK");
  assert.equal(c.paused, true);
  resume!();
  assert.equal(c.paused, false);
  legacy.data(c, Buffer.from("x"));
  assert.equal(c.paused, true);
  let seen: unknown;
  const modern = normalizeHandler({ onRequestStart() {}, onResponseStart: (_c: unknown, _s: number, h: unknown) => void (seen = h) });
  assert.equal(modern.canError, false);
  modern.head(c, 200, rawHeaders([["A", "1"], ["a", "2"], ["b", "3"]]), "");
  assert.deepEqual(seen, { a: ["1", "2"], b: "3" });
  assert.throws(() => normalizeHandler(null), TypeError);
});

test("DispatchController: abort once with its reason; pause and resume reach the owner once each", () => {
  const seen: unknown[] = [];
  const c = new DispatchController({ paused: () => seen.push("paused"), resumed: () => seen.push("resumed"), aborted: (r) => seen.push(r) });
  c.pause();
  c.pause();
  assert.equal(c.paused, true);
  c.resume();
  c.resume();
  assert.equal(c.paused, false);
  const err = new Error("x");
  c.abort(err);
  c.abort(new Error("y"));
  assert.deepEqual(seen, ["paused", "resumed", err]);
  assert.equal(c.aborted, true);
  assert.equal(c.reason, err);
});

test("rawHeaders and headerRecord round trip; addHeader validates", () => {
  const raw = rawHeaders([["content-type", "text/plain"], ["set-cookie", "a"], ["set-cookie", "b"]]);
  assert.ok(raw.every((b) => Buffer.isBuffer(b)));
  assert.deepEqual(headerRecord(raw), { "content-type": "text/plain", "set-cookie": ["a", "b"] });
  const r = new DiagnosticsRequest("http://a", "GET", "/", [], null, true, null);
  r.addHeader("traceparent", "00-1");
  assert.deepEqual(r.headers, ["traceparent", "00-1"]);
  assert.throws(() => r.addHeader("bad name", "v"), TypeError);
  assert.throws(() => r.addHeader("x", "a\r\nb"), TypeError);
});

test("ResponseBody.read: buffered chunks without waiting, null when empty, undefined at the end, throws a failure", () => {
  const owner = { pauseBody() {}, resumeBody() {}, cancelBody() {} };
  const body = new ResponseBody(owner);
  assert.equal(body.read(), null);
  body.push(new Uint8Array([1]));
  body.push(new Uint8Array([2]));
  assert.deepEqual([...body.read()!], [1]);
  assert.deepEqual([...body.read()!], [2]);
  assert.equal(body.read(), null);
  assert.equal(body.endTrailers, undefined);
  body.end([["x-sum", "1"]]);
  assert.equal(body.read(), undefined);
  assert.deepEqual(body.endTrailers, [["x-sum", "1"]]);
  const failed = new ResponseBody(owner);
  const err = new TransportError("closed", "gone");
  failed.fail(err);
  assert.throws(() => failed.read(), err);
});
