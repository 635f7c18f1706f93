// The incremental UTF-8 validator against the platform's strict decoder as an oracle: for
// any bytes (random, and valid text with one byte changed), fed whole or in any pieces,
// it accepts exactly what TextDecoder({ fatal: true }) accepts, and when it refuses, it
// refuses at the first byte after which no valid continuation exists.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Utf8Validator } from "../../src/core/websocket/index.js";
import { fcParams, split, splitsArb } from "../fuzz/harness.js";

const strict = new TextDecoder("utf-8", { fatal: true });
function oracle(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Feeds pieces; returns the index of the byte that failed, or -1 (and whether it ended complete). */
function validate(pieces: Uint8Array[]): { failedAt: number; complete: boolean } {
  const v = new Utf8Validator();
  let at = 0;
  for (const p of pieces) {
    for (let i = 0; i < p.length; i++) {
      if (!v.update(p, i, i + 1)) return { failedAt: at + i, complete: false };
    }
    at += p.length;
  }
  return { failedAt: -1, complete: v.complete };
}

const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.tuple(fc.string({ unit: "grapheme", maxLength: 30 }), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([s, pos, b]) => {
    const bytes = new TextEncoder().encode(s);
    if (bytes.length > 0) bytes[pos % bytes.length] = b;
    return bytes;
  }),
);

test("property: the validator agrees with TextDecoder(fatal) whole and in pieces", () => {
  fc.assert(
    fc.property(bytesArb, splitsArb, (bytes, cuts) => {
      const expected = oracle(bytes);
      const whole = new Utf8Validator();
      assert.equal(whole.update(bytes) && whole.complete, expected);
      const pieces = split(bytes, cuts);
      const r = validate(pieces);
      assert.equal(r.failedAt === -1 && r.complete, expected);
      if (r.failedAt >= 0) {
        // Fail fast: the prefix before the failing byte is still a valid start of text...
        const prefixOk = new Utf8Validator().update(bytes, 0, r.failedAt);
        assert.equal(prefixOk, true);
        // ...and no continuation of the prefix plus that byte can be valid.
        assert.equal(oracle(bytes.subarray(0, r.failedAt + 1)), false);
        for (const tail of [[0x80], [0x80, 0x80], [0x80, 0x80, 0x80]]) {
          assert.equal(oracle(Uint8Array.from([...bytes.subarray(0, r.failedAt + 1), ...tail])), false);
        }
      }
    }),
    fcParams(1000),
  );
});
