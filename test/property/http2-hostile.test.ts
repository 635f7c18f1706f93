// A hostile or broken server: random frames (valid headers, random types, flags, stream ids
// and payloads) and random bytes fed to an engine with requests in flight. receive() must
// return parts or throw an HTTPError with `.parts`; once it threw, the engine is closed.
// Runs: MINT_FUZZ_RUNS (default modest).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createHTTP2Engine } from "../../src/core/http2/index.js";
import { HTTPError } from "../../src/errors.js";
import { STREAM } from "../../src/types.js";
import { FrameBuilder } from "../support/h2-frames.js";

const RUNS = Number(process.env["MINT_FUZZ_RUNS"] ?? 150);

const randomFrame = fc.record({
  type: fc.integer({ min: 0, max: 11 }),
  flags: fc.constantFrom(0, 1, 4, 5, 8, 0x20, 0x2d, 0xff),
  stream: fc.constantFrom(0, 1, 2, 3, 4, 5, 7, 2 ** 31 - 1),
  payload: fc.uint8Array({ maxLength: 40 }),
});

function engineWithRequests() {
  const e = createHTTP2Engine({ scheme: "https", authority: "a" });
  e.request("GET", "/", [], null);
  e.request("POST", "/", [], STREAM);
  e.takeOutgoing();
  return e;
}

function feed(chunks: Uint8Array[]): void {
  const e = engineWithRequests();
  for (const c of chunks) {
    try {
      e.receive(c);
      e.takeOutgoing();
    } catch (err) {
      assert.ok(err instanceof HTTPError, String(err));
      assert.ok(Array.isArray(err.parts));
      assert.notEqual(err.reason, "internal_error", err.message);
      assert.equal(e.isOpen("write"), false);
      assert.throws(() => e.receive(new Uint8Array(1)), (x: HTTPError) => x.reason === "closed");
      return;
    }
  }
}

test("random frames after a valid SETTINGS only produce parts or HTTPError", () => {
  fc.assert(
    fc.property(fc.array(randomFrame, { maxLength: 25 }), (frames) => {
      const b = new FrameBuilder().settings();
      for (const f of frames) b.frame(f.type, f.flags, f.stream, f.payload);
      feed([b.bytes()]);
    }),
    { numRuns: RUNS },
  );
});

test("random bytes only produce parts or HTTPError", () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 5 }), (chunks) => {
      feed([new FrameBuilder().settings().bytes(), ...chunks]);
    }),
    { numRuns: RUNS },
  );
});
