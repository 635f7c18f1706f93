// Hostile input interleaved with the caller's own calls: random server frames (or bytes)
// mixed with request(), streamRequestBody(), cancelRequest(), ping(), putSettings(),
// setWindowSize() with well-typed arguments, and sometimes the peer's EOF. Well-typed calls
// may only throw HTTPError; receive() only HTTPError, receiveEof() also TransportError; once
// the engine has failed every call keeps failing cleanly; no request ends twice.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createHTTP1Engine } from "../../src/core/http1/index.js";
import { createHTTP2Engine, type HTTP2Engine } from "../../src/core/http2/index.js";
import type { Engine } from "../../src/core/engine.js";
import { Encoder } from "../../src/hpack/index.js";
import { HTTPError, MintError, TransportError } from "../../src/errors.js";
import { EOF, STREAM, type RequestRef } from "../../src/types.js";
import { assertMintError, countRun, fcParams, latin1 } from "./harness.js";
import { PartLedger } from "./drive.js";
import * as H from "./h2-frames.js";

type Act =
  | { kind: "frame"; bytes: Uint8Array }
  | { kind: "request"; stream: boolean; body: number }
  | { kind: "chunk"; which: number; size: number }
  | { kind: "eofBody"; which: number; trailers: boolean }
  | { kind: "cancel"; which: number }
  | { kind: "ping" }
  | { kind: "settings"; window: number; push: boolean }
  | { kind: "window"; which: number; size: number }
  | { kind: "peerEof" };

/** Runs one well-typed call; only HTTPError may come out. Returns false when it threw. */
function call(what: string, fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    assertMintError(err, what);
    return false;
  }
}

function run(engine: Engine, acts: Act[], h2: HTTP2Engine | undefined): void {
  const ledger = new PartLedger();
  const refs: RequestRef[] = [];
  let failed = false;
  const pick = (i: number): RequestRef | undefined => (refs.length === 0 ? undefined : refs[i % refs.length]);
  for (const a of acts) {
    switch (a.kind) {
      case "frame": {
        try {
          ledger.add(engine.receive(a.bytes), "receive");
        } catch (err) {
          assertMintError(err, "receive");
          ledger.add(err.parts ?? [], "receive error.parts");
          if (err.reason !== "closed") failed = true;
        }
        break;
      }
      case "peerEof": {
        try {
          ledger.add(engine.receiveEof(), "receiveEof");
        } catch (err) {
          assertMintError(err, "receiveEof", true);
          ledger.add(err.parts ?? [], "receiveEof error.parts");
        }
        failed = true;
        break;
      }
      case "request":
        call("request", () => refs.push(engine.request(a.body > 0 ? "POST" : "GET", "/x", [["x-a", "b"]], a.stream ? STREAM : a.body > 0 ? "y".repeat(a.body) : null)));
        break;
      case "chunk": {
        const ref = pick(a.which);
        // HTTP/1 refuses a ref that is not streaming with TypeError by design.
        if (ref !== undefined) {
          try {
            engine.streamRequestBody(ref, "z".repeat(a.size));
          } catch (err) {
            if (!(err instanceof TypeError && h2 === undefined)) assertMintError(err, "streamRequestBody");
          }
        }
        break;
      }
      case "eofBody": {
        const ref = pick(a.which);
        if (ref !== undefined) {
          try {
            engine.streamRequestBody(ref, a.trailers ? { eof: true, trailers: [["x-t", "1"]] } : EOF);
          } catch (err) {
            if (!(err instanceof TypeError && h2 === undefined)) assertMintError(err, "streamRequestBody EOF");
          }
        }
        break;
      }
      case "cancel": {
        const ref = pick(a.which);
        if (h2 && ref !== undefined) call("cancelRequest", () => h2.cancelRequest(ref));
        break;
      }
      case "ping":
        if (h2) call("ping", () => h2.ping());
        break;
      case "settings":
        if (h2) call("putSettings", () => h2.putSettings({ initialWindowSize: a.window, enablePush: a.push }));
        break;
      case "window": {
        const ref = pick(a.which);
        if (h2) call("setWindowSize", () => h2.setWindowSize(ref === undefined || a.which % 3 === 0 ? "connection" : { request: ref }, a.size));
        break;
      }
    }
    engine.takeOutgoing();
    if (failed) {
      assert.equal(engine.isOpen("write"), false, "isOpen('write') after failure");
      assert.throws(() => engine.request("GET", "/", [], null), (e: unknown) => e instanceof HTTPError && e.reason === "closed");
    }
  }
  // Finally the peer goes away: every request has ended.
  if (!failed) {
    try {
      ledger.add(engine.receiveEof(), "final receiveEof");
    } catch (err) {
      assert.ok(err instanceof HTTPError || err instanceof TransportError, String(err));
      ledger.add((err as MintError).parts ?? [], "final receiveEof error.parts");
    }
    for (const ref of refs) {
      if (h2 === undefined) assert.ok(ledger.ended.has(ref), `request ${ref} never ended`);
    }
  }
}

const enc = new Encoder();
const h2Blocks = [
  enc.encode([[":status", "200"]]), enc.encode([[":status", "100"]]), enc.encode([["x-t", "1"]]),
  enc.encode([[":method", "GET"], [":path", "/p"], [":scheme", "https"], [":authority", "example.test"]]),
];
const h2Frame: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(fc.constantFrom(1, 3, 5, 7, 2), fc.constantFrom(...h2Blocks), fc.constantFrom(4, 5, 0, 1)).map(([id, b, fl]) => H.headers(id, b, fl)),
  fc.tuple(fc.constantFrom(1, 3, 5, 2), fc.nat({ max: 100 }), fc.boolean()).map(([id, n, end]) => H.data(id, new Uint8Array(n), end)),
  fc.tuple(fc.constantFrom(0, 1, 3, 5), fc.oneof(fc.nat({ max: 70000 }), fc.constant(0x7fffffff))).map(([id, n]) => H.windowUpdate(id, n)),
  fc.tuple(fc.constantFrom(1, 3, 5, 2), fc.nat({ max: 13 })).map(([id, code]) => H.rstStream(id, code)),
  fc.tuple(fc.nat({ max: 7 }), fc.nat({ max: 2 })).map(([last, code]) => H.goaway(last, code)),
  fc.constantFrom(H.ping(), H.settingsAck(), H.settings([[4, 1000], [3, 2]]), H.settings([[4, 0x7fffffff]]), H.settings([[1, 0]])),
  fc.tuple(fc.constantFrom(1, 3), fc.constantFrom(2, 4, 6)).map(([id, p]) => H.pushPromise(id, p, h2Blocks[3]!)),
  fc.tuple(fc.constantFrom(1, 3), fc.constantFrom(...h2Blocks), fc.boolean()).map(([id, b, end]) => H.continuation(id, b, end)),
  fc.uint8Array({ maxLength: 20 }),
);

function actsArb(frame: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Act[]> {
  const act: fc.Arbitrary<Act> = fc.oneof(
    { weight: 6, arbitrary: frame.map((bytes) => ({ kind: "frame" as const, bytes })) },
    { weight: 2, arbitrary: fc.record({ stream: fc.boolean(), body: fc.nat({ max: 3 }).map((n) => n * 40) }).map((r) => ({ kind: "request" as const, ...r })) },
    { weight: 2, arbitrary: fc.record({ which: fc.nat(), size: fc.nat({ max: 70000 }) }).map((r) => ({ kind: "chunk" as const, ...r })) },
    { weight: 1, arbitrary: fc.record({ which: fc.nat(), trailers: fc.boolean() }).map((r) => ({ kind: "eofBody" as const, ...r })) },
    { weight: 1, arbitrary: fc.nat().map((which) => ({ kind: "cancel" as const, which })) },
    { weight: 1, arbitrary: fc.constant({ kind: "ping" as const }) },
    { weight: 1, arbitrary: fc.record({ window: fc.nat({ max: 0x7fffffff }), push: fc.boolean() }).map((r) => ({ kind: "settings" as const, ...r })) },
    { weight: 1, arbitrary: fc.record({ which: fc.nat(), size: fc.integer({ min: 1, max: 0x7fffffff }) }).map((r) => ({ kind: "window" as const, ...r })) },
    { weight: 1, arbitrary: fc.constant({ kind: "peerEof" as const }) },
  );
  return fc.array(act, { minLength: 1, maxLength: 25 });
}

test("HTTP/2: hostile frames interleaved with the caller's calls", () => {
  fc.assert(
    fc.property(fc.record({ push: fc.boolean(), mcs: fc.nat({ max: 3 }) }), actsArb(h2Frame), (cfg, acts) => {
      countRun("http2 interleaved");
      const engine = createHTTP2Engine({ scheme: "https", authority: "example.test", clientSettings: { enablePush: cfg.push, maxConcurrentStreams: cfg.mcs } });
      engine.receive(H.settings([]));
      run(engine, acts, engine);
    }),
    fcParams(),
  );
});

const h1Piece: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.constantFrom(
    "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc", "HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n",
    "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n", "3\r\nabc\r\n", "0\r\n\r\n", "0\r\nx-t: 1\r\n\r\n",
    "HTTP/1.1 413 Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n", "HTTP/1.1 200 OK\r\n", "x: y\r\n", "\r\n",
  ).map(latin1),
  fc.uint8Array({ maxLength: 20 }),
);

test("HTTP/1: hostile bytes interleaved with the caller's calls", () => {
  fc.assert(
    fc.property(actsArb(h1Piece), (acts) => {
      countRun("http1 interleaved");
      const engine = createHTTP1Engine({ scheme: "http", authority: "example.test" });
      run(engine, acts, undefined);
    }),
    fcParams(),
  );
});
