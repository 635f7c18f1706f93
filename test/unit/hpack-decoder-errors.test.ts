// Every malformed header block makes decode throw HTTPError("http2", "compression_error"),
// and nothing else; the optional limits; the decoder refusing to go on after an error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Decoder } from "../../src/hpack/index.js";
import { HTTPError } from "../../src/errors.js";

function compressionError(pattern: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof HTTPError, `expected HTTPError, got ${String(err)}`);
    assert.equal(err.protocol, "http2");
    assert.equal(err.reason, "compression_error");
    assert.match(err.message, pattern);
    return true;
  };
}
function bytes(...b: number[]): Uint8Array {
  return Uint8Array.from(b);
}
const CASES: Array<[title: string, block: Uint8Array, message: RegExp]> = [
  ["indexed field with index 0", bytes(0x80), /index 0/],
  ["indexed field past the static table, empty dynamic table", bytes(0xbe), /index 62 is past the end/],
  ["indexed field far past the tables", bytes(0xff, 0xff, 0x7f), /past the end/],
  ["literal with a name index past the tables", bytes(0x7f, 0x00, 0x01, 0x61), /index 63 is past the end/],
  ["never-indexed literal with a name index past the tables", bytes(0x1f, 0x40, 0x00), /past the end/],
  ["integer overflow (above 2^32-1)", bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0x1f), /integer overflow/],
  ["integer with too many continuation octets", bytes(0xff, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), /too long/],
  ["truncated integer", bytes(0xff, 0x80), /truncated/],
  ["truncated integer in a size update", bytes(0x3f), /truncated/],
  ["literal with no name length", bytes(0x40), /truncated/],
  ["literal whose name runs past the block", bytes(0x40, 0x05, 0x61, 0x62), /runs past the end/],
  ["literal with no value", bytes(0x40, 0x01, 0x61), /truncated/],
  ["literal whose value runs past the block", bytes(0x00, 0x01, 0x61, 0x03, 0x62), /runs past the end/],
  ["huge string length from a tiny block", bytes(0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x07), /runs past the end/],
  ["huge Huffman string length", bytes(0x04, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xff), /runs past the end/],
  ["Huffman string with EOS", bytes(0x04, 0x84, 0xff, 0xff, 0xff, 0xff), /EOS/],
  ["Huffman padding longer than 7 bits", bytes(0x04, 0x82, 0x1f, 0xff), /padding/],
  ["Huffman padding not all ones", bytes(0x04, 0x81, 0x18), /padding/],
  ["Huffman name with bad padding", bytes(0x40, 0x81, 0x00, 0x00), /padding/],
  ["size update above the maximum", bytes(0x3f, 0xe2, 0x1f), /exceeds the allowed maximum/],
  ["size update after a field", bytes(0x82, 0x3f, 0x01), /after the start/],
];

for (const [title, block, message] of CASES) {
  test(`compression_error: ${title}`, () => {
    assert.throws(() => new Decoder().decode(block), compressionError(message));
  });
}

test("a valid block is not an error on its own; the same bytes plus garbage are", () => {
  const d = new Decoder();
  assert.deepEqual(d.decode(bytes(0x82, 0x84)), [[":method", "GET"], [":path", "/"]]);
  assert.throws(() => d.decode(bytes(0x82, 0x84, 0x80)), compressionError(/index 0/));
});

test("the decoder refuses every block after a compression_error", () => {
  const d = new Decoder();
  assert.throws(() => d.decode(bytes(0x80)), compressionError(/index 0/));
  assert.throws(() => d.decode(bytes(0x82)), compressionError(/unusable after an earlier compression error/));
});

test("an empty block decodes to no headers", () => {
  assert.deepEqual(new Decoder().decode(new Uint8Array(0)), []);
});

test("maxStringLength: raw and Huffman strings over the limit are compression_error", () => {
  const raw = bytes(0x00, 0x01, 0x61, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65);
  assert.deepEqual(new Decoder(4096, { maxStringLength: 5 }).decode(raw), [["a", "abcde"]]);
  assert.throws(() => new Decoder(4096, { maxStringLength: 4 }).decode(raw), compressionError(/exceeds the limit of 4/));
  // "www.example.com" in 12 Huffman octets decodes to 15.
  const huff = bytes(0x00, 0x01, 0x61, 0x8c, 0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff);
  assert.deepEqual(new Decoder(4096, { maxStringLength: 15 }).decode(huff), [["a", "www.example.com"]]);
  assert.throws(() => new Decoder(4096, { maxStringLength: 14 }).decode(huff), compressionError(/15 octets exceeds/));
});

test("maxHeaderListSize: the whole block is processed, then max_header_list_size_exceeded", () => {
  const d = new Decoder(4096, { maxHeaderListSize: 100 });
  // Two literal-with-indexing fields of 36 and 66 octets: 102 > 100.
  const block = bytes(0x40, 0x01, 0x61, 0x03, 0x61, 0x61, 0x61, 0x40, 0x01, 0x62, 0x21, ...new Array(33).fill(0x62));
  assert.throws(() => d.decode(block), (err: unknown) => {
    assert.ok(err instanceof HTTPError);
    assert.equal(err.reason, "max_header_list_size_exceeded");
    assert.deepEqual(err.details, { size: 102, max: 100 });
    return true;
  });
  // Both entries were still added: the table stays in step with the peer and the decoder goes on.
  assert.equal(d.tableSize, 102);
  assert.deepEqual(d.decode(bytes(0xbf)), [["a", "aaa"]]);
});

test("decode with a non-Uint8Array is a TypeError", () => {
  assert.throws(() => new Decoder().decode("82" as unknown as Uint8Array), TypeError);
});

test("strings are latin1: every octet value comes back as the same character code", () => {
  const value = Array.from({ length: 256 }, (_, i) => i);
  const block = bytes(0x00, 0x01, 0x76, 0x7f, 0x81, 0x01, ...value);
  const [[, v]] = new Decoder().decode(block) as [[string, string]];
  assert.equal(v.length, 256);
  for (let i = 0; i < 256; i++) assert.equal(v.charCodeAt(i), i);
});

test("a long raw string (over one conversion chunk) decodes intact", () => {
  const n = 20000;
  const len = [0x7f, ...(() => { const out: number[] = []; let v = n - 127; while (v >= 128) { out.push((v % 128) | 0x80); v = Math.floor(v / 128); } out.push(v); return out; })()];
  const value = Array.from({ length: n }, (_, i) => 0x41 + (i % 26));
  const [[, v]] = new Decoder().decode(bytes(0x00, 0x01, 0x76, ...len, ...value)) as [[string, string]];
  assert.equal(v.length, n);
  assert.equal(v.slice(0, 3), "ABC");
  assert.equal(v.charCodeAt(n - 1), 0x41 + ((n - 1) % 26));
});

test("setMaxHeaderListSize changes the cap; entries past it are decoded but not collected", () => {
  const d = new Decoder();
  const block = new Uint8Array(100).fill(0x82); // 100 × ":method: GET" = 4200 octets
  assert.equal(d.decode(block).length, 100);
  d.setMaxHeaderListSize(420);
  assert.throws(() => d.decode(block), (e: unknown) => e instanceof HTTPError && e.reason === "max_header_list_size_exceeded" && e.details?.size === 4200);
  assert.throws(() => d.setMaxHeaderListSize(-1), TypeError);
});
