// Soak: many requests, 64 in flight, through Pool against origins that misbehave.
//   1. HTTP/1 echo origin behind the fault proxy (seeded resets, truncations, idle closes,
//      stalls), a quarter of the requests POSTs;
//   2. HTTP/2 (h2c) echo origin that sends a graceful GOAWAY every 50 streams.
// Every request must end exactly once (resolved with its whole body read, or rejected with
// a MintError), each body must echo its own request id (no cross-talk), no POST may reach
// the origin twice, the heap must not grow with the number of requests, and nothing may be
// left open after close(). SOAK_REQUESTS sets the size per part (default 2000), SOAK_SEED
// the fault plan's seed.

import assert from "node:assert/strict";
import { test } from "node:test";
import { MintError } from "../../src/index.js";
import { Pool } from "../../src/pool/index.js";
import { echoBody, startEchoHTTP1, startGoawayH2Child, type EchoOrigin } from "../support/echo-origins.js";
import { randomPlan, startFaultProxy } from "../support/fault-proxy.js";
import { settleSockets, socketHandleCount, describeResources } from "../support/handles.js";

const REQUESTS = Number(process.env.SOAK_REQUESTS ?? 2000);
const SEED = Number(process.env.SOAK_SEED ?? 20261201);
const IN_FLIGHT = 64;

// scripts/run-tests.mjs runs node with --expose-gc; without it the heap is read as it is,
// garbage included, and the bound is wider.
const gc = (globalThis as { gc?: () => void }).gc;
const HEAP_BOUND = gc ? 16e6 : 64e6;

function heapAfterGC(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

interface Tally {
  ended: number;
  ok: number;
  failed: Map<string, number>;
  mismatches: string[];
  foreign: unknown[];
  endings: Map<string, number>;
}

/**
 * Run `total` requests with `IN_FLIGHT` workers; `onQuarter` runs once a quarter is done.
 * A request ends when its body has been read whole or when the request or body fails.
 */
async function soak(pool: Pool, total: number, prefix: string, onQuarter: () => void): Promise<Tally> {
  const tally: Tally = { ended: 0, ok: 0, failed: new Map(), mismatches: [], foreign: [], endings: new Map() };
  let next = 0;
  let quarterDone = false;
  const end = (id: string): void => {
    tally.ended++;
    tally.endings.set(id, (tally.endings.get(id) ?? 0) + 1);
    if (!quarterDone && tally.ended >= total / 4) {
      quarterDone = true;
      onQuarter();
    }
  };
  const one = async (i: number): Promise<void> => {
    const id = `${prefix}-${i}`;
    const post = i % 4 === 3;
    const size = [0, 100, 3000, 20000][i % 4 === 3 ? 1 : i % 3]!;
    try {
      const res = await pool.request(`/?size=${size}`, {
        method: post ? "POST" : "GET",
        headers: { "x-request-id": id },
        body: post ? `payload of ${id}` : null,
        headersTimeout: 3000,
        bodyTimeout: 3000,
      });
      const text = await res.body.text();
      if (res.status !== 200 || text !== echoBody(id, size)) tally.mismatches.push(`${id}: ${res.status} ${JSON.stringify(text.slice(0, 40))}`);
      else tally.ok++;
    } catch (err) {
      if (!(err instanceof MintError)) tally.foreign.push(err);
      const reason = err instanceof MintError ? err.reason : String(err);
      tally.failed.set(reason, (tally.failed.get(reason) ?? 0) + 1);
    }
    end(id);
  };
  const worker = async (): Promise<void> => {
    while (next < total) await one(next++);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return tally;
}

function checkTally(t: Tally, total: number, origin: EchoOrigin, label: string): void {
  assert.equal(t.ended, total, `${label}: every request ended`);
  assert.equal(t.endings.size, total, `${label}: one ending per request id`);
  for (const [id, n] of t.endings) assert.equal(n, 1, `${label}: ${id} ended ${n} times`);
  assert.deepEqual(t.mismatches, [], `${label}: a body that does not echo its request id is cross-talk`);
  assert.deepEqual(t.foreign, [], `${label}: failures are MintErrors`);
  const dup = [...origin.posts].filter(([, n]) => n > 1);
  assert.deepEqual(dup, [], `${label}: no POST reaches the origin twice`);
}

function report(label: string, t: Tally, extra: string): void {
  const failed = [...t.failed].map(([r, n]) => `${r}=${n}`).join(" ") || "none";
  console.log(`# soak ${label}: ${t.ok} ok, failed: ${failed}; ${extra}`);
}

test(`soak: ${REQUESTS} requests through the fault proxy to an HTTP/1 origin`, { timeout: 60_000 + REQUESTS * 20 }, async () => {
  const baseline = socketHandleCount();
  const origin = await startEchoHTTP1();
  const proxy = await startFaultProxy(origin.port, randomPlan(SEED, {
    weights: { pass: 3, reset: 1, truncate: 1, "idle-close": 1, stall: 1 },
    maxBytes: 8000,
    maxIdleMs: 40,
    maxStallMs: 80,
  }));
  // Connections retire after 500 ms so that many are opened, each with its own fault.
  const pool = new Pool(`http://127.0.0.1:${proxy.port}`, { connections: 16, keepAliveTimeout: 2000, maxConnectionAge: 500 });
  let heapAtQuarter = 0;
  try {
    const t = await soak(pool, REQUESTS, "h1", () => (heapAtQuarter = heapAfterGC()));
    const growth = heapAfterGC() - heapAtQuarter;
    report("HTTP/1 via fault proxy", t, `${proxy.connections} connections, faults fired ${JSON.stringify(proxy.fired)}, heap growth ${(growth / 1e6).toFixed(1)} MB`);
    checkTally(t, REQUESTS, origin, "HTTP/1");
    assert.ok(t.ok >= REQUESTS * 0.5, `most requests succeed (${t.ok} of ${REQUESTS})`);
    for (const kind of ["reset", "truncate", "idle-close", "stall"] as const) assert.ok(proxy.fired[kind] > 0, `${kind} faults were injected`);
    // The heap after the last three quarters may not grow with them: a bound far below
    // what keeping a response per request would take.
    assert.ok(growth < HEAP_BOUND, `heap grew by ${(growth / 1e6).toFixed(1)} MB after the first quarter`);
  } finally {
    await pool.close();
    await proxy.close();
    await origin.close();
  }
  const left = await settleSockets(baseline, 5000);
  assert.equal(left, baseline, `sockets left after close: ${describeResources()}`);
});

test(`soak: ${REQUESTS} requests to an HTTP/2 origin that sends GOAWAY every 50 streams`, { timeout: 60_000 + REQUESTS * 20 }, async () => {
  const baseline = socketHandleCount();
  const origin = await startGoawayH2Child(50);
  const pool = new Pool(`http://127.0.0.1:${origin.port}`, { connect: { protocols: ["http2"] }, connections: 4 });
  let heapAtQuarter = 0;
  try {
    const t = await soak(pool, REQUESTS, "h2", () => (heapAtQuarter = heapAfterGC()));
    const growth = heapAfterGC() - heapAtQuarter;
    await origin.refresh();
    report("HTTP/2 GOAWAY every 50", t, `${origin.connections} sessions, ${origin.goaways} GOAWAYs, heap growth ${(growth / 1e6).toFixed(1)} MB`);
    checkTally(t, REQUESTS, origin, "HTTP/2");
    // A graceful GOAWAY loses nothing: the streams it covers finish, the others are retried.
    assert.deepEqual([...t.failed], [], "no request fails under graceful GOAWAYs");
    assert.equal(t.ok, REQUESTS);
    assert.ok(origin.goaways >= Math.floor(REQUESTS / 50) - 1, `${origin.goaways} GOAWAYs sent`);
    assert.ok(growth < HEAP_BOUND, `heap grew by ${(growth / 1e6).toFixed(1)} MB after the first quarter`);
  } finally {
    await pool.close();
    await origin.close();
  }
  const left = await settleSockets(baseline, 5000);
  assert.equal(left, baseline, `sockets left after close: ${describeResources()}`);
});
