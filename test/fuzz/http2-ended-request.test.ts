// Found by interleaved.test.ts with MINT_FUZZ_RUNS=20000: a request whose body is still
// streaming when the server ends its response gets `done`; it must not get an `error` part
// too when the connection later ends (EOF, transport failure) or a GOAWAY with a lower
// last-stream-id arrives. A request ends exactly once.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHTTP2Engine } from "../../src/core/http2/index.js";
import { TransportError } from "../../src/errors.js";
import { STREAM, type ResponsePart } from "../../src/types.js";
import { PartLedger } from "./drive.js";
import * as H from "./h2-frames.js";

function answeredWhileStreaming() {
  const engine = createHTTP2Engine({ scheme: "https", authority: "example.test" });
  engine.receive(H.settings([]));
  const ref = engine.request("POST", "/upload", [], STREAM);
  const ledger = new PartLedger();
  // The server answers (413-style) and ends its side before our body is done.
  ledger.add(engine.receive(H.headers(1, H.STATUS_200, H.F.END_HEADERS | H.F.END_STREAM)), "response");
  assert.equal(ledger.ended.get(ref), "done");
  return { engine, ref, ledger };
}

const collect = (fn: () => ResponsePart[]): ResponsePart[] => {
  try {
    return fn();
  } catch (err) {
    return (err as { parts?: ResponsePart[] }).parts ?? [];
  }
};

test("HTTP/2: a request answered while its body streams does not also fail at EOF", () => {
  const { engine, ledger } = answeredWhileStreaming();
  ledger.add(collect(() => engine.receiveEof()), "receiveEof");
});

test("HTTP/2: a request answered while its body streams does not also fail on a transport error", () => {
  const { engine, ledger } = answeredWhileStreaming();
  ledger.add(engine.fail(new TransportError("econnreset", "reset")), "fail");
});

test("HTTP/2: a request answered while its body streams is not reported unprocessed by a later GOAWAY", () => {
  const { engine, ledger } = answeredWhileStreaming();
  ledger.add(collect(() => engine.receive(H.goaway(0, 0))), "goaway");
});

test("HTTP/2: stream errors on a request whose response ended while its body streams add no second end", () => {
  const frames = [
    ["a second HEADERS", H.headers(1, Uint8Array.of(0x48, 0x82, 0x08, 0x01), H.F.END_HEADERS | H.F.END_STREAM)],
    ["DATA after END_STREAM", H.data(1, Uint8Array.of(1, 2, 3))],
    ["WINDOW_UPDATE overflow", H.windowUpdate(1, 0x7fffffff)],
  ] as const;
  for (const [what, frame] of frames) {
    const { engine, ledger } = answeredWhileStreaming();
    ledger.add(collect(() => engine.receive(frame)), what);
    ledger.add(collect(() => engine.receiveEof()), `${what}, then EOF`);
  }
});
