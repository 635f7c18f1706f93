// Hostile input gives the same outcome however it is sliced: mutated HTTP/1 responses and
// HTTP/2 frame sequences fed whole and fed in random slices produce the same parts (data
// compared as the concatenated bytes of each request), the same error reason, and the
// same outgoing frames for HTTP/2. A parser whose result depends on where a TCP segment
// ends would be exploitable; this checks every case the mutator reaches.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createHTTP1Engine } from "../../src/core/http1/index.js";
import { createHTTP2Engine } from "../../src/core/http2/index.js";
import type { Engine } from "../../src/core/engine.js";
import { Encoder } from "../../src/hpack/index.js";
import { MintError } from "../../src/errors.js";
import type { ResponsePart } from "../../src/types.js";
import { applyMutations, concat, fcParams, latin1, mutationsArb, split, splitsArb } from "../fuzz/harness.js";
import * as H from "../fuzz/h2-frames.js";

interface Outcome {
  parts: string[];
  data: Record<string, string>;
  error: string;
  outgoing: string;
}

/** Runs the chunks through an engine; refs are renamed by order of first appearance. */
function outcome(engine: Engine, chunks: Uint8Array[], withOutgoing: boolean): Outcome {
  engine.takeOutgoing();
  const names = new Map<string, string>();
  const name = (ref: string): string => {
    if (!names.has(ref)) names.set(ref, `r${names.size}`);
    return names.get(ref)!;
  };
  const parts: string[] = [];
  const data: Record<string, number[]> = {};
  const out: Uint8Array[] = [];
  let error = "none";
  const take = (ps: ResponsePart[]): void => {
    for (const p of ps) {
      const r = name(p.ref);
      if (p.type === "data") (data[r] ??= []).push(...p.data);
      else if (p.type === "error") parts.push(`error ${r} ${p.error.reason}`);
      else if (p.type === "push_promise") parts.push(`push ${r} ${name(p.promisedRef)} ${JSON.stringify(p.headers)}`);
      else parts.push(`${p.type} ${r} ${JSON.stringify({ ...p, ref: undefined, type: undefined })}`);
    }
  };
  for (const c of chunks) {
    try {
      take(engine.receive(c));
    } catch (err) {
      if (!(err instanceof MintError)) throw err;
      error = err.reason;
      take(err.parts ?? []);
      break;
    } finally {
      out.push(...engine.takeOutgoing());
    }
    if (!engine.isOpen("read")) break;
  }
  const dataText: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) dataText[k] = Buffer.from(v).toString("hex");
  // Outgoing bytes: WINDOW_UPDATE batching depends on slicing by design, so compare the other frames.
  const frames = withOutgoing ? H.parseOutgoing(out).filter((f) => f.type !== H.T.WINDOW_UPDATE).map((f) => `${f.type}/${f.flags}/${f.streamId}/${Buffer.from(f.payload).toString("hex")}`) : [];
  return { parts, data: dataText, error, outgoing: frames.join(" ") };
}

const h1Base = latin1(
  "HTTP/1.1 100 Continue\r\n\r\n" +
  "HTTP/1.1 200 OK\r\ncontent-length: 5\r\nx-a: b\r\n\r\nhello" +
  "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;e=1\r\nworld\r\n0\r\nx-t: 1\r\n\r\n" +
  "HTTP/1.1 304 Not Modified\r\ncontent-length: 10\r\n\r\n",
);

function h1Engine(): Engine {
  const e = createHTTP1Engine({ scheme: "http", authority: "example.test", maxHeaderListSize: 200 });
  for (let i = 0; i < 3; i++) e.request("GET", "/", [], null);
  return e;
}

test("HTTP/1: a mutated response stream gives the same outcome in any slicing", () => {
  fc.assert(
    fc.property(mutationsArb, splitsArb, (ms, cuts) => {
      const input = applyMutations(h1Base, ms);
      const whole = outcome(h1Engine(), [input], false);
      const sliced = outcome(h1Engine(), split(input, cuts), false);
      assert.deepEqual(sliced, whole);
    }),
    fcParams(),
  );
});

function h2Base(): Uint8Array {
  const e = new Encoder();
  return concat([
    H.settings([[3, 10]]), H.settingsAck(), H.ping(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)),
    H.headers(1, e.encode([[":status", "200"], ["x-a", "b"]]), 0), H.continuation(1, e.encode([["x-b", "c"]]), true),
    H.pushPromise(1, 2, e.encode([[":method", "GET"], [":path", "/p"], [":scheme", "https"], [":authority", "example.test"]])),
    H.data(1, Uint8Array.of(1, 2, 3)), H.windowUpdate(1, 10), H.rstStream(3, 8),
    H.headers(1, e.encode([["x-t", "1"]]), H.F.END_HEADERS | H.F.END_STREAM), H.goaway(3, 0),
  ]);
}

function h2Engine(): Engine {
  const e = createHTTP2Engine({ scheme: "https", authority: "example.test" });
  for (let i = 0; i < 3; i++) e.request("GET", "/", [], null);
  return e;
}

test("HTTP/2: mutated frames give the same outcome and the same answers in any slicing", () => {
  const base = h2Base();
  fc.assert(
    fc.property(mutationsArb, splitsArb, (ms, cuts) => {
      const input = applyMutations(base, ms);
      const whole = outcome(h2Engine(), [input], true);
      const sliced = outcome(h2Engine(), split(input, cuts), true);
      assert.deepEqual(sliced, whole);
    }),
    fcParams(),
  );
});
