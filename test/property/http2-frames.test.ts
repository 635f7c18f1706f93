// Frame codec properties: decode(encode(frame)) equals the frame for every frame type,
// and random payloads either decode or fail with an HTTPError, nothing else.
// Runs: MINT_FUZZ_RUNS (default modest).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeFrame } from "../../src/core/http2/frames-decode.js";
import { encodeFrame } from "../../src/core/http2/frames-encode.js";
import type { Frame } from "../../src/core/http2/frame-types.js";
import { HTTPError } from "../../src/errors.js";
import { parseFrames } from "../support/h2-frames.js";

const RUNS = Number(process.env["MINT_FUZZ_RUNS"] ?? 200);

const streamId = fc.integer({ min: 1, max: 2 ** 31 - 1 });
const u31 = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const bytes = (max = 64) => fc.uint8Array({ maxLength: max });
const pad = fc.integer({ min: 0, max: 255 });
const priority = fc.record({ exclusive: fc.boolean(), dependency: u31, weight: fc.integer({ min: 1, max: 256 }) }).map((p) => ({ ...p }));

const frame: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({ streamId, endStream: fc.boolean(), data: bytes(), padLength: pad, padded: fc.boolean() }).map(
    ({ padded, ...f }): Frame => ({ type: "data", ...f, flowLength: f.data.length + (padded || f.padLength > 0 ? 1 + f.padLength : 0) }),
  ),
  fc.record({ streamId, endStream: fc.boolean(), endHeaders: fc.boolean(), fragment: bytes(), padLength: pad, priority: fc.option(priority) })
    .map((f): Frame => ({ type: "headers", ...f })),
  fc.record({ streamId, priority }).map((f): Frame => ({ type: "priority", ...f })),
  fc.record({ streamId, errorCode: u32 }).map((f): Frame => ({ type: "rst_stream", ...f })),
  fc.oneof(
    fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffff }), u32), { maxLength: 8 }).map((params): Frame => ({ type: "settings", streamId: 0, ack: false, params })),
    fc.constant<Frame>({ type: "settings", streamId: 0, ack: true, params: [] }),
  ),
  fc.record({ streamId, endHeaders: fc.boolean(), promisedStreamId: u31, fragment: bytes(), padLength: pad })
    .map((f): Frame => ({ type: "push_promise", ...f })),
  fc.record({ ack: fc.boolean(), payload: fc.uint8Array({ minLength: 8, maxLength: 8 }) }).map((f): Frame => ({ type: "ping", streamId: 0, ...f })),
  fc.record({ lastStreamId: u31, errorCode: u32, debugData: bytes() }).map((f): Frame => ({ type: "goaway", streamId: 0, ...f })),
  fc.record({ streamId: fc.integer({ min: 0, max: 2 ** 31 - 1 }), increment: u31 }).map((f): Frame => ({ type: "window_update", ...f })),
  fc.record({ streamId, endHeaders: fc.boolean(), fragment: bytes() }).map((f): Frame => ({ type: "continuation", ...f })),
  fc.record({ frameType: fc.integer({ min: 10, max: 255 }), flags: fc.integer({ min: 0, max: 255 }), streamId: u31, payload: bytes() })
    .map((f): Frame => ({ type: "unknown", ...f })),
);

test("decode(encode(frame)) is the frame", () => {
  fc.assert(
    fc.property(frame, (f) => {
      const [back] = parseFrames(encodeFrame(f));
      assert.deepEqual(back, f);
    }),
    { numRuns: RUNS },
  );
});

test("random payloads decode or fail with HTTPError only", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 255 }), u31, bytes(40), (type, flags, id, payload) => {
      try {
        decodeFrame(type, flags, id, payload);
      } catch (e) {
        assert.ok(e instanceof HTTPError, String(e));
      }
    }),
    { numRuns: RUNS },
  );
});
