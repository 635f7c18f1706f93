// Bounded memory under hostile input: 50 MB of mutated responses / frames / HPACK blocks
// fed in 16 KiB slices to a succession of engines (a new one after each failure, the way
// a client reconnects). Heap (after a full GC) may not grow by more than 4 MiB: nothing
// is kept per connection once it is gone, and no per-engine buffer grows with the input.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createHTTP1Engine } from "../../src/core/http1/index.js";
import { createHTTP2Engine } from "../../src/core/http2/index.js";
import type { Engine } from "../../src/core/engine.js";
import { Decoder, Encoder } from "../../src/hpack/index.js";
import { MintError } from "../../src/errors.js";
import { applyMutations, concat, heapNow, latin1, MiB, mib, mutationsArb } from "./harness.js";
import * as H from "./h2-frames.js";

const TOTAL = Number(process.env["MINT_FUZZ_MEMORY_MB"] ?? 50) * MiB;
const SLICE = 16 * 1024;

/** 64 hostile inputs of ~64 KiB built from `base` by mutation (fixed seed). */
function corpus(base: Uint8Array): Uint8Array[] {
  const ms = fc.sample(mutationsArb, { numRuns: 64, seed: 42 });
  return ms.map((m) => {
    const mutated = applyMutations(base, m);
    const copies = Math.max(1, Math.floor((64 * 1024) / Math.max(1, mutated.length)));
    return concat(Array.from({ length: copies }, () => mutated));
  });
}

/** Feeds the corpus round-robin to fresh engines until TOTAL bytes were handed over. */
function pump(make: () => Engine, inputs: Uint8Array[]): { fed: number; engines: number } {
  let fed = 0;
  let engines = 0;
  let engine = make();
  engines++;
  for (let i = 0; fed < TOTAL; i++) {
    const input = inputs[i % inputs.length]!;
    for (let o = 0; o < input.length && fed < TOTAL; o += SLICE) {
      const slice = input.subarray(o, o + SLICE);
      fed += slice.length;
      let failed = false;
      try {
        engine.receive(slice);
      } catch (err) {
        assert.ok(err instanceof MintError, String(err));
        failed = true;
      }
      engine.takeOutgoing();
      if (failed || !engine.isOpen("read")) {
        engine = make();
        engines++;
        break;
      }
    }
  }
  return { fed, engines };
}

function http1(): Engine {
  const e = createHTTP1Engine({ scheme: "http", authority: "example.test" });
  for (let i = 0; i < 4; i++) e.request("GET", "/", [], null);
  e.takeOutgoing();
  return e;
}

function http2(): Engine {
  const e = createHTTP2Engine({ scheme: "https", authority: "example.test" });
  for (let i = 0; i < 4; i++) e.request("GET", "/", [], null);
  e.takeOutgoing();
  return e;
}

test("HTTP/1 engines: 50 MB of mutated responses keep the heap bounded", (t) => {
  const base = latin1(
    "HTTP/1.1 200 OK\r\ncontent-length: 5\r\nx-a: b\r\n\r\nhello" +
    "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n0\r\nx-t: 1\r\n\r\n",
  );
  const inputs = corpus(base);
  const before = heapNow();
  const r = pump(http1, inputs);
  const growth = heapNow() - before;
  t.diagnostic(`fed ${mib(r.fed)} to ${r.engines} engines, heap growth ${mib(growth)}`);
  assert.ok(growth < 4 * MiB, `heap grew ${mib(growth)}`);
});

test("HTTP/2 engines: 50 MB of mutated frames keep the heap bounded", (t) => {
  const e = new Encoder();
  const base = concat([
    H.settings([[4, 65535]]), H.settingsAck(), H.ping(),
    H.headers(1, e.encode([[":status", "200"], ["x-a", "b"]]), 0), H.continuation(1, e.encode([["x-b", "c"]]), true),
    H.data(1, new Uint8Array(100)), H.windowUpdate(0, 100), H.headers(1, e.encode([["x-t", "1"]]), H.F.END_HEADERS | H.F.END_STREAM),
  ]);
  const inputs = corpus(base);
  const before = heapNow();
  const r = pump(http2, inputs);
  const growth = heapNow() - before;
  t.diagnostic(`fed ${mib(r.fed)} to ${r.engines} engines, heap growth ${mib(growth)}`);
  assert.ok(growth < 4 * MiB, `heap grew ${mib(growth)}`);
});

test("HPACK decoder: 50 MB of mutated blocks keep the heap bounded", (t) => {
  const e = new Encoder();
  // Blocks of ~16 KiB (a CONTINUATION-sized header block), so 50 MB is ~3200 blocks.
  const fields: Array<[string, string]> = [[":status", "200"]];
  for (let i = 0; i < 60; i++) fields.push([`x-field-${i}`, "v".repeat(250)], ["content-type", "text/html"]);
  const base = e.encode(fields);
  const inputs = fc.sample(mutationsArb, { numRuns: 64, seed: 7 }).map((m) => applyMutations(base, m));
  const before = heapNow();
  let fed = 0;
  let decoder = new Decoder();
  for (let i = 0; fed < TOTAL; i++) {
    const block = inputs[i % inputs.length]!;
    fed += Math.max(block.length, 1);
    try {
      decoder.decode(block);
    } catch (err) {
      assert.ok(err instanceof MintError, String(err));
      decoder = new Decoder();
    }
  }
  const growth = heapNow() - before;
  t.diagnostic(`decoded ${mib(fed)} of blocks, heap growth ${mib(growth)}`);
  assert.ok(growth < 4 * MiB, `heap grew ${mib(growth)}`);
});
