import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeServer } from "../support/h2-fake-server.js";

test("ping() sends PING and the ACK yields a pong part", () => {
  const s = FakeServer.ready();
  const ref = s.engine.ping();
  const payload = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  const ref2 = s.engine.ping(payload);
  assert.deepEqual(s.written(), [
    { type: "ping", streamId: 0, ack: false, payload: new Uint8Array(8) },
    { type: "ping", streamId: 0, ack: false, payload },
  ]);
  assert.deepEqual(s.send(s.frames().ping(new Uint8Array(8), true)), [{ type: "pong", ref }]);
  assert.deepEqual(s.send(s.frames().ping(new Uint8Array(8), true)), [], "an unmatched ACK is ignored");
  assert.deepEqual(s.send(s.frames().ping(payload, true)), [{ type: "pong", ref: ref2 }]);
});

test("ping payload must be 8 octets", () => {
  const s = FakeServer.ready();
  assert.throws(() => s.engine.ping(new Uint8Array(7)), TypeError);
  assert.deepEqual(s.written(), []);
});

test("a server PING is answered with an ACK carrying the same payload", () => {
  const s = FakeServer.ready();
  const payload = new Uint8Array([9, 9, 9, 9, 1, 1, 1, 1]);
  assert.deepEqual(s.send(s.frames().ping(payload)), []);
  assert.deepEqual(s.written(), [{ type: "ping", streamId: 0, ack: true, payload }]);
});
