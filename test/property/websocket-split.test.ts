// Any split of the server's bytes gives the same WebSocket events and the same bytes sent
// back (pongs, close). Messages come from a server-role codec (text with multi-byte UTF-8,
// binary, fragmented, pings between fragments, a close), plus hostile byte mutations whose
// outcome (events and close code) must not depend on the split either.

import { test } from "node:test";
import assert from "node:assert/strict";
import { randomFillSync } from "node:crypto";
import fc from "fast-check";
import { WebSocketCodec } from "../../src/core/websocket/index.js";
import { concat, fcParams, split, splitsArb } from "../fuzz/harness.js";

type Msg = { kind: "text"; text: string; frag: number } | { kind: "binary"; data: Uint8Array; frag: number } | { kind: "ping"; data: Uint8Array };

const msgArb: fc.Arbitrary<Msg> = fc.oneof(
  fc.record({ kind: fc.constant("text" as const), text: fc.string({ unit: "grapheme", maxLength: 60 }), frag: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant("binary" as const), data: fc.uint8Array({ maxLength: 300 }), frag: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant("ping" as const), data: fc.uint8Array({ maxLength: 125 }) }),
);

function serverBytes(msgs: Msg[], closeCode: number | null): Uint8Array {
  const s = new WebSocketCodec({ role: "server" });
  for (const m of msgs) {
    if (m.kind === "ping") s.ping(m.data);
    else if (m.kind === "text") s.send(m.text, m.frag);
    else s.send(m.data, m.frag);
  }
  if (closeCode !== null) s.close(closeCode, "done");
  return concat(s.takeOutgoing());
}

function run(chunks: Uint8Array[]): { events: string; sent: string } {
  // Masking keys are random, so compare what the client sent after unmasking (a server codec reads it).
  const c = new WebSocketCodec({ role: "client", randomFill: (b) => void randomFillSync(b), maxMessageSize: 4096 });
  const events: unknown[] = [];
  for (const ch of chunks) events.push(...c.receive(ch));
  events.push(...c.receiveEof());
  const reader = new WebSocketCodec({ role: "server" });
  const sent = reader.receive(concat(c.takeOutgoing()));
  const norm = (e: unknown): unknown => JSON.stringify(e, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v));
  return { events: events.map(norm).join("\n"), sent: sent.map(norm).join("\n") + JSON.stringify(reader.closeInfo) };
}

test("property: any split of valid server bytes gives the same events and replies", () => {
  fc.assert(
    fc.property(fc.array(msgArb, { maxLength: 8 }), fc.option(fc.constantFrom(1000, 1001, 3000, 4999)), splitsArb, (msgs, code, splits) => {
      const bytes = serverBytes(msgs, code);
      const whole = run([bytes]);
      const sliced = run(split(bytes, splits));
      assert.equal(sliced.events, whole.events);
      assert.equal(sliced.sent, whole.sent);
      // And the messages are the ones sent.
      const texts = msgs.filter((m) => m.kind === "text").map((m) => (m as { text: string }).text);
      const got = whole.events.split("\n").filter((l) => l.startsWith('{"type":"text"')).map((l) => (JSON.parse(l) as { data: string }).data);
      assert.deepEqual(got, texts);
    }),
    fcParams(300),
  );
});

test("property: hostile server bytes give the same outcome (events, close code) however split", () => {
  fc.assert(
    fc.property(fc.array(msgArb, { maxLength: 5 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), splitsArb, (msgs, flips, splits) => {
      const bytes = serverBytes(msgs, 1000).slice();
      for (const [pos, v] of flips) if (bytes.length > 0) bytes[pos % bytes.length] = v;
      const whole = run([bytes]);
      const sliced = run(split(bytes, splits));
      assert.equal(sliced.events, whole.events);
      assert.equal(sliced.sent, whole.sent);
    }),
    fcParams(300),
  );
});
