import { test } from "node:test";
import assert from "node:assert/strict";
import { HTTPError } from "../../src/errors.js";
import { STREAM } from "../../src/types.js";
import { FakeServer } from "../support/h2-fake-server.js";

test("a body larger than the stream window is refused before anything is queued", () => {
  const s = FakeServer.ready();
  assert.throws(() => s.engine.request("POST", "/", [], new Uint8Array(70000)), (e: HTTPError) => {
    assert.equal(e.reason, "exceeds_window_size");
    assert.deepEqual(e.details, { target: "request", window: 65535 });
    return true;
  });
  assert.deepEqual(s.written(), []);
  assert.equal(s.engine.openRequestCount(), 0);
});

test("a body larger than the connection window reports the connection", () => {
  const s = FakeServer.ready({}, { initialWindowSize: 200000 });
  assert.throws(() => s.engine.request("POST", "/", [], new Uint8Array(70000)), (e: HTTPError) => {
    assert.deepEqual(e.details, { target: "connection", window: 65535 });
    return true;
  });
});

test("streamed chunks are checked against min(connection, stream) window", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("POST", "/", [], STREAM);
  assert.equal(s.engine.requestBodyWindow(ref), 65535);
  s.engine.streamRequestBody(ref, new Uint8Array(65000));
  assert.equal(s.engine.requestBodyWindow(ref), 535);
  s.written();
  assert.throws(() => s.engine.streamRequestBody(ref, new Uint8Array(600)), (e: HTTPError) => e.reason === "exceeds_window_size");
  assert.deepEqual(s.written(), []);
  s.send(s.frames().windowUpdate(0, 1000).windowUpdate(1, 100));
  assert.equal(s.engine.getWindowSize("connection"), 1535);
  assert.equal(s.engine.getWindowSize({ request: ref }), 635);
  assert.equal(s.engine.requestBodyWindow(ref), 635);
  s.engine.streamRequestBody(ref, new Uint8Array(600));
  assert.equal(s.engine.requestBodyWindow(ref), 35);
});

test("getWindowSize / requestBodyWindow on an unknown ref", () => {
  const s = FakeServer.ready();
  assert.throws(() => s.engine.getWindowSize({ request: "x" }), (e: HTTPError) => e.reason === "unknown_request_to_stream");
  assert.throws(() => s.engine.requestBodyWindow("x"), (e: HTTPError) => e.reason === "unknown_request_to_stream");
});

test("WINDOW_UPDATE with zero increment: connection PROTOCOL_ERROR on stream 0, stream error otherwise", () => {
  const s = FakeServer.ready();
  s.engine.request("POST", "/", [], STREAM);
  s.written();
  const parts = s.send(s.frames().windowUpdate(1, 0));
  assert.equal(parts[0]!.type === "error" && parts[0].error.reason, "protocol_error");
  assert.deepEqual(s.written(), [{ type: "rst_stream", streamId: 1, errorCode: 1 }]);
  assert.equal(s.sendExpectingError(s.frames().windowUpdate(0, 0)).reason, "protocol_error");
});

test("window overflow: connection FLOW_CONTROL_ERROR, or the stream is reset", () => {
  const s = FakeServer.ready();
  s.engine.request("POST", "/", [], STREAM);
  s.written();
  const parts = s.send(s.frames().windowUpdate(1, 2 ** 31 - 1));
  assert.equal(parts[0]!.type === "error" && parts[0].error.reason, "flow_control_error");
  assert.deepEqual(s.written(), [{ type: "rst_stream", streamId: 1, errorCode: 3 }]);
  const err = s.sendExpectingError(s.frames().windowUpdate(0, 2 ** 31 - 1));
  assert.equal(err.reason, "flow_control_error");
  assert.equal((s.written().at(-1) as { errorCode: number }).errorCode, 3);
});

test("receive windows are refilled once, back to the peak, when the threshold is crossed", () => {
  const s = FakeServer.ready({ connectionWindowSize: 200000, receiveWindowUpdateThreshold: 100000 });
  s.engine.request("GET", "/", [], null);
  s.written();
  s.send(s.frames().headers(1, [[":status", "200"]]).data(1, new Uint8Array(16000)).data(1, new Uint8Array(16000)));
  assert.deepEqual(s.written(), [], "nothing below the threshold yet");
  const chunk = s.frames();
  for (let i = 0; i < 5; i++) chunk.data(1, new Uint8Array(16000));
  s.send(chunk);
  // 112000 consumed, 88000 left ≤ 100000: one WINDOW_UPDATE for the connection only.
  assert.deepEqual(s.written(), [{ type: "window_update", streamId: 0, increment: 112000 }]);
});

test("padding counts against the receive windows; so does DATA on closed streams", () => {
  const s = FakeServer.ready({ connectionWindowSize: 65535, receiveWindowUpdateThreshold: 65535 });
  const ref = s.engine.request("GET", "/", [], null);
  s.engine.cancelRequest(ref);
  s.written();
  s.send(s.frames().data(1, "abc", { padLength: 10 }));
  assert.deepEqual(s.written(), [{ type: "window_update", streamId: 0, increment: 14 }]);
});

test("DATA beyond our connection window is FLOW_CONTROL_ERROR", () => {
  const s = FakeServer.ready({ connectionWindowSize: 65535, receiveWindowUpdateThreshold: 1 });
  s.engine.request("GET", "/", [], null);
  const f = s.frames().headers(1, [[":status", "200"]]);
  for (let i = 0; i < 4; i++) f.data(1, new Uint8Array(16384));
  assert.equal(s.sendExpectingError(f).reason, "flow_control_error");
});

test("DATA beyond a stream window is a stream FLOW_CONTROL_ERROR", () => {
  const s = FakeServer.ready({ clientSettings: { initialWindowSize: 100 } });
  s.engine.request("GET", "/", [], null);
  s.written();
  const parts = s.send(s.frames().headers(1, [[":status", "200"]]).data(1, new Uint8Array(101)));
  assert.equal(parts.at(-1)!.type === "error" && (parts.at(-1) as { error: HTTPError }).error.reason, "flow_control_error");
  assert.deepEqual(s.written(), [{ type: "rst_stream", streamId: 1, errorCode: 3 }]);
});

test("setWindowSize grows receive windows with WINDOW_UPDATE", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  s.written();
  s.engine.setWindowSize("connection", 20 * 1024 * 1024);
  s.engine.setWindowSize({ request: ref }, 5 * 1024 * 1024);
  s.engine.setWindowSize({ request: ref }, 5 * 1024 * 1024);
  assert.deepEqual(s.written(), [
    { type: "window_update", streamId: 0, increment: 4 * 1024 * 1024 },
    { type: "window_update", streamId: 1, increment: 1024 * 1024 },
  ]);
  assert.throws(() => s.engine.setWindowSize("connection", 100), (e: HTTPError) => {
    assert.equal(e.reason, "window_size_too_small");
    assert.deepEqual(e.details, { current: 20 * 1024 * 1024, new: 100 });
    return true;
  });
  assert.throws(() => s.engine.setWindowSize("connection", 0), TypeError);
  assert.throws(() => s.engine.setWindowSize("connection", 2 ** 31), TypeError);
  assert.throws(() => s.engine.setWindowSize({ request: "nope" }, 100000), (e: HTTPError) => e.reason === "unknown_request_to_stream");
});
