// Properties of the HPACK codec (fast-check):
// - one Encoder/Decoder pair carried across many blocks, with table size changes in
//   between, always decodes exactly what was encoded, and both tables agree;
// - the Huffman coder round-trips any octet string;
// - random or mutated input makes decode return headers or throw HTTPError, nothing else.
// Runs: MINT_FUZZ_RUNS (default modest).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Decoder, Encoder } from "../../src/hpack/index.js";
import { huffmanDecode, huffmanEncode, huffmanLength } from "../../src/hpack/huffman.js";
import { HTTPError } from "../../src/errors.js";
import type { Headers } from "../../src/types.js";

const RUNS = Number(process.env["MINT_FUZZ_RUNS"] ?? 150);

const latin1Char = fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c));
const latin1String = (maxLength: number) => fc.array(latin1Char, { maxLength }).map((a) => a.join(""));
const commonName = fc.constantFrom(
  ":method", ":path", ":authority", ":scheme", "user-agent", "accept", "cookie", "authorization",
  "set-cookie", "content-length", "content-type", "x-request-id", "accept-encoding", "if-none-match",
);
const commonValue = fc.constantFrom("GET", "POST", "/", "/index.html", "https", "gzip, deflate", "", "*/*", "application/json");
const name = fc.oneof({ weight: 3, arbitrary: commonName }, { weight: 2, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: latin1String(20) });
const value = fc.oneof({ weight: 2, arbitrary: commonValue }, { weight: 3, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 1, arbitrary: latin1String(300) });
const headerList = fc.array(fc.tuple(name, value), { maxLength: 12 });

// A step is a header list to send, optionally preceded by table size announcements.
const step = fc.record({
  resizes: fc.array(fc.oneof(fc.constantFrom(0, 64, 256, 4096), fc.integer({ min: 0, max: 10000 })), { maxLength: 2 }),
  headers: headerList,
});

test("encode then decode returns the same headers across blocks and table size changes", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 8192 }), fc.array(step, { minLength: 1, maxLength: 15 }), (initial, steps) => {
      const encoder = new Encoder(initial);
      const decoder = new Decoder(initial);
      for (const { resizes, headers } of steps) {
        for (const size of resizes) {
          encoder.resize(size);
          decoder.setMaxTableSize(size);
        }
        const block = encoder.encode(headers as Headers);
        assert.deepEqual(decoder.decode(block), headers);
        assert.equal(decoder.tableSize, encoder.tableSize);
        assert.ok(encoder.tableSize <= encoder.tableMaxSize);
      }
    }),
    { numRuns: RUNS },
  );
});

test("repeating the same list shrinks it to indexed references", () => {
  fc.assert(
    fc.property(headerList, (headers) => {
      const encoder = new Encoder();
      const decoder = new Decoder();
      const first = encoder.encode(headers as Headers);
      const second = encoder.encode(headers as Headers);
      assert.deepEqual(decoder.decode(first), headers);
      assert.deepEqual(decoder.decode(second), headers);
      assert.ok(second.length <= first.length);
    }),
    { numRuns: RUNS },
  );
});

test("Huffman coding round-trips any octet string", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (octets) => {
      const s = String.fromCharCode(...octets);
      const coded = new Uint8Array(huffmanLength(s));
      assert.equal(huffmanEncode(s, coded, 0), coded.length);
      const out = new Uint8Array(((coded.length * 8) / 5) | 0);
      const n = huffmanDecode(coded, 0, coded.length, out);
      assert.deepEqual(out.subarray(0, n), octets);
    }),
    { numRuns: RUNS },
  );
});

function decodesOrHTTPError(decoder: Decoder, block: Uint8Array): void {
  try {
    const headers = decoder.decode(block);
    assert.ok(Array.isArray(headers));
    for (const [n, v] of headers) assert.ok(typeof n === "string" && typeof v === "string");
  } catch (err) {
    assert.ok(err instanceof HTTPError, `decode threw ${String(err)}`);
    assert.ok(err.reason === "compression_error", err.reason);
  }
}

test("random bytes: decode returns headers or throws HTTPError compression_error", () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 4 }), (blocks) => {
      const decoder = new Decoder();
      for (const b of blocks) decodesOrHTTPError(decoder, b);
    }),
    { numRuns: RUNS * 4 },
  );
});

test("mutated valid blocks: decode returns headers or throws HTTPError compression_error", () => {
  fc.assert(
    fc.property(headerList, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (headers, flips, cut) => {
      const block = new Encoder().encode(headers as Headers);
      if (block.length === 0) return;
      for (const [at, v] of flips) block[at % block.length] = v;
      decodesOrHTTPError(new Decoder(), block);
      decodesOrHTTPError(new Decoder(), block.subarray(0, cut % (block.length + 1)));
    }),
    { numRuns: RUNS * 2 },
  );
});
