// Any split of the server's bytes gives the same parts (HTTP/2 engine): a random mix of
// responses (split header blocks, padded and empty DATA, trailers, 1xx), pushes, PINGs and
// SETTINGS is fed once whole and once cut at random points, or byte by byte.
// Runs: MINT_FUZZ_RUNS (default modest).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Encoder } from "../../src/hpack/index.js";
import { createHTTP2Engine } from "../../src/core/http2/index.js";
import type { Headers, ResponsePart } from "../../src/types.js";
import { FrameBuilder, parseFrames } from "../support/h2-frames.js";

const RUNS = Number(process.env["MINT_FUZZ_RUNS"] ?? 60);

interface StreamPlan {
  informational: boolean;
  headers: Headers;
  split: number;
  body: Uint8Array[];
  pad: number;
  trailers: Headers | null;
  push: boolean;
}

const headerName = fc.constantFrom("content-type", "x-a", "x-b", "server", "set-cookie", "cache-control", "etag");
const headerValue = fc.string({ maxLength: 20 }).map((s) => s.replace(/[^\x21-\x7e]/g, "a"));
const headerList = fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }) as fc.Arbitrary<Headers>;
const streamPlan: fc.Arbitrary<StreamPlan> = fc.record({
  informational: fc.boolean(),
  headers: headerList,
  split: fc.integer({ min: 0, max: 12 }),
  body: fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }),
  pad: fc.integer({ min: 0, max: 20 }),
  trailers: fc.option(fc.array(fc.tuple(fc.constantFrom("x-t1", "x-t2"), headerValue), { maxLength: 2 }) as fc.Arbitrary<Headers>),
  push: fc.boolean(),
});

/** Build the server's bytes: each stream's frames interleaved in the order `picks` gives. */
function serverBytes(plans: StreamPlan[], picks: number[], pings: number): Uint8Array {
  const f = new FrameBuilder(new Encoder());
  f.settings({ maxConcurrentStreams: 50 });
  let nextPush = 2;
  const queues = plans.map((p, i) => {
    const id = 1 + 2 * i;
    const steps: Array<(f: FrameBuilder) => void> = [];
    // Promised ids must increase in the order the promises are sent.
    let promised = 0;
    if (p.push) {
      steps.push((f) => {
        promised = nextPush;
        nextPush += 2;
        f.pushPromise(id, promised, [[":method", "GET"], [":path", `/p${i}`], [":scheme", "https"], [":authority", "a"]]);
      });
    }
    if (p.informational) steps.push((f) => f.headers(id, [[":status", "103"], ["link", "</x>"]], { split: p.split }));
    const noBody = p.body.length === 0 && p.trailers === null;
    steps.push((f) => f.headers(id, [[":status", "200"], ...p.headers], { split: p.split, endStream: noBody }));
    p.body.forEach((chunk, j) => {
      const last = j === p.body.length - 1 && p.trailers === null;
      steps.push((f) => f.data(id, chunk, { endStream: last, padLength: j === 0 ? p.pad : 0 }));
    });
    if (p.trailers !== null) steps.push((f) => f.headers(id, p.trailers!, { endStream: true, split: p.split }));
    if (p.push) steps.push((f) => f.headers(promised, [[":status", "200"]], { endStream: true }));
    return steps;
  });
  let k = 0;
  let pingsLeft = pings;
  while (queues.some((q) => q.length > 0)) {
    const pick = picks[k++ % Math.max(1, picks.length)] ?? 0;
    if (pingsLeft > 0 && pick % 7 === 0) {
      f.ping(new Uint8Array(8).fill(pingsLeft));
      pingsLeft--;
    }
    const nonEmpty = queues.filter((q) => q.length > 0);
    nonEmpty[pick % nonEmpty.length]!.shift()!(f);
  }
  return f.bytes();
}

function run(plans: StreamPlan[], chunks: Uint8Array[]): { parts: unknown[]; out: unknown[] } {
  const engine = createHTTP2Engine({ scheme: "https", authority: "a" });
  engine.takeOutgoing();
  const order = new Map<string, number>();
  for (let i = 0; i < plans.length; i++) order.set(engine.request("GET", "/", [], null), order.size);
  engine.takeOutgoing();
  const parts: ResponsePart[] = [];
  const out: Uint8Array[] = [];
  for (const c of chunks) {
    parts.push(...engine.receive(c));
    out.push(...engine.takeOutgoing());
  }
  // Refs are process-unique: name them by order of first appearance.
  const name = (r: string) => {
    if (!order.has(r)) order.set(r, order.size);
    return order.get(r);
  };
  // A DATA frame that spans reads arrives in pieces: adjacent data of one request is joined.
  const normalized: Array<Record<string, unknown>> = [];
  for (const p of parts) {
    const last = normalized[normalized.length - 1];
    if (p.type === "data" && last !== undefined && last["type"] === "data" && last["ref"] === name(p.ref)) {
      (last["data"] as number[]).push(...p.data);
      continue;
    }
    const q: Record<string, unknown> = { ...p, ref: name(p.ref) };
    if (p.type === "push_promise") q["promisedRef"] = name(p.promisedRef);
    if (p.type === "data") q["data"] = Array.from(p.data);
    normalized.push(q);
  }
  // WINDOW_UPDATE batching depends on how bytes arrive; every other frame must match.
  const frames = out.flatMap((c) => parseFrames(c)).filter((f) => f.type !== "window_update");
  return { parts: normalized, out: frames };
}

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(prev, p));
    prev = p;
  }
  chunks.push(bytes.subarray(prev));
  return chunks;
}

test("any split of the server's bytes gives the same parts and the same answers", () => {
  fc.assert(
    fc.property(
      fc.array(streamPlan, { minLength: 1, maxLength: 5 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 0, max: 3 }),
      fc.array(fc.nat(), { maxLength: 30 }),
      (plans, picks, pings, cuts) => {
        const bytes = serverBytes(plans, picks, pings);
        const whole = run(plans, [bytes]);
        assert.equal(whole.parts.filter((p) => (p as { type: string }).type === "done").length, plans.length + plans.filter((p) => p.push).length);
        const split = run(plans, splitAt(bytes, cuts));
        assert.deepEqual(split, whole);
      },
    ),
    { numRuns: RUNS },
  );
});

test("byte-by-byte delivery gives the same parts", () => {
  fc.assert(
    fc.property(fc.array(streamPlan, { minLength: 1, maxLength: 3 }), fc.array(fc.nat(), { minLength: 1, maxLength: 10 }), (plans, picks) => {
      const bytes = serverBytes(plans, picks, 1);
      const whole = run(plans, [bytes]);
      const single = run(plans, Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
      assert.deepEqual(single, whole);
    }),
    { numRuns: Math.max(5, Math.floor(RUNS / 6)) },
  );
});
