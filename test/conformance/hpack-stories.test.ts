// HPACK interoperability stories (http2jp/hpack-test-case), read in place.
//
// Folder: $HPACK_TEST_CASE_DIR, or ../shared/conformance/hpack-test-case relative to the
// project root (process.cwd()). The data is never copied into the repository.
// - Every folder but raw-data holds one real encoder's output: each story is one
//   compression context, decoded case by case with one Decoder, honouring each case's
//   header_table_size (the size announced and acknowledged just before it).
// - raw-data holds plain header sets: each story is encoded with our Encoder and decoded
//   with our Decoder, once at the default table size and once while the table size
//   changes between cases (exercising size updates and eviction).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { Decoder, Encoder } from "../../src/hpack/index.js";
import type { Headers } from "../../src/types.js";

interface Story {
  cases: Array<{ seqno?: number; header_table_size?: number | null; wire?: string; headers: Array<Record<string, string>> }>;
}

const DIR = process.env["HPACK_TEST_CASE_DIR"]
  ? resolve(process.env["HPACK_TEST_CASE_DIR"])
  : resolve(process.cwd(), "../shared/conformance/hpack-test-case");

function headersOf(list: Array<Record<string, string>>): Headers {
  return list.map((o) => {
    const entries = Object.entries(o);
    assert.equal(entries.length, 1, "each header object holds one field");
    return entries[0]!;
  });
}

function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function storiesIn(folder: string): Array<[file: string, story: Story]> {
  return readdirSync(folder)
    .filter((f) => /^story_\d+\.json$/.test(f))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(folder, f), "utf8")) as Story]);
}

test("hpack-test-case stories", async (t) => {
  if (!existsSync(DIR) || !statSync(DIR).isDirectory()) {
    assert.fail(
      `HPACK conformance data not found at ${DIR}. Put the http2jp/hpack-test-case stories at ` +
      `../shared/conformance/hpack-test-case (relative to the project root) or set HPACK_TEST_CASE_DIR ` +
      `to the folder that holds go-hpack/, nghttp2/, raw-data/, ...`,
    );
  }
  const folders = readdirSync(DIR).filter((f) => statSync(join(DIR, f)).isDirectory()).sort();
  assert.ok(folders.includes("raw-data"), `${DIR} has no raw-data folder`);
  assert.ok(folders.length >= 2, `${DIR} has no encoder folders`);

  let decodedStories = 0;
  let decodedCases = 0;
  for (const folder of folders.filter((f) => f !== "raw-data")) {
    await t.test(`decode ${folder}`, () => {
      const stories = storiesIn(join(DIR, folder));
      assert.ok(stories.length > 0, `${folder} has no story_NN.json files`);
      let cases = 0;
      for (const [file, story] of stories) {
        const decoder = new Decoder(4096);
        for (const [i, c] of story.cases.entries()) {
          assert.equal(typeof c.wire, "string", `${folder}/${file} case ${i} has no wire`);
          // Omitted or null: no new size was announced before this case.
          if (typeof c.header_table_size === "number") decoder.setMaxTableSize(c.header_table_size);
          let got: Headers;
          try {
            got = decoder.decode(hex(c.wire!));
          } catch (err) {
            assert.fail(`${folder}/${file} case ${c.seqno ?? i}: ${(err as Error).message}`);
          }
          assert.deepEqual(got, headersOf(c.headers), `${folder}/${file} case ${c.seqno ?? i}`);
          cases++;
        }
      }
      decodedStories += stories.length;
      decodedCases += cases;
      t.diagnostic(`${folder}: ${stories.length} stories, ${cases} cases decoded`);
    });
  }

  const raw = storiesIn(join(DIR, "raw-data"));
  let rawCases = 0;
  let rawOctets = 0;
  let encodedOctets = 0;
  await t.test("raw-data: encode with Encoder, decode with Decoder", () => {
    assert.ok(raw.length > 0, "raw-data has no stories");
    for (const [file, story] of raw) {
      const encoder = new Encoder();
      const decoder = new Decoder();
      for (const [i, c] of story.cases.entries()) {
        const headers = headersOf(c.headers);
        const block = encoder.encode(headers);
        assert.deepEqual(decoder.decode(block), headers, `raw-data/${file} case ${i}`);
        assert.equal(decoder.tableSize, encoder.tableSize, `raw-data/${file} case ${i}: table sizes agree`);
        for (const [n, v] of headers) rawOctets += n.length + v.length;
        encodedOctets += block.length;
        rawCases++;
      }
    }
    t.diagnostic(`raw-data: ${raw.length} stories, ${rawCases} cases; ${rawOctets} header octets -> ${encodedOctets} encoded (${(100 * encodedOctets / rawOctets).toFixed(1)}%)`);
  });

  await t.test("raw-data with the table size changing between cases", () => {
    const sizes = [4096, 1024, 0, 256, 8192, 100, 100, 4096, 64, 2048];
    let cases = 0;
    for (const [s, [file, story]] of raw.entries()) {
      const encoder = new Encoder();
      const decoder = new Decoder();
      for (const [i, c] of story.cases.entries()) {
        // Some cases shrink then grow (announce twice) before the block.
        const size = sizes[(s + i) % sizes.length]!;
        if ((s + i) % 3 === 0) {
          decoder.setMaxTableSize(size >> 1);
          encoder.resize(size >> 1);
        }
        decoder.setMaxTableSize(size);
        encoder.resize(size);
        const headers = headersOf(c.headers);
        assert.deepEqual(decoder.decode(encoder.encode(headers)), headers, `raw-data/${file} case ${i} at table size ${size}`);
        assert.ok(decoder.tableSize <= size);
        cases++;
      }
    }
    assert.equal(cases, rawCases);
  });

  t.diagnostic(`decoded ${decodedStories} stories / ${decodedCases} cases from ${folders.length - 1} encoders; round-tripped ${raw.length} raw-data stories / ${rawCases} cases`);
  console.log(`hpack-test-case: decoded ${decodedStories} stories, ${decodedCases} cases; raw-data round trip ${raw.length} stories, ${rawCases} cases`);
  assert.ok(decodedStories >= 6 * 30, `expected the six encoder folders' stories, decoded ${decodedStories}`);
  assert.ok(decodedCases > 0 && rawCases > 0);
});
