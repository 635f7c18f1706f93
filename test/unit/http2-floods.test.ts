// Flood limits that count unsent work, not arrivals: acknowledgements (PING ACK, SETTINGS ACK,
// RST_STREAM in answer) are limited by how many are queued and not yet taken by the shell
// (nghttp2's max_outbound_ack), so a peer that reads them can send any number of PINGs and
// SETTINGS; frames that give the caller nothing are limited by how many come in a row.

import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_OUTBOUND_ACKS } from "../../src/core/http2/connection.js";
import { FakeServer } from "../support/h2-fake-server.js";
import type { FrameBuilder } from "../support/h2-frames.js";

function expectCalm(s: FakeServer, f: FrameBuilder | Uint8Array): void {
  const err = s.sendExpectingError(f);
  assert.equal(err.reason, "enhance_your_calm", err.message);
  const g = s.written().find((w) => w.type === "goaway");
  assert.ok(g?.type === "goaway" && g.errorCode === 11, "GOAWAY ENHANCE_YOUR_CALM");
}

test("50000 PINGs and 50000 SETTINGS in 64 KiB reads are all answered and a request completes", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  s.written();
  const f = s.frames().headers(1, [[":status", "200"]]);
  for (let i = 0; i < 50_000; i++) f.ping(Uint8Array.of(i >> 8, i & 255, 0, 0, 0, 0, 0, 0)).settings({});
  f.data(1, "done", { endStream: true });
  const all = f.bytes();
  const parts = [];
  let pingAcks = 0, settingsAcks = 0, lastPing = -1;
  for (let off = 0; off < all.length; off += 65536) {
    parts.push(...s.send(all.subarray(off, off + 65536)));
    for (const w of s.written()) {
      if (w.type === "ping" && w.ack) {
        pingAcks++;
        lastPing = (w.payload[0]! << 8) | w.payload[1]!;
      } else if (w.type === "settings" && w.ack) settingsAcks++;
    }
  }
  assert.equal(pingAcks, 50_000);
  assert.equal(lastPing, 49_999 & 0xffff, "answered in order");
  assert.equal(settingsAcks, 50_000);
  assert.deepEqual(parts.map((p) => p.type), ["status", "headers", "data", "done"]);
  assert.equal(parts.at(-1)!.ref, ref);
  assert.equal(s.engine.isOpen("write"), true);
});

test("acknowledgements queued and never taken are limited: ENHANCE_YOUR_CALM past MAX_OUTBOUND_ACKS", () => {
  assert.equal(MAX_OUTBOUND_ACKS, 10_000);
  const s = FakeServer.ready();
  const f = s.frames();
  for (let i = 0; i < MAX_OUTBOUND_ACKS / 2; i++) f.ping();
  const half = f.bytes();
  // Two receives without takeOutgoing() in between: the count is of queued answers, not per read.
  assert.deepEqual(s.send(half), []);
  expectCalm(s, s.frames().raw(half).settings({}));
});

test("exactly MAX_OUTBOUND_ACKS answers in one receive are fine; one more is not", () => {
  const s = FakeServer.ready();
  const f = s.frames();
  for (let i = 0; i < MAX_OUTBOUND_ACKS; i++) f.settings({});
  assert.deepEqual(s.send(f), []);
  assert.equal(s.written().length, MAX_OUTBOUND_ACKS);
  const t = FakeServer.ready();
  const g = t.frames();
  for (let i = 0; i <= MAX_OUTBOUND_ACKS; i++) g.settings({});
  expectCalm(t, g);
});

test("refused push promises give the caller nothing: a run of them is ENHANCE_YOUR_CALM", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  s.written();
  const f = s.frames();
  for (let i = 1; i <= 1001; i++) f.pushPromise(1, 2 * i, [[":method", "POST"], [":scheme", "https"], [":authority", "example.com"], [":path", "/"]]);
  expectCalm(s, f);
});

test("WINDOW_UPDATE on closed streams and empty HEADERS on closed streams are idle frames", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  s.send(s.frames().response(1, 200));
  const f = s.frames();
  for (let i = 0; i < 1001; i++) f.windowUpdate(1, 1);
  expectCalm(s, f);

  const t = FakeServer.ready();
  t.engine.request("GET", "/", [], null);
  t.send(t.frames().response(1, 200));
  const g = t.frames();
  for (let i = 0; i < 1001; i++) g.headerBlock(1, new Uint8Array(0), { endStream: true });
  expectCalm(t, g);
});

test("empty DATA without END_STREAM on an open stream is limited", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  const f = s.frames().headers(1, [[":status", "200"]]);
  for (let i = 0; i < 1001; i++) f.data(1, "");
  expectCalm(s, f);
});

test("WINDOW_UPDATEs on an open stream during an upload are not a flood", () => {
  const s = FakeServer.ready();
  s.engine.request("POST", "/", [], new Uint8Array(1000));
  s.written();
  const f = s.frames();
  for (let i = 0; i < 5000; i++) f.windowUpdate(1, 1).windowUpdate(0, 1);
  assert.deepEqual(s.send(f), []);
  assert.equal(s.engine.isOpen("write"), true);
});
