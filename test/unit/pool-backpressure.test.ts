// Per-request back-pressure through a fake HTTP/2 connection: a reader that falls behind
// holds back its own stream's window (holdReceiveWindow, when the connection has it) and
// releases it as it catches up; cancelling resets only that stream.

import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { Connection, ResponsePart } from "../../src/index.js";
import { Exchange, type ExchangeHost } from "../../src/pool/exchange.js";
import { PromiseReceiver, type PoolResponse } from "../../src/pool/receiver.js";
import { BodySource } from "../../src/pool/body-source.js";
import { Slot } from "../../src/pool/slot.js";

class FakeH2 extends EventEmitter {
  readonly protocol = "http2";
  readonly calls: string[] = [];
  #n = 0;
  ping(): string { return "ping"; }
  request(): string { return `r${++this.#n}`; }
  isOpen(): boolean { return true; }
  getServerSetting(): number { return 100; }
  getWindowSize(): number { return 65535; }
  cancelRequest(ref: string): void { this.calls.push(`cancel ${ref}`); }
  holdReceiveWindow(ref: string, hold: boolean): void { this.calls.push(`hold ${ref} ${hold}`); }
  close(): Promise<void> { return Promise.resolve(); }
  getSocket(): { ref(): void; unref(): void } { return { ref() {}, unref() {} }; }
}

const host: ExchangeHost = { maxAttempts: 3, requeue: () => {}, unqueue: () => {}, release: () => {}, wakeIn: () => {} };
const owner = { slotFree: () => {}, slotClosed: () => {}, slotGone: () => {} };

function exchange(slot: Slot): Promise<PoolResponse> {
  const rx = new PromiseReceiver(undefined);
  const ex = new Exchange(host, rx, "GET", "/", [], new BodySource(null), true, 1000, 1000, undefined);
  assert.equal(ex.start(slot, Date.now()), undefined);
  return rx.promise;
}

test("a slow reader holds only its own stream's window and releases it as it reads", async () => {
  const conn = new FakeH2();
  const slot = new Slot(conn as unknown as Connection, owner, Date.now(), 1, 4000, Infinity);
  const slow = exchange(slot);
  const fast = exchange(slot);
  const parts = (ref: string, n: number): ResponsePart[] => [
    { type: "status", ref, status: 200 }, { type: "headers", ref, headers: [] },
    ...Array.from({ length: n }, () => ({ type: "data" as const, ref, data: new Uint8Array(16 * 1024) })),
  ];
  conn.emit("parts", [...parts("r1", 8), ...parts("r2", 2), { type: "done", ref: "r2" }]);
  const slowRes = await slow;
  const fastRes = await fast;
  assert.deepEqual(conn.calls, ["hold r1 true"], "only the stream with 128 KiB unread is held");
  assert.equal((await fastRes.body.bytes()).length, 32 * 1024);
  let read = 0;
  for (let i = 0; i < 7; i++) read += (await slowRes.body.next()).value!.length;
  assert.deepEqual(conn.calls, ["hold r1 true", "hold r1 false"]);
  await slowRes.body.cancel();
  assert.deepEqual(conn.calls, ["hold r1 true", "hold r1 false", "cancel r1"]);
  assert.equal(read, 7 * 16 * 1024);
  assert.equal(slot.inFlight.size, 0);
});
