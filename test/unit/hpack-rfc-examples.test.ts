// RFC 7541 Appendix C examples: every block decodes to the listed headers and leaves the
// listed dynamic table size; the encoder reproduces the blocks byte for byte wherever its
// choices are the RFC's (not C.2.3/C.5.3/C.6.3, which index fields our encoder never indexes).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Decoder, Encoder } from "../../src/hpack/index.js";
import type { Headers } from "../../src/types.js";

function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

interface Step { wire: string; headers: Headers; size: number; encode: boolean }

const REQUESTS: Headers[] = [
  [[":method", "GET"], [":scheme", "http"], [":path", "/"], [":authority", "www.example.com"]],
  [[":method", "GET"], [":scheme", "http"], [":path", "/"], [":authority", "www.example.com"], ["cache-control", "no-cache"]],
  [[":method", "GET"], [":scheme", "https"], [":path", "/index.html"], [":authority", "www.example.com"], ["custom-key", "custom-value"]],
];
const RESPONSES: Headers[] = [
  [[":status", "302"], ["cache-control", "private"], ["date", "Mon, 21 Oct 2013 20:13:21 GMT"], ["location", "https://www.example.com"]],
  [[":status", "307"], ["cache-control", "private"], ["date", "Mon, 21 Oct 2013 20:13:21 GMT"], ["location", "https://www.example.com"]],
  [[":status", "200"], ["cache-control", "private"], ["date", "Mon, 21 Oct 2013 20:13:22 GMT"], ["location", "https://www.example.com"],
    ["content-encoding", "gzip"], ["set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"]],
];

const SEQUENCES: Record<string, { tableSize: number; huffman: boolean; steps: Step[] }> = {
  "C.3 requests without Huffman": {
    tableSize: 4096, huffman: false, steps: [
      { wire: "828684410f7777772e6578616d706c652e636f6d", headers: REQUESTS[0]!, size: 57, encode: true },
      { wire: "828684be58086e6f2d6361636865", headers: REQUESTS[1]!, size: 110, encode: true },
      { wire: "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565", headers: REQUESTS[2]!, size: 164, encode: true },
    ],
  },
  "C.4 requests with Huffman": {
    tableSize: 4096, huffman: true, steps: [
      { wire: "828684418cf1e3c2e5f23a6ba0ab90f4ff", headers: REQUESTS[0]!, size: 57, encode: true },
      { wire: "828684be5886a8eb10649cbf", headers: REQUESTS[1]!, size: 110, encode: true },
      { wire: "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf", headers: REQUESTS[2]!, size: 164, encode: true },
    ],
  },
  "C.5 responses without Huffman": {
    tableSize: 256, huffman: false, steps: [
      { wire: `4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768
               747470733a2f2f7777772e6578616d706c652e636f6d`, headers: RESPONSES[0]!, size: 222, encode: true },
      { wire: "4803333037c1c0bf", headers: RESPONSES[1]!, size: 222, encode: true },
      { wire: `88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153
               444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31`,
        headers: RESPONSES[2]!, size: 215, encode: false },
    ],
  },
  "C.6 responses with Huffman": {
    tableSize: 256, huffman: true, steps: [
      { wire: `488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8
               e9ae82ae43d3`, headers: RESPONSES[0]!, size: 222, encode: true },
      { wire: "4883640effc1c0bf", headers: RESPONSES[1]!, size: 222, encode: true },
      { wire: `88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b
               3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007`, headers: RESPONSES[2]!, size: 215, encode: false },
    ],
  },
};

for (const [title, seq] of Object.entries(SEQUENCES)) {
  test(`RFC 7541 ${title}: decode`, () => {
    const decoder = new Decoder(seq.tableSize);
    for (const step of seq.steps) {
      assert.deepEqual(decoder.decode(hex(step.wire)), step.headers);
      assert.equal(decoder.tableSize, step.size);
    }
  });
  test(`RFC 7541 ${title}: encode byte for byte`, () => {
    // The RFC's Huffman examples code every string, even "307" where it saves nothing.
    const encoder = new Encoder(seq.tableSize, { huffman: seq.huffman ? "always" : "never" });
    const decoder = new Decoder(seq.tableSize);
    let checked = 0;
    for (const step of seq.steps) {
      const block = encoder.encode(step.headers);
      if (step.encode) {
        assert.equal(toHex(block), step.wire.replace(/\s+/g, ""));
        assert.equal(encoder.tableSize, step.size);
        checked++;
      }
      // Whatever the encoder chose, our decoder must read it back.
      assert.deepEqual(decoder.decode(block), step.headers);
      assert.equal(decoder.tableSize, encoder.tableSize);
    }
    assert.ok(checked >= 2);
  });
}

test("default Huffman choice: only when shorter (C.4 strings all shrink, \"307\" does not)", () => {
  const e = new Encoder(4096);
  assert.equal(toHex(e.encode(REQUESTS[0]!)), "828684418cf1e3c2e5f23a6ba0ab90f4ff");
  const r = new Encoder(256);
  r.encode(RESPONSES[0]!);
  assert.equal(toHex(r.encode(RESPONSES[1]!)), "4803333037c1c0bf");
});

test("RFC 7541 C.2.1 literal with indexing", () => {
  const d = new Decoder();
  assert.deepEqual(d.decode(hex("400a637573746f6d2d6b65790d637573746f6d2d686561646572")), [["custom-key", "custom-header"]]);
  assert.equal(d.tableSize, 55);
  const e = new Encoder(4096, { huffman: "never" });
  assert.equal(toHex(e.encode([["custom-key", "custom-header"]])), "400a637573746f6d2d6b65790d637573746f6d2d686561646572");
});

test("RFC 7541 C.2.2 literal without indexing", () => {
  const d = new Decoder();
  assert.deepEqual(d.decode(hex("040c2f73616d706c652f70617468")), [[":path", "/sample/path"]]);
  assert.equal(d.tableSize, 0);
});

test("RFC 7541 C.2.3 literal never indexed", () => {
  const d = new Decoder();
  assert.deepEqual(d.decode(hex("100870617373776f726406736563726574")), [["password", "secret"]]);
  assert.equal(d.tableSize, 0);
});

test("RFC 7541 C.2.4 indexed field", () => {
  const d = new Decoder();
  assert.deepEqual(d.decode(hex("82")), [[":method", "GET"]]);
  assert.equal(d.tableSize, 0);
  assert.equal(toHex(new Encoder().encode([[":method", "GET"]])), "82");
});

test("RFC 7541 C.1 integer examples through the encoder's prefix coding", () => {
  // C.1.2: 1337 with a 5-bit prefix is 1f 9a 0a; a size update carries a 5-bit prefix.
  const e = new Encoder(4096);
  e.resize(1337);
  assert.equal(toHex(e.encode([])), "3f9a0a");
  // C.1.1: 10 with a 5-bit prefix is a single octet.
  e.resize(10);
  assert.equal(toHex(e.encode([])), "2a");
  const d = new Decoder(4096);
  assert.deepEqual(d.decode(hex("3f9a0a")), []);
  assert.equal(d.tableMaxSize, 1337);
});
