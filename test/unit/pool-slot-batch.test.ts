// How a slot hands out a batch of response parts: parts of interleaved responses reach
// their own exchanges, the HTTP/2 capacity is read from the server's SETTINGS once per
// batch (and again for a release outside a batch), and response bodies never share the
// buffer they fill.

import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { Connection, ResponsePart } from "../../src/index.js";
import { Exchange, type ExchangeHost } from "../../src/pool/exchange.js";
import { PromiseReceiver, type PoolResponse } from "../../src/pool/receiver.js";
import { NO_BODY } from "../../src/pool/body-source.js";
import { Slot } from "../../src/pool/slot.js";

class FakeH2 extends EventEmitter {
  readonly protocol = "http2";
  maxStreams = 100;
  settingReads = 0;
  #n = 0;
  ping(): string { return "ping"; }
  request(): string { return `r${++this.#n}`; }
  isOpen(): boolean { return true; }
  getServerSetting(): number {
    this.settingReads++;
    return this.maxStreams;
  }
  getWindowSize(): number { return 65535; }
  cancelRequest(): void {}
  holdReceiveWindow(): void {}
  close(): Promise<void> { return Promise.resolve(); }
  getSocket(): { ref(): void; unref(): void } { return { ref() {}, unref() {} }; }
}

/** A host whose release() refreshes the slot's capacity, as the pool's does. */
function hostFor(seen: number[]): ExchangeHost {
  return {
    maxAttempts: 1, requeue: () => {}, unqueue: () => {}, wakeIn: () => {},
    release: (slot) => {
      slot.refreshCapacity();
      seen.push(slot.capacity);
    },
  };
}
const owner = { slotFree: () => {}, slotClosed: () => {}, slotGone: () => {} };

function start(slot: Slot, host: ExchangeHost): { ex: Exchange; res: Promise<PoolResponse> } {
  const rx = new PromiseReceiver(undefined);
  const ex = new Exchange(host, rx, "GET", "/", [], NO_BODY, true, 1000, 1000, undefined);
  assert.equal(ex.start(slot, Date.now()), undefined);
  return { ex, res: rx.promise };
}

/** A slot over a fake HTTP/2 connection. */
function h2Slot(): { conn: FakeH2; slot: Slot } {
  const conn = new FakeH2();
  return { conn, slot: new Slot(conn as unknown as Connection, owner, Date.now(), 1, 4000, Infinity) };
}

const head = (ref: string): ResponsePart[] => [{ type: "status", ref, status: 200 }, { type: "headers", ref, headers: [] }];
const data = (ref: string, text: string): ResponsePart => ({ type: "data", ref, data: new TextEncoder().encode(text) });

test("parts of interleaved responses in one batch reach their own requests", async () => {
  const { conn, slot } = h2Slot();
  const host = hostFor([]);
  const a = start(slot, host);
  const b = start(slot, host);
  const c = start(slot, host);
  conn.emit("parts", [
    ...head("r1"), ...head("r2"), data("r1", "a1"), data("r2", "b1"), data("r1", "a2"),
    { type: "done", ref: "r2" }, ...head("r3"), data("r1", "a3"), { type: "done", ref: "r1" },
    data("r3", "c1"), { type: "done", ref: "r3" },
  ]);
  assert.equal(await (await a.res).body.text(), "a1a2a3");
  assert.equal(await (await b.res).body.text(), "b1");
  assert.equal(await (await c.res).body.text(), "c1");
  assert.equal(slot.inFlight.size, 0);
});

test("a part for a request that already ended in the same batch is dropped, not given to the next one", async () => {
  const { conn, slot } = h2Slot();
  const host = hostFor([]);
  const a = start(slot, host);
  const b = start(slot, host);
  conn.emit("parts", [...head("r1"), { type: "done", ref: "r1" }, data("r1", "late"), ...head("r2"), data("r2", "b"), { type: "done", ref: "r2" }]);
  assert.equal(await (await a.res).body.text(), "");
  assert.equal(await (await b.res).body.text(), "b");
});

test("HTTP/2 capacity is read once per batch, and again for a release outside a batch", async () => {
  const { conn, slot } = h2Slot();
  const seen: number[] = [];
  const host = hostFor(seen);
  conn.emit("parts", [{ type: "pong", ref: "ping" }]); // the server's SETTINGS are known
  assert.equal(slot.capacity, 100);
  const reqs = [start(slot, host), start(slot, host), start(slot, host)];
  conn.maxStreams = 2;
  conn.settingReads = 0;
  conn.emit("parts", reqs.slice(0, 2).flatMap((_, i) => [...head(`r${i + 1}`), { type: "done" as const, ref: `r${i + 1}` }]));
  assert.equal(conn.settingReads, 1, "one read for a batch ending two requests");
  assert.deepEqual(seen, [2, 2], "the releases in the batch see the limit the batch brought");
  conn.maxStreams = 5;
  reqs[2]!.ex.abort(new Error("stop"));
  await assert.rejects(reqs[2]!.res, /stop/);
  assert.equal(conn.settingReads, 2);
  assert.deepEqual(seen, [2, 2, 5], "a release outside a batch reads the limit again");
});

test("response bodies fill buffers of their own", async () => {
  const { conn, slot } = h2Slot();
  const host = hostFor([]);
  const a = start(slot, host);
  const b = start(slot, host);
  conn.emit("parts", [...head("r1"), ...head("r2"), data("r1", "x"), data("r1", "y")]);
  const ra = await a.res;
  const rb = await b.res;
  assert.equal(rb.body.read(), null, "nothing buffered for the other body");
  assert.equal(new TextDecoder().decode(ra.body.read()!), "x");
  assert.equal(new TextDecoder().decode(ra.body.read()!), "y");
  assert.equal(ra.body.read(), null);
  conn.emit("parts", [data("r2", "z"), { type: "done", ref: "r2" }, data("r1", "w"), { type: "done", ref: "r1" }]);
  const chunks: string[] = [];
  for await (const c of rb.body) chunks.push(new TextDecoder().decode(c));
  assert.deepEqual(chunks, ["z"]);
  assert.equal(await ra.body.text(), "w");
  const end = await rb.body.next();
  assert.equal(end.done, true);
  assert.equal(end.value, undefined);
});
