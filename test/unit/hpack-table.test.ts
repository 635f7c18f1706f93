// Dynamic table accounting and eviction (RFC 7541 §4), the ring buffer, and the
// dynamic table size update rules (§4.2, §6.3) on both sides.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Decoder, Encoder } from "../../src/hpack/index.js";
import { DynamicTable } from "../../src/hpack/dynamic-table.js";
import { HTTPError } from "../../src/errors.js";
import type { Headers } from "../../src/types.js";

function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
/** Literal with incremental indexing, new raw name and value. */
function addLiteral(name: string, value: string): number[] {
  return [0x40, name.length, ...Array.from(name, (c) => c.charCodeAt(0)), value.length, ...Array.from(value, (c) => c.charCodeAt(0))];
}
function isCompressionError(pattern: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof HTTPError, `expected HTTPError, got ${String(err)}`);
    assert.equal(err.reason, "compression_error");
    assert.equal(err.protocol, "http2");
    assert.match(err.message, pattern);
    return true;
  };
}

test("entry size is name + value + 32, and the oldest entries are evicted first", () => {
  const t = new DynamicTable(100);
  assert.equal(t.add("a", "bc"), true); // 35
  assert.equal(t.size, 35);
  t.add("d", "ef"); // 70
  assert.equal(t.count, 2);
  t.add("g", "hi"); // 105 > 100 → evict "a"
  assert.equal(t.count, 2);
  assert.equal(t.size, 70);
  assert.deepEqual([t.name(0), t.value(0), t.name(1), t.value(1)], ["g", "hi", "d", "ef"]);
});

test("an entry larger than the table empties it and is not inserted (RFC 7541 §4.4)", () => {
  const t = new DynamicTable(64);
  t.add("a", "b");
  assert.equal(t.add("x".repeat(20), "y".repeat(20)), false);
  assert.equal(t.count, 0);
  assert.equal(t.size, 0);
});

test("ring buffer: thousands of inserts with wrap-around and growth keep the order", () => {
  const t = new DynamicTable(40 * 200); // room for 200 entries of 40 octets
  for (let i = 0; i < 5000; i++) {
    t.add("n", String(i).padStart(7, "0")); // 1 + 7 + 32 = 40
    assert.equal(t.name(0), "n");
    if (i >= 199) {
      assert.equal(t.count, 200);
      assert.equal(t.value(199), String(i - 199).padStart(7, "0"));
    }
  }
  assert.equal(t.size, 8000);
  assert.equal(t.value(0), "0004999");
  t.setMaxSize(400);
  assert.equal(t.count, 10);
  assert.equal(t.value(9), "0004990");
});

test("decoder: dynamic indexes count from the newest entry; eviction shifts them", () => {
  const d = new Decoder(110);
  // Two 50-octet entries: k1: v1... then a third evicts the first.
  const e1 = addLiteral("k1", "x".repeat(16)); // 2 + 16 + 32 = 50
  const e2 = addLiteral("k2", "y".repeat(16));
  assert.equal(d.decode(Uint8Array.from([...e1, ...e2, 0xbe, 0xbf])).length, 4);
  assert.deepEqual(d.decode(Uint8Array.from([0xbe])), [["k2", "y".repeat(16)]]);
  assert.deepEqual(d.decode(Uint8Array.from([0xbf])), [["k1", "x".repeat(16)]]);
  d.decode(Uint8Array.from(addLiteral("k3", "z".repeat(16))));
  assert.equal(d.tableSize, 100);
  assert.deepEqual(d.decode(Uint8Array.from([0xbe, 0xbf])), [["k3", "z".repeat(16)], ["k2", "y".repeat(16)]]);
  assert.throws(() => d.decode(Uint8Array.from([0xc0])), isCompressionError(/index 64 is past the end/));
});

test("decoder: size updates at the start of a block, several allowed, each applied", () => {
  const d = new Decoder(4096);
  d.decode(Uint8Array.from(addLiteral("a", "b")));
  assert.equal(d.tableSize, 34);
  // 0 then 4096: the table is emptied by the first update.
  assert.deepEqual(d.decode(Uint8Array.from([0x20, 0x3f, 0xe1, 0x1f, 0x82])), [[":method", "GET"]]);
  assert.equal(d.tableSize, 0);
  assert.equal(d.tableMaxSize, 4096);
  // A block made only of a size update is fine.
  assert.deepEqual(d.decode(Uint8Array.from([0x3f, 0x11])), []);
  assert.equal(d.tableMaxSize, 48);
});

test("decoder: a size update above the announced maximum is a compression_error (RFC 7541 §6.3)", () => {
  const d = new Decoder(4096);
  assert.throws(() => d.decode(Uint8Array.from([0x3f, 0xe2, 0x1f])), isCompressionError(/exceeds the allowed maximum 4096/));
  const d2 = new Decoder(4096);
  d2.setMaxTableSize(8192);
  assert.deepEqual(d2.decode(Uint8Array.from([0x3f, 0xe1, 0x3f])), []); // 8192
  assert.equal(d2.tableMaxSize, 8192);
});

test("decoder: a size update after a field is a compression_error (RFC 7541 §4.2)", () => {
  assert.throws(() => new Decoder().decode(Uint8Array.from([0x82, 0x20])), isCompressionError(/after the start/));
  assert.throws(() => new Decoder().decode(Uint8Array.from([0x20, 0x82, 0x3f, 0x01])), isCompressionError(/after the start/));
});

test("decoder: after setMaxTableSize shrinks the limit, the next block must start with an update", () => {
  const d = new Decoder(4096);
  d.decode(Uint8Array.from(addLiteral("a", "b")));
  d.setMaxTableSize(1024);
  assert.throws(() => d.decode(Uint8Array.from([0x82])), isCompressionError(/expected a dynamic table size update to at most 1024/));

  const ok = new Decoder(4096);
  ok.setMaxTableSize(1024);
  assert.deepEqual(ok.decode(Uint8Array.from([0x3f, 0xe1, 0x07, 0x82])), [[":method", "GET"]]); // 1024
  assert.equal(ok.tableMaxSize, 1024);
  // Once done, later blocks need no update.
  assert.deepEqual(ok.decode(Uint8Array.from([0x82])), [[":method", "GET"]]);

  // Shrunk to 0 then grown to 2048: the peer must still signal a size <= 0 first... or
  // at least one update <= the smallest; "0 then 2048" satisfies it.
  const both = new Decoder(4096);
  both.setMaxTableSize(0);
  both.setMaxTableSize(2048);
  assert.throws(() => both.decode(Uint8Array.from([0x3f, 0xe1, 0x0f, 0x82])), isCompressionError(/at most 0/));
  const both2 = new Decoder(4096);
  both2.setMaxTableSize(0);
  both2.setMaxTableSize(2048);
  assert.deepEqual(both2.decode(Uint8Array.from([0x20, 0x3f, 0xe1, 0x0f, 0x82])), [[":method", "GET"]]);
  assert.equal(both2.tableMaxSize, 2048);

  // Growing the limit owes nothing.
  const grow = new Decoder(4096);
  grow.setMaxTableSize(65536);
  assert.deepEqual(grow.decode(Uint8Array.from([0x82])), [[":method", "GET"]]);
});

test("encoder: resize emits one size update at the start of the next block only", () => {
  const e = new Encoder();
  e.resize(256);
  assert.equal(toHex(e.encode([[":method", "GET"]])), "3fe10182"); // 256 = 31 + 225
  assert.equal(toHex(e.encode([[":method", "GET"]])), "82");
  assert.equal(e.tableMaxSize, 256);
});

test("encoder: shrunk then grown between blocks → smallest, then final (RFC 7541 §4.2)", () => {
  const e = new Encoder();
  e.encode([["x-a", "1"]]);
  assert.equal(e.tableSize, 36);
  e.resize(0);
  e.resize(100);
  e.resize(2048);
  const block = e.encode([]);
  assert.equal(toHex(block), "203fe10f"); // 0, then 2048
  assert.equal(e.tableSize, 0, "the update to 0 evicted everything");
  assert.equal(e.tableMaxSize, 2048);
  // Grown then shrunk: a single update to the final (smallest) size.
  e.resize(8192);
  e.resize(512);
  assert.equal(toHex(e.encode([])), "3fe103");
});

test("encoder: resize to 0 stops indexing; the peer's decoder follows", () => {
  const e = new Encoder();
  const d = new Decoder();
  const h: Headers = [["user-agent", "mint-http"], ["x-trace", "abc"]];
  d.decode(e.encode(h));
  assert.ok(e.tableSize > 0);
  e.resize(0);
  d.setMaxTableSize(0);
  const block = e.encode(h);
  assert.equal(block[0], 0x20);
  assert.deepEqual(d.decode(block), h);
  assert.equal(e.tableSize, 0);
  assert.equal(d.tableSize, 0);
  // Not indexed any more: the same list costs the same again.
  assert.equal(e.encode(h).length, block.length - 1);
});

test("encoder: resize above maxTableSizeLimit is capped; a smaller constructor size is used silently", () => {
  const e = new Encoder(4096, { maxTableSizeLimit: 8192 });
  e.resize(1 << 20);
  assert.equal(toHex(e.encode([])), "3fe13f"); // 8192
  const small = new Encoder(128);
  const d = new Decoder(4096);
  for (let i = 0; i < 20; i++) {
    const h: Headers = [["x-n", String(i % 5)], ["x-long", "v".repeat(30)]];
    assert.deepEqual(d.decode(small.encode(h)), h);
    assert.ok(small.tableSize <= 128);
  }
});

test("table sizes must be non-negative integers (TypeError)", () => {
  assert.throws(() => new Encoder(-1), TypeError);
  assert.throws(() => new Decoder(1.5), TypeError);
  assert.throws(() => new Encoder().resize(Number.NaN), TypeError);
  assert.throws(() => new Decoder().setMaxTableSize(-5), TypeError);
});
