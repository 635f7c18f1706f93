// Fuzzing the HTTP/2 engine after a valid server preface: random frames (random types,
// flags, stream ids, payloads and lengths, structured or not), random bytes, and a valid
// exchange with bytes mutated. Contract checks are in drive.ts; here also: a connection
// error the engine detects is answered with a GOAWAY carrying the same code, and no
// failure is ever an INTERNAL_ERROR (that is how the engine reports a bug of its own).

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createHTTP2Engine, type HTTP2Engine } from "../../src/core/http2/index.js";
import { Encoder } from "../../src/hpack/index.js";
import { STREAM } from "../../src/types.js";
import type { RequestRef } from "../../src/types.js";
import { applyMutations, concat, countRun, fcParams, mutationsArb, split, splitsArb } from "./harness.js";
import { drive, type DriveResult } from "./drive.js";
import * as H from "./h2-frames.js";

const WIRE = new Map([
  ["protocol_error", "PROTOCOL_ERROR"], ["frame_size_error", "FRAME_SIZE_ERROR"], ["compression_error", "COMPRESSION_ERROR"],
  ["flow_control_error", "FLOW_CONTROL_ERROR"], ["enhance_your_calm", "ENHANCE_YOUR_CALM"], ["stream_closed", "STREAM_CLOSED"],
]);

function newEngine(requests: number, streaming: boolean): { engine: HTTP2Engine; refs: RequestRef[] } {
  const engine = createHTTP2Engine({
    scheme: "https",
    authority: "example.test",
    clientSettings: { maxConcurrentStreams: 4, maxHeaderListSize: 8192 },
  });
  const refs: RequestRef[] = [];
  for (let i = 0; i < requests; i++) refs.push(engine.request("GET", `/${i}`, [], null));
  if (streaming) refs.push(engine.request("POST", "/up", [], STREAM));
  return { engine, refs };
}

/** Checks shared by every HTTP/2 property. */
function checkH2(r: DriveResult): void {
  if (r.error === undefined) return;
  assert.notEqual(r.error.reason, "internal_error", `the engine failed inside: ${r.error.message}`);
  const wire = WIRE.get(r.error.reason);
  if (wire !== undefined && r.failedIn === "receive") {
    const g = H.sentGoaway(H.parseOutgoing(r.outgoing));
    assert.ok(g !== undefined, `${r.error.reason} without a GOAWAY`);
    assert.equal(g.code, wire);
  }
}

const enc = new Encoder();
const blocks = [
  enc.encode([[":status", "200"], ["content-type", "text/plain"]]),
  enc.encode([[":status", "100"]]),
  enc.encode([["x-trailer", "1"]]),
  enc.encode([[":method", "GET"], [":path", "/pushed"], [":scheme", "https"], [":authority", "example.test"]]),
  H.STATUS_200,
  new Uint8Array(0),
];

const streamIdArb = fc.oneof(fc.constantFrom(0, 1, 3, 5, 7, 2, 4, 0x7fffffff), fc.nat({ max: 0x7fffffff }));
const typeArb = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 9 }) }, { weight: 1, arbitrary: fc.nat({ max: 255 }) });
const flagsArb = fc.oneof(fc.constantFrom(0, H.F.END_STREAM, H.F.END_HEADERS, H.F.END_HEADERS | H.F.END_STREAM, H.F.PADDED, H.F.PRIORITY), fc.nat({ max: 255 }));

/** A payload that fits the frame type most of the time, anything sometimes. */
function payloadArb(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom(...blocks),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 10 }), fc.oneof(fc.nat({ max: 70000 }), fc.constantFrom(0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 16383, 16777216))), { maxLength: 4 })
      .map((entries) => H.settings(entries).subarray(9)),
    fc.oneof(fc.nat(), fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff)).map((n) => H.u32(n)),
    fc.uint8Array({ minLength: 8, maxLength: 8 }),
    fc.tuple(fc.nat({ max: 8 }), fc.nat({ max: 14 }), fc.string({ maxLength: 10 })).map(([last, code, d]) => H.goaway(last, code, d).subarray(9)),
    fc.tuple(fc.constantFrom(2, 4, 6, 3), fc.constantFrom(...blocks)).map(([id, b]) => concat([H.u32(id), b])),
  );
}

const frameArb = fc.record({
  type: typeArb,
  flags: flagsArb,
  streamId: streamIdArb,
  payload: payloadArb(),
  inflate: fc.oneof({ weight: 9, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat({ max: 0xffffff }) }),
}).map(({ type, flags, streamId, payload, inflate }) => H.frame(type, flags, streamId, payload, inflate >= 0 ? inflate : undefined));

const preface = H.settings([[4, 65535], [5, 16384]]);

test("HTTP/2: random frames after a valid server preface", () => {
  fc.assert(
    fc.property(fc.nat({ max: 3 }), fc.boolean(), fc.array(frameArb, { minLength: 1, maxLength: 12 }), splitsArb, fc.boolean(), (n, streaming, frames, cuts, eof) => {
      countRun("http2 random frames");
      const { engine, refs } = newEngine(n, streaming);
      const r = drive(engine, split(concat([preface, H.settingsAck(), ...frames]), cuts), { eof, refs, endAllOnError: false });
      checkH2(r);
    }),
    fcParams(),
  );
});

test("HTTP/2: random bytes after a valid server preface", () => {
  fc.assert(
    fc.property(fc.nat({ max: 3 }), fc.uint8Array({ maxLength: 300 }), splitsArb, fc.boolean(), (n, bytes, cuts, eof) => {
      countRun("http2 random bytes");
      const { engine, refs } = newEngine(n, false);
      checkH2(drive(engine, split(concat([preface, bytes]), cuts), { eof, refs, endAllOnError: false }));
    }),
    fcParams(),
  );
});

test("HTTP/2: random bytes as the server preface", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), splitsArb, (bytes, cuts) => {
      countRun("http2 random preface");
      const { engine, refs } = newEngine(1, false);
      checkH2(drive(engine, split(bytes, cuts), { eof: true, refs, endAllOnError: false }));
    }),
    fcParams(),
  );
});

/** A valid server side of an exchange on streams 1 and 3 with a push, pings and updates. */
function validExchange(): Uint8Array {
  const e = new Encoder();
  return concat([
    preface,
    H.settingsAck(),
    H.ping(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)),
    H.headers(1, e.encode([[":status", "100"]])),
    H.pushPromise(1, 2, e.encode([[":method", "GET"], [":path", "/p"], [":scheme", "https"], [":authority", "example.test"]])),
    H.headers(1, e.encode([[":status", "200"], ["content-length", "5"], ["x-a", "b"]]), 0),
    H.continuation(1, e.encode([["x-b", "c"]]), true),
    H.data(1, Uint8Array.of(1, 2, 3)),
    H.windowUpdate(0, 1000),
    H.windowUpdate(1, 1000),
    H.data(1, Uint8Array.of(4, 5)),
    H.headers(1, e.encode([["x-trailer", "t"]]), H.F.END_HEADERS | H.F.END_STREAM),
    H.headers(2, e.encode([[":status", "200"]]), H.F.END_HEADERS | H.F.END_STREAM),
    H.headers(3, e.encode([[":status", "404"]]), H.F.END_HEADERS),
    H.frame(H.T.DATA, H.F.PADDED | H.F.END_STREAM, 3, Uint8Array.of(2, 0x61, 0, 0)),
    H.settings([[1, 0], [3, 10]]),
    H.goaway(3, 0, "bye"),
  ]);
}

test("HTTP/2: a valid exchange succeeds in any slicing", () => {
  fc.assert(
    fc.property(splitsArb, (cuts) => {
      countRun("http2 valid exchange");
      const { engine, refs } = newEngine(2, false);
      const r = drive(engine, split(validExchange(), cuts), { refs, endAllOnError: false });
      assert.equal(r.error, undefined, r.error?.message);
      assert.deepEqual(r.parts.filter((p) => p.type === "done").map((p) => p.ref).filter((ref) => refs.includes(ref)), refs);
      assert.ok(r.parts.some((p) => p.type === "push_promise"));
    }),
    fcParams(100),
  );
});

test("HTTP/2: a valid exchange with bytes mutated", () => {
  const exchange = validExchange();
  fc.assert(
    fc.property(mutationsArb, splitsArb, fc.boolean(), (ms, cuts, eof) => {
      countRun("http2 mutated exchange");
      const { engine, refs } = newEngine(2, true);
      checkH2(drive(engine, split(applyMutations(exchange, ms), cuts), { eof, refs, endAllOnError: false }));
    }),
    fcParams(),
  );
});
