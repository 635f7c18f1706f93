// Encoder choices: static and dynamic matches, incremental indexing, never-indexed
// sensitive fields, fields kept out of the table, and input validation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Decoder, Encoder } from "../../src/hpack/index.js";
import type { Headers } from "../../src/types.js";

function roundTrip(e: Encoder, d: Decoder, h: Headers): Uint8Array {
  const block = e.encode(h);
  assert.deepEqual(d.decode(block), h);
  assert.equal(d.tableSize, e.tableSize);
  return block;
}

test("full static matches are one octet each", () => {
  const e = new Encoder();
  const block = e.encode([[":method", "GET"], [":scheme", "https"], [":path", "/"], ["accept-encoding", "gzip, deflate"]]);
  assert.deepEqual(Array.from(block), [0x82, 0x87, 0x84, 0x90]);
  assert.equal(e.tableSize, 0);
});

test("a repeated field is indexed the first time and referenced after", () => {
  const e = new Encoder();
  const d = new Decoder();
  const h: Headers = [[":method", "GET"], [":authority", "example.org"], ["user-agent", "mint-http/1.0"], ["x-custom", "abc"]];
  const first = roundTrip(e, d, h);
  assert.equal(first[1], 0x41, ":authority: literal with incremental indexing, static name 1");
  const second = roundTrip(e, d, h);
  // :method static, then three dynamic references (newest first: x-custom=62, user-agent=63, :authority=64).
  assert.deepEqual(Array.from(second), [0x82, 0xc0, 0xbf, 0xbe]);
});

test("a new value for a known dynamic name reuses the name by index", () => {
  const e = new Encoder();
  const d = new Decoder();
  roundTrip(e, d, [["x-custom", "one"]]);
  const block = roundTrip(e, d, [["x-custom", "two"]]);
  assert.equal(block[0], 0x40 | 62);
  assert.equal(block.length, 1 + 1 + 3);
});

for (const [name, value] of [
  ["authorization", "Bearer abcdefghijklmnop"],
  ["proxy-authorization", "Basic dXNlcjpwYXNz"],
  ["set-cookie", "id=1"],
  ["cookie", "sid=1234567890abcde"], // 19 octets
] as const) {
  test(`${name} is sent as a literal never indexed`, () => {
    const e = new Encoder();
    const d = new Decoder();
    for (let i = 0; i < 2; i++) {
      const block = roundTrip(e, d, [[name, value]]);
      assert.equal(block[0]! & 0xf0, 0x10, "0001xxxx: never indexed");
      assert.equal(e.tableSize, 0);
    }
  });
}

test("a cookie of 20 octets or more is indexed", () => {
  const e = new Encoder();
  const d = new Decoder();
  const value = "session=0123456789ab"; // 20
  const first = roundTrip(e, d, [["cookie", value]]);
  assert.equal(first[0], 0x40 | 32);
  assert.deepEqual(Array.from(roundTrip(e, d, [["cookie", value]])), [0xbe]);
});

test("content-length and conditional fields are literals without indexing", () => {
  const e = new Encoder();
  const d = new Decoder();
  const block = roundTrip(e, d, [["content-length", "1234"], ["if-none-match", "\"xyz\""]]);
  assert.equal(block[0], 0x0f, "0000 1111: static name index 28 needs a continuation octet");
  assert.equal(block[1], 28 - 15);
  assert.equal(e.tableSize, 0);
});

test("a field bigger than 3/4 of the table is not indexed", () => {
  const e = new Encoder(256);
  const d = new Decoder(256);
  roundTrip(e, d, [["x-small", "v"]]);
  const before = e.tableSize;
  const block = roundTrip(e, d, [["x-big", "b".repeat(200)]]);
  assert.equal(block[0], 0x00);
  assert.equal(e.tableSize, before, "the small entry was not evicted for nothing");
});

test("names are sent as given; the decoder returns them as decoded", () => {
  const e = new Encoder();
  const d = new Decoder();
  assert.deepEqual(d.decode(e.encode([["X-Mixed-Case", "V"]])), [["X-Mixed-Case", "V"]]);
});

test("latin1 values (0x80..0xff) round-trip; characters above U+00FF are a TypeError", () => {
  const e = new Encoder();
  const d = new Decoder();
  const h: Headers = [["x-latin1", "caf\u00e9 \u00ff\u0080"]];
  assert.deepEqual(d.decode(e.encode(h)), h);
  assert.throws(() => e.encode([["x-ok", "fine"], ["x-bad", "\u20ac"]]), TypeError);
  assert.throws(() => e.encode([["x-\u0100", "v"]]), TypeError);
});

test("a rejected call leaves the encoder in step with the decoder", () => {
  const e = new Encoder();
  const d = new Decoder();
  e.resize(1024);
  d.setMaxTableSize(1024);
  assert.throws(() => e.encode([["x-first", "would be indexed"], ["x-bad", "\u{1F600}"]]), TypeError);
  assert.throws(() => e.encode([["x-first", 5 as unknown as string]]), TypeError);
  assert.throws(() => e.encode("nope" as unknown as Headers), TypeError);
  assert.equal(e.tableSize, 0);
  // The pending size update is still sent.
  const block = roundTrip(e, d, [["x-first", "would be indexed"]]);
  assert.equal(block[0]! & 0xe0, 0x20);
  assert.equal(d.tableMaxSize, 1024);
});

test("empty header list and empty strings", () => {
  const e = new Encoder();
  const d = new Decoder();
  assert.equal(e.encode([]).length, 0);
  roundTrip(e, d, [["", ""], ["x-empty", ""], [":authority", ""]]);
  assert.deepEqual(Array.from(e.encode([[":authority", ""]])), [0x81]);
});

test("large header values (longer than the initial buffer) encode and decode", () => {
  const e = new Encoder();
  const d = new Decoder();
  const big = "q".repeat(70000);
  roundTrip(e, d, [["x-big", big], ["x-big2", "\u00fe".repeat(5000)], ["x-bin", "\u0000\u0001\u0002".repeat(3000)]]);
});

test("encode returns a fresh array each time", () => {
  const e = new Encoder();
  const a = e.encode([["x-a", "1"]]);
  const copy = Array.from(a);
  e.encode([["x-b", "2"], ["x-c", "3"]]);
  assert.deepEqual(Array.from(a), copy);
});

test("a repeated all-indexed list encodes to the same bytes, unaffected by callers changing a returned block or by a resize", () => {
  const enc = new Encoder();
  const dec = new Decoder();
  const list: Array<[string, string]> = [[":method", "GET"], [":path", "/x"], ["user-agent", "repeat/1"]];
  const first = enc.encode(list);
  assert.deepEqual(dec.decode(first), list);
  const second = enc.encode(list);
  assert.deepEqual([...second], [0x82, 0xbf, 0xbe], "both fields now come from the tables");
  assert.deepEqual(dec.decode(second), list);
  second.fill(0);
  const third = enc.encode(list.map(([n, v]) => [n, v] as [string, string]));
  assert.deepEqual([...third], [0x82, 0xbf, 0xbe]);
  assert.deepEqual(dec.decode(third), list);
  // A changed value is encoded afresh.
  const other = enc.encode([[":method", "GET"], [":path", "/y"], ["user-agent", "repeat/1"]]);
  assert.deepEqual(dec.decode(other), [[":method", "GET"], [":path", "/y"], ["user-agent", "repeat/1"]]);
  // A resize puts a size update first, even for a list seen before (RFC 7541 §4.2).
  enc.resize(0);
  const afterResize = enc.encode(list);
  assert.equal(afterResize[0], 0x20);
  assert.deepEqual(dec.decode(afterResize), list);
});

test("encodeShared gives the bytes encode gives, repeats included, and the decoder reads them", () => {
  const a = new Encoder();
  const b = new Encoder();
  const d = new Decoder();
  const lists: Array<Array<[string, string]>> = [
    [[":method", "GET"], [":path", "/x"], ["user-agent", "u/1"]],
    [[":method", "GET"], [":path", "/x"], ["user-agent", "u/1"]],
    [[":method", "GET"], [":path", "/x"], ["user-agent", "u/1"]],
    [[":method", "GET"], [":path", "/y"], ["user-agent", "u/1"]],
    [[":method", "GET"], [":path", "/x"], ["user-agent", "u/1"]],
  ];
  for (const list of lists) {
    const shared = a.encodeShared(list);
    assert.deepEqual([...shared], [...b.encode(list)]);
    assert.deepEqual(d.decode(shared.slice()), list);
  }
});
