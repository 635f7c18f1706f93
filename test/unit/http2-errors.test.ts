import { test } from "node:test";
import assert from "node:assert/strict";
import { HTTPError } from "../../src/errors.js";
import { FakeServer } from "../support/h2-fake-server.js";

function expectConnectionError(s: FakeServer, bytes: Parameters<FakeServer["send"]>[0], reason: string, code: number): HTTPError {
  const err = s.sendExpectingError(bytes);
  assert.ok(err instanceof HTTPError, String(err));
  assert.equal(err.protocol, "http2");
  assert.equal(err.reason, reason);
  assert.equal(typeof err.details?.debug, "string");
  const g = s.written().at(-1)!;
  assert.equal(g.type, "goaway");
  assert.equal((g as { errorCode: number }).errorCode, code);
  assert.equal(s.engine.isOpen("write"), false);
  assert.throws(() => s.engine.ping(), (e: HTTPError) => e.reason === "closed");
  return err;
}

test("frames larger than our max frame size are FRAME_SIZE_ERROR", () => {
  const s = FakeServer.ready();
  expectConnectionError(s, s.frames().frame(0xfa, 0, 0, new Uint8Array(16385)), "frame_size_error", 6);
});

test("fixed-length frames with the wrong length are FRAME_SIZE_ERROR", () => {
  const cases: Array<[number, number, number, number]> = [
    [6, 0, 0, 7], [6, 0, 0, 9], [8, 0, 0, 3], [8, 0, 1, 5], [3, 0, 1, 3], [2, 0, 1, 4], [4, 0, 0, 5], [4, 1, 0, 6],
  ];
  for (const [type, flags, stream, len] of cases) {
    const s = FakeServer.ready();
    s.engine.request("GET", "/", [], null);
    expectConnectionError(s, s.frames().frame(type, flags, stream, new Uint8Array(len)), "frame_size_error", 6);
  }
});

test("stream frames on stream 0 and connection frames on a stream are PROTOCOL_ERROR", () => {
  const cases: Array<[number, number, number]> = [[0, 0, 0], [1, 0, 0], [3, 0, 4], [9, 0, 0], [4, 1, 0], [6, 1, 8], [7, 1, 8]];
  for (const [type, stream, len] of cases) {
    const s = FakeServer.ready();
    expectConnectionError(s, s.frames().frame(type, 0, stream, new Uint8Array(len)), "protocol_error", 1);
  }
});

test("bad padding is a PROTOCOL_ERROR", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  // PADDED DATA whose pad length (5) exceeds the remaining payload (2).
  expectConnectionError(s, s.frames().frame(0, 0x8, 1, [5, 1, 2]), "protocol_error", 1);
});

test("padded HEADERS and DATA are decoded", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  const parts = s.send(s.frames().headers(1, [[":status", "200"]], { padLength: 7, priority: { exclusive: true, dependency: 0, weight: 5 } })
    .data(1, "ab", { padLength: 3, endStream: true }));
  assert.deepEqual(parts.map((p) => p.type), ["status", "headers", "data", "done"]);
  assert.equal(parts[0]!.ref, ref);
});

test("PRIORITY and unknown frame types are ignored", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  assert.deepEqual(s.send(s.frames().priority(1).priority(99).frame(0xc, 0, 0, [1, 2, 3]).frame(0x10, 0xff, 5, [])), []);
  assert.equal(s.engine.isOpen("write"), true);
});

test("frames on idle streams are PROTOCOL_ERROR", () => {
  for (const f of [
    (s: FakeServer) => s.frames().data(1, "x"),
    (s: FakeServer) => s.frames().rst(3, 0),
    (s: FakeServer) => s.frames().windowUpdate(5, 1),
    (s: FakeServer) => s.frames().response(7, 200),
  ]) {
    const s = FakeServer.ready();
    expectConnectionError(s, f(s), "protocol_error", 1);
  }
});

test("CONTINUATION: split blocks are joined; interleaving is a PROTOCOL_ERROR", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  const parts = s.send(s.frames().headers(1, [[":status", "200"], ["x-long", "z".repeat(100)]], { split: 10, endStream: true }));
  assert.deepEqual(parts[1], { type: "headers", ref, headers: [["x-long", "z".repeat(100)]] });

  const t = FakeServer.ready();
  t.engine.request("GET", "/", [], null);
  t.engine.request("GET", "/", [], null);
  const block = t.encoder.encode([[":status", "200"]]);
  const f = t.frames().headerBlock(1, block.subarray(0, 1), {}).frame(1, 0x4, 3, t.encoder.encode([[":status", "200"]]));
  // The first HEADERS lacks END_HEADERS, so a HEADERS on stream 3 may not follow.
  const g = t.frames().frame(1, 0, 1, block.subarray(0, 1)).frame(9, 0x4, 3, block.subarray(1));
  void f;
  expectConnectionError(t, g, "protocol_error", 1);

  const u = FakeServer.ready();
  expectConnectionError(u, u.frames().continuation(1, new Uint8Array([0x88])), "protocol_error", 1);
});

test("a header block larger than our max header list size is a PROTOCOL_ERROR", () => {
  const s = FakeServer.ready({ maxHeaderListSize: 1000 });
  s.engine.request("GET", "/", [], null);
  const f = s.frames().frame(1, 0, 1, new Uint8Array(600)).frame(9, 0, 1, new Uint8Array(600));
  expectConnectionError(s, f, "protocol_error", 1);
});

test("empty CONTINUATION floods are bounded", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  const f = s.frames().frame(1, 0, 1, new Uint8Array([0x88]));
  for (let i = 0; i < 600; i++) f.frame(9, 0, 1, []);
  expectConnectionError(s, f, "enhance_your_calm", 11);
});

test("malformed HPACK is a COMPRESSION_ERROR", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  expectConnectionError(s, s.frames().frame(1, 0x5, 1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), "compression_error", 9);
});

test("HPACK is kept in sync for closed streams: a bad block there is still a COMPRESSION_ERROR", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  s.engine.cancelRequest(ref);
  expectConnectionError(s, s.frames().frame(1, 0x5, 1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), "compression_error", 9);
});

test("RST_STREAM floods are ENHANCE_YOUR_CALM", () => {
  const s = FakeServer.ready();
  for (let i = 0; i < 100; i++) s.engine.request("GET", "/", [], null);
  s.send(s.frames().rst(1, 8));
  const f = s.frames();
  for (let i = 0; i < 1001; i++) f.rst(1, 8);
  expectConnectionError(s, f, "enhance_your_calm", 11);
});

test("PING floods: more than 10000 ACKs queued and not taken are ENHANCE_YOUR_CALM", () => {
  const s = FakeServer.ready();
  const f = s.frames();
  for (let i = 0; i < 10001; i++) f.ping();
  expectConnectionError(s, f, "enhance_your_calm", 11);
});

test("PING floods whose ACKs are taken after each receive are all answered", () => {
  const s = FakeServer.ready();
  const f = s.frames();
  for (let i = 0; i < 6000; i++) f.ping();
  const batch = f.bytes();
  for (let round = 0; round < 5; round++) {
    assert.deepEqual(s.send(batch), []);
    assert.equal(s.engine.takeOutgoing().reduce((n, c) => n + c.length, 0), 6000 * 17);
  }
  assert.equal(s.engine.isOpen("read"), true);
});

test("odd stream ids from the server (HEADERS on a stream we never opened) are PROTOCOL_ERROR", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  expectConnectionError(s, s.frames().response(3, 200), "protocol_error", 1);
});

test("error codes are named per RFC 9113 §7", async () => {
  const { errorCodeName } = await import("../../src/core/http2/errors.js");
  assert.deepEqual([0, 1, 3, 6, 8, 11, 13, 14].map(errorCodeName), [
    "no_error", "protocol_error", "flow_control_error", "frame_size_error", "cancel", "enhance_your_calm", "http_1_1_required", "custom_error",
  ]);
});

test("after a connection error every call fails with closed", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  s.sendExpectingError(s.frames().windowUpdate(0, 0));
  for (const call of [
    () => s.engine.request("GET", "/", [], null),
    () => s.engine.streamRequestBody(ref, "x"),
    () => s.engine.receive(new Uint8Array(1)),
    () => s.engine.putSettings({}),
    () => s.engine.setWindowSize("connection", 1 << 30),
  ]) {
    assert.throws(call, (e: HTTPError) => e.reason === "closed");
  }
});

test("DATA still arriving for cancelled requests is not mistaken for a flood", () => {
  const s = FakeServer.ready();
  const refs = [];
  for (let i = 0; i < 4; i++) refs.push(s.engine.request("GET", "/", [], null));
  s.send(s.frames().headers(1, [[":status", "200"]]).headers(3, [[":status", "200"]]).headers(5, [[":status", "200"]]).headers(7, [[":status", "200"]]));
  for (const r of refs) s.engine.cancelRequest(r);
  const f = s.frames();
  for (let i = 0; i < 1200; i++) f.data(1 + 2 * (i % 4), new Uint8Array(100));
  assert.deepEqual(s.send(f), []);
  assert.equal(s.engine.isOpen("write"), true);
});

test("a connection error ends every request in flight with an error part", () => {
  const s = FakeServer.ready();
  const a = s.engine.request("GET", "/a", [], null);
  const b = s.engine.request("GET", "/b", [], null);
  const err = expectConnectionError(s, s.frames().frame(0xfa, 0, 0, new Uint8Array(16385)), "frame_size_error", 6);
  const ended = (err.parts ?? []).filter((p) => p.type === "error").map((p) => p.ref);
  assert.deepEqual(ended.sort(), [a, b].sort());
});

test("an HPACK bomb over our header-list limit fails only its request and is never collected", () => {
  const s = FakeServer.ready();
  const bomb = s.engine.request("GET", "/bomb", [], null);
  const next = s.engine.request("GET", "/next", [], null);
  s.written();
  // 10,000 references to static entry 2 (":method: GET", 42 octets each): a 10 KB block that
  // decodes to a 420 KB header list, over the default 256 KiB limit.
  const block = new Uint8Array(10_000).fill(0x82);
  const parts = s.send(s.frames().frame(1, 0x4 | 0x1, 1, block));
  const err = parts.find((p) => p.type === "error" && p.ref === bomb);
  assert.ok(err && err.type === "error" && err.error.reason === "max_header_list_size_exceeded", JSON.stringify(parts));
  const rst = s.written().find((f) => f.type === "rst_stream");
  assert.ok(rst, "the stream is reset");
  assert.equal(s.engine.isOpen("write"), true);
  const after = s.send(s.frames().response(3, 200, [], "ok"));
  assert.ok(after.some((p) => p.type === "done" && p.ref === next));
});
