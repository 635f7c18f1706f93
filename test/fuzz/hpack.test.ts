// Fuzzing the HPACK Decoder: random blocks and mutated valid blocks. Only HTTPError
// (compression_error or max_header_list_size_exceeded) may come out; after a
// compression_error the decoder refuses every later block; nothing loops; a block can
// never decode to more than a bounded number of octets.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Decoder, Encoder } from "../../src/hpack/index.js";
import { HTTPError } from "../../src/errors.js";
import { applyMutations, assertMintError, countRun, fcParams, mutationsArb, timed } from "./harness.js";

const headerArb = fc.tuple(
  fc.oneof(fc.constantFrom(":status", "content-type", "server", "set-cookie", "x-a", "cookie", "date"), fc.stringMatching(/^[a-z0-9-]{1,20}$/)),
  fc.oneof(fc.constantFrom("200", "text/html", "", "gzip"), fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, "x"))),
);
const headersArb = fc.array(headerArb, { maxLength: 12 });

/** Decodes, checking only HTTPError comes out. Returns the headers or the error. */
function decodeChecked(d: Decoder, block: Uint8Array): ReturnType<Decoder["decode"]> | HTTPError {
  try {
    const out = timed("HPACK decode", () => d.decode(block), 500);
    // Every decoded string comes from the block or the tables: bounded by block size
    // times the Huffman expansion (8/5) plus the dynamic table's size.
    let total = 0;
    for (const [n, v] of out) {
      assert.equal(typeof n, "string");
      assert.equal(typeof v, "string");
      total += n.length + v.length;
    }
    assert.ok(total <= out.length * (4096 + 64) + block.length * 2, `decoded ${total} octets from a ${block.length}-octet block`);
    return out;
  } catch (err) {
    assertMintError(err, "Decoder.decode");
    assert.ok(!/could not be decoded \(/.test(err.message), `an internal exception was turned into compression_error: ${err.message}`);
    assert.ok(err.reason === "compression_error" || err.reason === "max_header_list_size_exceeded", `unexpected reason ${err.reason}`);
    return err as HTTPError;
  }
}

function afterFailure(d: Decoder, err: HTTPError): void {
  if (err.reason !== "compression_error") return;
  // The table may be half-updated: every later block is refused.
  assert.throws(() => d.decode(new Uint8Array([0x82])), (e: unknown) => e instanceof HTTPError && e.reason === "compression_error");
}

test("HPACK: random bytes decode to headers or compression_error", () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 4 }), fc.nat({ max: 8192 }), (blocks, tableSize) => {
      countRun("hpack random bytes");
      const d = new Decoder(tableSize);
      for (const block of blocks) {
        const r = decodeChecked(d, block);
        if (r instanceof HTTPError) {
          afterFailure(d, r);
          return;
        }
      }
    }),
    fcParams(),
  );
});

test("HPACK: mutated valid blocks decode to headers or compression_error", () => {
  fc.assert(
    fc.property(fc.array(headersArb, { minLength: 1, maxLength: 4 }), fc.nat({ max: 3 }), mutationsArb, (lists, which, ms) => {
      countRun("hpack mutated blocks");
      const e = new Encoder();
      const d = new Decoder(4096, { maxHeaderListSize: 4096 });
      const target = which % lists.length;
      for (let i = 0; i < lists.length; i++) {
        const block = e.encode(lists[i]!);
        const r = decodeChecked(d, i === target ? applyMutations(block, ms) : block);
        if (r instanceof HTTPError) {
          afterFailure(d, r);
          return;
        }
        // An untouched block before any mutation decodes back to what was encoded.
        if (i < target) assert.deepEqual(r, lists[i]);
      }
    }),
    fcParams(),
  );
});

test("HPACK: table size updates, huge integers and indices fail cleanly", () => {
  const cases: Array<[string, number[]]> = [
    ["size update over the maximum (4097)", [0x3f, 0xe2, 0x1f]],
    ["size update to 2^32", [0x3f, 0xe1, 0xff, 0xff, 0xff, 0x0f]],
    ["integer with too many continuation octets", [0xff, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
    ["index 0", [0x80]],
    ["index past the tables", [0xff, 0x80, 0x01]],
    ["string length over the block", [0x40, 0x7f, 0xff, 0xff, 0xff, 0x07, 0x61]],
    ["truncated string", [0x40, 0x05, 0x61]],
    ["size update after a field", [0x82, 0x20]],
    ["huffman padding of 8 ones", [0x40, 0x82, 0xff, 0xff, 0x01, 0x61]],
    ["huffman EOS", [0x40, 0x84, 0xff, 0xff, 0xff, 0xff, 0x01, 0x61]],
  ];
  for (const [name, bytes] of cases) {
    const d = new Decoder(4096);
    assert.throws(() => d.decode(Uint8Array.from(bytes)), (e: unknown) => e instanceof HTTPError && e.reason === "compression_error", name);
  }
});

test("HPACK: after setMaxTableSize(lower) a block without a size update is refused", () => {
  const d = new Decoder(4096);
  d.decode(Uint8Array.from([0x40, 0x01, 0x61, 0x01, 0x62])); // a: b into the table
  d.setMaxTableSize(0);
  assert.throws(() => d.decode(Uint8Array.from([0x82])), (e: unknown) => e instanceof HTTPError && e.reason === "compression_error");
  const d2 = new Decoder(4096);
  d2.setMaxTableSize(100);
  assert.deepEqual(d2.decode(Uint8Array.from([0x20, 0x82])), [[":method", "GET"]]);
  assert.equal(d2.tableMaxSize, 0);
});
