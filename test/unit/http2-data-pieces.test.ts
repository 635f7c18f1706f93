// DATA frames that span reads reach the caller piece by piece (frame-reader.ts,
// receive.ts handleDataPiece): checked and counted once, at the first piece, and dropped
// when the request is gone before the frame ends.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HTTPError, TransportError } from "../../src/errors.js";
import type { ResponsePart } from "../../src/types.js";
import { FakeServer } from "../support/h2-fake-server.js";

const kinds = (parts: ResponsePart[]) => parts.map((p) => p.type === "data" ? `data:${p.data.length}` : p.type);

test("a DATA frame across three reads gives its bytes as they arrive, then done", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  s.written();
  s.send(s.frames().headers(1, [[":status", "200"], ["content-length", "10000"]]));
  const frame = s.frames().data(1, new Uint8Array(10000).fill(7), { endStream: true }).bytes();
  assert.deepEqual(kinds(s.send(frame.subarray(0, 4000))), ["data:3991"]);
  assert.deepEqual(kinds(s.send(frame.subarray(4000, 8000))), ["data:4000"]);
  const last = s.send(frame.subarray(8000));
  assert.deepEqual(kinds(last), ["data:2009", "done"]);
  assert.ok(last.every((p) => p.ref === ref));
  assert.equal(s.engine.openRequestCount(), 0);
});

test("the first piece counts the whole frame: a frame past the stream window fails at once", () => {
  const s = FakeServer.ready({ clientSettings: { initialWindowSize: 1000 } });
  const ref = s.engine.request("GET", "/", [], null);
  s.written();
  s.send(s.frames().headers(1, [[":status", "200"]]));
  const big = s.frames().data(1, new Uint8Array(2000)).bytes();
  const parts = s.send(big.subarray(0, 100));
  assert.equal(parts.length, 1);
  assert.ok(parts[0]!.type === "error" && parts[0].ref === ref && parts[0].error.reason === "flow_control_error");
  // RFC 9113 §5.4.2: the stream is reset with FLOW_CONTROL_ERROR (code 3).
  assert.deepEqual(s.written().filter((f) => f.type === "rst_stream"), [{ type: "rst_stream", streamId: 1, errorCode: 3 }]);
  assert.deepEqual(s.send(big.subarray(100)), []);
});

test("the first piece checks content-length against the whole frame", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  s.written();
  s.send(s.frames().headers(1, [[":status", "200"], ["content-length", "5"]]));
  const frame = s.frames().data(1, new Uint8Array(500), { endStream: true }).bytes();
  const parts = s.send(frame.subarray(0, 20));
  assert.equal(parts.length, 1);
  assert.equal(parts[0]!.type, "error");
  assert.equal(parts[0]!.ref, ref);
  assert.ok(parts[0]!.type === "error" && parts[0].error instanceof HTTPError && parts[0].error.reason === "protocol_error");
  // The rest of the frame is dropped, and the connection goes on.
  assert.deepEqual(s.send(frame.subarray(20)), []);
  const next = s.engine.request("GET", "/b", [], null);
  s.written();
  const done = s.send(s.frames().headers(3, [[":status", "204"]], { endStream: true }));
  assert.deepEqual(kinds(done), ["status", "headers", "done"]);
  assert.equal(done[0]!.ref, next);
});

test("a request cancelled between pieces gets nothing more, and the connection goes on", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  s.written();
  s.send(s.frames().headers(1, [[":status", "200"]]));
  const frame = s.frames().data(1, new Uint8Array(16384), { endStream: true }).bytes();
  assert.deepEqual(kinds(s.send(frame.subarray(0, 1000))), ["data:991"]);
  s.engine.cancelRequest(ref);
  assert.deepEqual(s.send(frame.subarray(1000)), []);
  assert.equal(s.engine.openRequestCount(), 0);
  const next = s.engine.request("GET", "/b", [], null);
  s.written();
  const parts = s.send(s.frames().headers(3, [[":status", "200"]]).data(3, "ok", { endStream: true }));
  assert.deepEqual(kinds(parts), ["status", "headers", "data:2", "done"]);
  assert.equal(parts[0]!.ref, next);
});

test("DATA pieces before the server's SETTINGS, or inside a header block, are connection errors", () => {
  const fresh = new FakeServer();
  fresh.engine.request("GET", "/", [], null);
  const early = fresh.frames().data(1, new Uint8Array(100)).bytes();
  assert.equal(fresh.sendExpectingError(early.subarray(0, 30)).reason, "protocol_error");

  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  s.written();
  // HEADERS without END_HEADERS (flags 0): a CONTINUATION must come next (RFC 9113 §6.10).
  s.send(s.frames().frame(1, 0, 1, [0x88]));
  const data = s.frames().data(1, new Uint8Array(100)).bytes();
  assert.equal(s.sendExpectingError(data.subarray(0, 30)).reason, "protocol_error");
});

test("the connection ending inside a DATA frame fails the request after the bytes that came", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  s.written();
  s.send(s.frames().headers(1, [[":status", "200"], ["content-length", "5000"]]));
  const frame = s.frames().data(1, new Uint8Array(5000), { endStream: true }).bytes();
  assert.deepEqual(kinds(s.send(frame.subarray(0, 2000))), ["data:1991"]);
  let parts: ResponsePart[] = [];
  assert.throws(() => s.engine.receiveEof(), (e: TransportError) => {
    parts = e.parts ?? [];
    return e instanceof TransportError && e.reason === "closed";
  });
  assert.deepEqual(parts.map((p) => [p.type, p.ref]), [["error", ref]]);
  assert.equal(s.engine.openRequestCount(), 0);
});
