// holdReceiveWindow: per-request back-pressure. A held stream gets no WINDOW_UPDATE, so the
// server stops once its window is used up; the connection window and other streams are still
// refilled; releasing sends the refill that is due at once (RFC 9113 §5.2, §6.9).

import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeServer } from "../support/h2-fake-server.js";

function ready(): FakeServer {
  return FakeServer.ready({ clientSettings: { initialWindowSize: 100_000 }, connectionWindowSize: 200_000, receiveWindowUpdateThreshold: 50_000 });
}

const chunk = new Uint8Array(10_000).fill(0x61);

function windowUpdates(s: FakeServer): Array<[number, number]> {
  return s.written().flatMap((f) => (f.type === "window_update" ? [[f.streamId, f.increment] as [number, number]] : []));
}

test("a held stream gets no WINDOW_UPDATE while the connection and another stream are refilled; release refills it", () => {
  const s = ready();
  const a = s.engine.request("GET", "/a", [], null);
  const b = s.engine.request("GET", "/b", [], null);
  s.written();
  s.engine.holdReceiveWindow(a, true);
  assert.deepEqual(s.written(), [], "holding sends nothing");

  const f = s.frames().headers(1, [[":status", "200"]]).headers(3, [[":status", "200"]]);
  for (let i = 0; i < 10; i++) f.data(1, chunk);
  for (let i = 0; i < 5; i++) f.data(3, chunk);
  s.send(f);
  assert.deepEqual(windowUpdates(s), [[0, 150_000], [3, 50_000]], "no refill for the held stream 1");

  // The held stream's window is used up: one more octet from the server is a flow-control error for it.
  const g = s.frames();
  for (let i = 0; i < 10; i++) g.data(3, chunk, { endStream: i === 9 });
  const parts = s.send(g);
  assert.deepEqual(parts.filter((p) => p.type === "done").map((p) => p.ref), [b], "the other request completes");
  assert.deepEqual(windowUpdates(s).filter(([id]) => id === 1), []);

  s.engine.holdReceiveWindow(a, false);
  assert.deepEqual(windowUpdates(s), [[1, 100_000]], "release sends the refill that was due at once");
  const done = s.send(s.frames().data(1, chunk, { endStream: true }));
  assert.deepEqual(done.map((p) => p.type), ["data", "done"]);
});

test("a held stream past its window fails with FLOW_CONTROL_ERROR: the hold is real", () => {
  const s = ready();
  const a = s.engine.request("GET", "/a", [], null);
  s.engine.holdReceiveWindow(a, true);
  const f = s.frames().headers(1, [[":status", "200"]]);
  for (let i = 0; i < 10; i++) f.data(1, chunk);
  s.send(f);
  const parts = s.send(s.frames().data(1, "x"));
  const end = parts.find((p) => p.type === "error");
  assert.ok(end?.type === "error" && end.error.reason === "flow_control_error");
});

test("release when no refill is due sends nothing; the usual refills follow", () => {
  const s = ready();
  const a = s.engine.request("GET", "/a", [], null);
  s.engine.holdReceiveWindow(a, true);
  s.engine.holdReceiveWindow(a, true);
  s.send(s.frames().headers(1, [[":status", "200"]]).data(1, chunk));
  s.written();
  s.engine.holdReceiveWindow(a, false);
  assert.deepEqual(windowUpdates(s), []);
  const f = s.frames();
  for (let i = 0; i < 5; i++) f.data(1, chunk);
  s.send(f);
  assert.deepEqual(windowUpdates(s), [[1, 60_000]]);
});

test("holdReceiveWindow: no-op for an ended or unknown request, TypeError for a non-boolean", () => {
  const s = ready();
  const a = s.engine.request("GET", "/a", [], null);
  s.send(s.frames().response(1, 200));
  s.written();
  s.engine.holdReceiveWindow(a, true);
  s.engine.holdReceiveWindow(a, false);
  s.engine.holdReceiveWindow("#nope", true);
  assert.deepEqual(s.written(), []);
  assert.throws(() => s.engine.holdReceiveWindow(a, "yes" as unknown as boolean), TypeError);
  s.engine.close();
  assert.doesNotThrow(() => s.engine.holdReceiveWindow(a, false));
});
