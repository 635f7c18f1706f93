import { test } from "node:test";
import assert from "node:assert/strict";
import { HTTPError, TransportError } from "../../src/errors.js";
import { FakeServer } from "../support/h2-fake-server.js";

test("GOAWAY(NO_ERROR): streams above last_stream_id are unprocessed, the rest finish", () => {
  const s = FakeServer.ready();
  const a = s.engine.request("GET", "/", [], null);
  const b = s.engine.request("GET", "/", [], null);
  const c = s.engine.request("GET", "/", [], null);
  const parts = s.send(s.frames().goaway(1, 0));
  assert.deepEqual(parts.map((p) => [p.type, p.ref, p.type === "error" ? p.error.reason : null]), [
    ["error", b, "unprocessed"], ["error", c, "unprocessed"],
  ]);
  assert.equal(s.engine.isOpen("write"), false);
  assert.equal(s.engine.isOpen("read"), true);
  assert.throws(() => s.engine.request("GET", "/", [], null), (e: HTTPError) => e.reason === "closed_for_writing");
  const rest = s.send(s.frames().response(1, 200));
  assert.deepEqual(rest.at(-1), { type: "done", ref: a });
  assert.equal(s.engine.isOpen("read"), false);
  assert.equal(s.engine.openRequestCount(), 0);
});

test("GOAWAY with an error: server_closed_connection at once; frames after it in the same read are not processed", () => {
  const s = FakeServer.ready();
  const a = s.engine.request("GET", "/", [], null);
  const b = s.engine.request("GET", "/", [], null);
  const err = s.sendExpectingError(s.frames().goaway(1, 2, "boom").response(1, 200));
  assert.ok(err instanceof HTTPError);
  assert.equal(err.reason, "server_closed_connection");
  assert.deepEqual(err.details, { errorCode: "internal_error", debugData: "boom" });
  // RFC 9113 §6.8: the connection ends at the GOAWAY, wherever the read ends; the response after it is not read.
  assert.deepEqual(err.parts!.map((p) => [p.type, p.ref, p.type === "error" ? p.error.reason : null]), [
    ["error", b, "unprocessed"], ["error", a, "server_closed_connection"],
  ]);
  assert.equal(s.engine.isOpen("read"), false);
  assert.throws(() => s.engine.receive(new Uint8Array(0)), (e: HTTPError) => e.reason === "closed");
});

test("close() queues GOAWAY(NO_ERROR) and closes the engine", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  s.written();
  s.engine.close();
  assert.deepEqual(s.written(), [{ type: "goaway", streamId: 0, lastStreamId: 0, errorCode: 0, debugData: new Uint8Array(0) }]);
  assert.equal(s.engine.isOpen("write"), false);
  assert.equal(s.engine.isOpen("read"), false);
  assert.throws(() => s.engine.request("GET", "/", [], null), (e: HTTPError) => e.reason === "closed");
  s.engine.close();
  assert.deepEqual(s.written(), []);
  // What the server still sends (its own GOAWAY, late responses) is dropped.
  assert.deepEqual(s.send(s.frames().goaway(1, 0).response(1, 200)), []);
});

test("receiveEof with open streams fails them with TransportError closed", () => {
  const s = FakeServer.ready();
  const a = s.engine.request("GET", "/", [], null);
  try {
    s.engine.receiveEof();
    assert.fail("should throw");
  } catch (err) {
    assert.ok(err instanceof TransportError);
    assert.equal(err.reason, "closed");
    assert.deepEqual(err.parts!.map((p) => [p.type, p.ref]), [["error", a]]);
  }
  assert.equal(s.engine.isOpen("read"), false);
});

test("receiveEof with no open streams returns []", () => {
  const s = FakeServer.ready();
  assert.deepEqual(s.engine.receiveEof(), []);
  assert.equal(s.engine.isOpen("write"), false);
});

test("fail() gives an error part for every open stream", () => {
  const s = FakeServer.ready();
  const a = s.engine.request("GET", "/", [], null);
  const b = s.engine.request("GET", "/", [], null);
  const err = new TransportError("timeout", "timed out");
  const parts = s.engine.fail(err);
  assert.deepEqual(parts, [{ type: "error", ref: a, error: err }, { type: "error", ref: b, error: err }]);
  assert.equal(s.engine.isOpen("write"), false);
});

test("a connection error queues GOAWAY with the highest accepted push id and debug text", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  s.send(s.frames().pushPromise(1, 2, [[":method", "GET"], [":path", "/p"], [":scheme", "https"], [":authority", "example.com"]]));
  s.written();
  const err = s.sendExpectingError(s.frames().windowUpdate(0, 0));
  assert.equal(err.reason, "protocol_error");
  const [g] = s.written();
  assert.equal(g!.type, "goaway");
  assert.equal((g as { lastStreamId: number }).lastStreamId, 2);
  assert.equal((g as { errorCode: number }).errorCode, 1);
  assert.match(new TextDecoder().decode((g as { debugData: Uint8Array }).debugData), /zero increment/);
});

test("GOAWAY with an error followed by a malformed frame: the same error whole or split after the GOAWAY", () => {
  const outcome = (split: boolean): string => {
    const s = FakeServer.ready();
    s.engine.request("GET", "/", [], null);
    const goaway = s.frames().goaway(1, 2).bytes();
    const bad = s.frames().data(0, "x").bytes(); // RFC 9113 §6.1: DATA on stream 0 would be a PROTOCOL_ERROR
    const err = split
      ? (s.send(new Uint8Array(0)), s.sendExpectingError(goaway))
      : s.sendExpectingError(new Uint8Array([...goaway, ...bad]));
    return err.reason;
  };
  assert.equal(outcome(false), "server_closed_connection");
  assert.equal(outcome(true), "server_closed_connection");
});
