// Huffman coding (RFC 7541 §5.2, Appendix B): codes, round trips, and every way a
// Huffman string can be malformed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Decoder, Encoder } from "../../src/hpack/index.js";
import { CODES, LENGTHS, huffmanDecode, huffmanEncode, huffmanLength } from "../../src/hpack/huffman.js";
import { HUFFMAN_CODE } from "../../src/hpack/huffman-code.js";
import { HTTPError } from "../../src/errors.js";

function encodeString(s: string): Uint8Array {
  const out = new Uint8Array(huffmanLength(s));
  assert.equal(huffmanEncode(s, out, 0), out.length);
  return out;
}
function decodeBytes(bytes: Uint8Array): string {
  const dst = new Uint8Array(Math.ceil((bytes.length * 8) / 5) + 1);
  const n = huffmanDecode(bytes, 0, bytes.length, dst);
  return String.fromCharCode(...dst.subarray(0, n));
}
function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
/** A literal-without-indexing block: raw name "x", Huffman value of these octets. */
function blockWithHuffmanValue(bytes: number[]): Uint8Array {
  return Uint8Array.from([0x00, 0x01, 0x78, 0x80 | bytes.length, ...bytes]);
}
function assertCompressionError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof HTTPError, `expected HTTPError, got ${String(err)}`);
    assert.equal(err.protocol, "http2");
    assert.equal(err.reason, "compression_error");
    assert.match(err.message, pattern);
    return true;
  });
}

test("code table: 257 symbols, lengths 5..30, EOS is 30 ones", () => {
  assert.equal(HUFFMAN_CODE.length, 257);
  assert.equal(CODES[256], 0x3fffffff);
  assert.equal(LENGTHS[256], 30);
  // Spot checks straight from RFC 7541 Appendix B.
  assert.deepEqual([CODES[48], LENGTHS[48]], [0x0, 5]); // '0'
  assert.deepEqual([CODES[32], LENGTHS[32]], [0x14, 6]); // ' '
  assert.deepEqual([CODES[10], LENGTHS[10]], [0x3ffffffc, 30]); // LF
  assert.deepEqual([CODES[255], LENGTHS[255]], [0x3ffffee, 26]);
  assert.deepEqual([CODES[92], LENGTHS[92]], [0x7fff0, 19]); // '\'
  // Kraft equality: the code is complete.
  let sum = 0;
  for (let s = 0; s < 257; s++) sum += 2 ** (30 - LENGTHS[s]!);
  assert.equal(sum, 2 ** 30);
});

test("encodes the RFC 7541 C.4 and C.6 strings", () => {
  assert.equal(toHex(encodeString("www.example.com")), "f1e3c2e5f23a6ba0ab90f4ff");
  assert.equal(toHex(encodeString("no-cache")), "a8eb10649cbf");
  assert.equal(toHex(encodeString("custom-key")), "25a849e95ba97d7f");
  assert.equal(toHex(encodeString("custom-value")), "25a849e95bb8e8b4bf");
  assert.equal(toHex(encodeString("302")), "6402");
  assert.equal(toHex(encodeString("private")), "aec3771a4b");
  assert.equal(toHex(encodeString("Mon, 21 Oct 2013 20:13:21 GMT")), "d07abe941054d444a8200595040b8166e082a62d1bff");
});

test("every octet round-trips alone, in pairs and all together", () => {
  for (let c = 0; c < 256; c++) {
    const s = String.fromCharCode(c);
    assert.equal(decodeBytes(encodeString(s)), s, `octet ${c}`);
    const pair = String.fromCharCode(c, 255 - c);
    assert.equal(decodeBytes(encodeString(pair)), pair);
  }
  let all = "";
  for (let c = 0; c < 256; c++) all += String.fromCharCode(c);
  all += all.split("").reverse().join("");
  assert.equal(decodeBytes(encodeString(all)), all);
});

test("encoded length is the sum of code lengths rounded up to octets", () => {
  assert.equal(huffmanLength(""), 0);
  assert.equal(huffmanLength("0"), 1); // 5 bits
  assert.equal(huffmanLength("00000000"), 5); // 40 bits
  assert.equal(huffmanLength("\u0000"), 2); // 13 bits
  assert.equal(huffmanLength("\n"), 4); // 30 bits
});

test("padding: up to 7 one bits is accepted, an empty string is fine", () => {
  const d = new Decoder();
  assert.deepEqual(d.decode(blockWithHuffmanValue([])), [["x", ""]]);
  assert.deepEqual(d.decode(blockWithHuffmanValue([0x07])), [["x", "0"]]); // 00000 + 111
  assert.deepEqual(d.decode(blockWithHuffmanValue([0xf8])), [["x", "&"]]); // exactly 8 bits, no padding
  assert.deepEqual(d.decode(blockWithHuffmanValue([0x53])), [["x", " "]]); // 010100 + 11
  assert.deepEqual(d.decode(blockWithHuffmanValue([0x00, 0x7f])), [["x", "01"]]); // 00000 00001 + 11111
  // '!' is 10 bits (11111110 00): its first 8 bits alone are not padding.
  assert.throws(() => new Decoder().decode(blockWithHuffmanValue([0xfe])), HTTPError);
});

test("padding longer than 7 bits is a compression_error", () => {
  // 'a' = 00011, then 11 one bits.
  assertCompressionError(() => new Decoder().decode(blockWithHuffmanValue([0x1f, 0xff])), /padding/);
  // A whole octet of ones and nothing else.
  assertCompressionError(() => new Decoder().decode(blockWithHuffmanValue([0xff])), /padding/);
});

test("padding that is not all ones is a compression_error", () => {
  // 'a' = 00011 then 000.
  assertCompressionError(() => new Decoder().decode(blockWithHuffmanValue([0x18])), /padding/);
  // '0' = 00000 then 101.
  assertCompressionError(() => new Decoder().decode(blockWithHuffmanValue([0x05])), /padding/);
});

test("an EOS symbol inside a string is a compression_error", () => {
  assertCompressionError(() => new Decoder().decode(blockWithHuffmanValue([0xff, 0xff, 0xff, 0xff])), /EOS/);
  // 'a' then EOS (30 ones) then padding: 00011 111111...
  assertCompressionError(() => new Decoder().decode(blockWithHuffmanValue([0x1f, 0xff, 0xff, 0xff, 0xff])), /EOS/);
});

test("the encoder picks Huffman only when it is shorter", () => {
  // "www.example.com": 12 Huffman octets < 15 raw → Huffman bit set.
  const a = new Encoder(0).encode([["x-h", "www.example.com"]]);
  assert.equal(a[a.length - 13]! & 0x80, 0x80);
  assert.equal(a[a.length - 13]! & 0x7f, 12);
  // "\x00\x01": 13 + 23 bits = 5 octets > 2 raw → raw.
  const b = new Encoder(0).encode([["x-h", "\u0000\u0001"]]);
  assert.deepEqual(Array.from(b.subarray(b.length - 3)), [0x02, 0x00, 0x01]);
  assert.deepEqual(new Decoder().decode(b), [["x-h", "\u0000\u0001"]]);
});
