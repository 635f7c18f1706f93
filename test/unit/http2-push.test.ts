import { test } from "node:test";
import assert from "node:assert/strict";
import type { Headers } from "../../src/types.js";
import { FakeServer } from "../support/h2-fake-server.js";

const PROMISED: Headers = [[":method", "GET"], [":path", "/style.css"], [":scheme", "https"], [":authority", "example.com"]];

test("PUSH_PROMISE gives a push_promise part, then parts tagged with the promised ref", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  const parts = s.send(s.frames().pushPromise(1, 2, PROMISED).response(1, 200).response(2, 200, [["content-type", "text/css"]], "body"));
  const pp = parts[0]!;
  assert.equal(pp.type, "push_promise");
  assert.ok(pp.type === "push_promise");
  assert.equal(pp.ref, ref);
  assert.deepEqual(pp.headers, PROMISED);
  const promised = pp.promisedRef;
  assert.deepEqual(parts.slice(1).map((p) => [p.type, p.ref]), [
    ["status", ref], ["headers", ref], ["done", ref],
    ["status", promised], ["headers", promised], ["data", promised], ["done", promised],
  ]);
  assert.equal(s.engine.openRequestCount(), 0);
});

test("PUSH_PROMISE with push disabled is a PROTOCOL_ERROR", () => {
  const s = FakeServer.ready({ clientSettings: { enablePush: false } });
  s.engine.request("GET", "/", [], null);
  assert.equal(s.sendExpectingError(s.frames().pushPromise(1, 2, PROMISED)).reason, "protocol_error");
});

test("promised ids must be even and new", () => {
  for (const [first, second] of [[3, 0], [2, 2], [4, 2]] as const) {
    const s = FakeServer.ready();
    s.engine.request("GET", "/", [], null);
    s.engine.request("GET", "/", [], null);
    const f = s.frames().pushPromise(1, first, PROMISED);
    if (second) f.pushPromise(1, second, PROMISED);
    assert.equal(s.sendExpectingError(f).reason, "protocol_error", `${first} then ${second}`);
  }
});

test("pushes beyond our max_concurrent_streams are refused with REFUSED_STREAM", () => {
  const s = FakeServer.ready({ clientSettings: { maxConcurrentStreams: 2 } });
  s.engine.request("GET", "/", [], null);
  s.written();
  const parts = s.send(s.frames().pushPromise(1, 2, PROMISED).pushPromise(1, 4, PROMISED).pushPromise(1, 6, PROMISED));
  assert.equal(parts.filter((p) => p.type === "push_promise").length, 2);
  assert.deepEqual(s.written(), [{ type: "rst_stream", streamId: 6, errorCode: 7 }]);
  // HEADERS for the refused push are decoded and ignored.
  assert.deepEqual(s.send(s.frames().response(6, 200)), []);
});

test("a push promise with an unsafe method is refused", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  s.written();
  const parts = s.send(s.frames().pushPromise(1, 2, [[":method", "POST"], [":path", "/"]]));
  assert.deepEqual(parts, []);
  assert.deepEqual(s.written(), [{ type: "rst_stream", streamId: 2, errorCode: 1 }]);
});

test("cancelRequest on a pushed ref resets the promised stream", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  const [pp] = s.send(s.frames().pushPromise(1, 2, PROMISED));
  s.written();
  s.engine.cancelRequest((pp as { promisedRef: string }).promisedRef);
  assert.deepEqual(s.written(), [{ type: "rst_stream", streamId: 2, errorCode: 8 }]);
});

test("HEADERS on an even stream that was never promised is a PROTOCOL_ERROR", () => {
  const s = FakeServer.ready();
  assert.equal(s.sendExpectingError(s.frames().response(2, 200)).reason, "protocol_error");
});
