// Whole connections against a hostile raw server: it answers with mutated responses
// (HTTP/1) or frames (HTTP/2) in random slices, then ends, resets or stays silent. Through
// `connect`, in active and passive mode, no exception escapes, no "error" event is
// emitted, "closed" fires exactly once when the server goes away, no request ends twice
// (HTTP/1: every request ends), and every socket is released. Runs: 40 per protocol by
// default, more with MINT_FUZZ_RUNS (divided by 50).

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { connect, MintError, type Connection, type RequestRef, type ResponsePart } from "../../src/index.js";
import { Encoder } from "../../src/hpack/index.js";
import { startFaultServer, type FaultServer, type Peer } from "../support/fault-server.js";
import { settleSockets, socketHandleCount, describeResources } from "../support/handles.js";
import { applyMutations, concat, latin1, mutationsArb, split, splitsArb } from "../fuzz/harness.js";
import { PartLedger } from "../fuzz/drive.js";
import * as H from "../fuzz/h2-frames.js";

const RUNS = Math.max(40, Math.floor(Number(process.env["MINT_FUZZ_RUNS"] ?? 0) / 50));

interface Scenario {
  bytes: Uint8Array;
  cuts: number[];
  ending: "end" | "reset" | "silent";
  passive: boolean;
  requests: number;
}

/** Plays the server side: wait for the requests, write the slices, then end/reset/stay. */
async function serve(peer: Peer, s: Scenario, h2: boolean): Promise<void> {
  if (h2) await peer.h2Handshake();
  else await peer.waitForHeads(s.requests, 2000).catch(() => {});
  for (const slice of split(s.bytes, s.cuts)) {
    await peer.write(slice);
    await new Promise((r) => setImmediate(r));
  }
  if (s.ending === "end") peer.end();
  else if (s.ending === "reset") peer.reset();
}

/** What the runs saw, reported as a diagnostic so a run that tests nothing shows. */
const stats = { runs: 0, closedWithError: 0, closedClean: 0, parts: 0, ended: 0 };

async function play(server: FaultServer, s: Scenario, h2: boolean): Promise<void> {
  stats.runs++;
  const conn: Connection = await connect("http", "127.0.0.1", server.port, { protocols: [h2 ? "http2" : "http1"], mode: s.passive ? "passive" : "active" });
  const ledger = new PartLedger();
  let closedCount = 0;
  let closed = false;
  conn.on("closed", (err?: MintError) => {
    if (err) stats.closedWithError++;
    else stats.closedClean++;
    closedCount++;
    closed = true;
  });
  if (!s.passive) conn.on("parts", (ps: ResponsePart[]) => ledger.add(ps, "parts event"));
  const peer = await server.nextPeer();
  const refs: RequestRef[] = [];
  for (let i = 0; i < s.requests; i++) {
    try {
      refs.push(conn.request("GET", `/${i}`, [], null));
    } catch (err) {
      assert.ok(err instanceof MintError, String(err));
    }
  }
  const serving = serve(peer, s, h2);
  const deadline = Date.now() + (s.ending === "silent" ? 150 : 2000);
  if (s.passive) {
    while (Date.now() < deadline) {
      try {
        ledger.add(await conn.recv(0, Math.max(1, deadline - Date.now())), "recv");
      } catch (err) {
        assert.ok(err instanceof MintError, `recv rejected with ${String(err)}`);
        ledger.add(err.parts ?? [], "recv rejection parts");
        if (err.reason === "timeout") continue;
        break;
      }
    }
  } else {
    while (!closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }
  await serving;
  if (s.ending !== "silent") {
    assert.ok(closed || s.passive, `"closed" did not fire after the server ${s.ending}ed`);
    if (!h2) for (const ref of refs) assert.ok(ledger.ended.has(ref) || s.passive, `request ${ref} never ended`);
  }
  stats.parts += ledger.seen.size;
  stats.ended += ledger.ended.size;
  await conn.close();
  assert.ok(closedCount <= 1, `"closed" fired ${closedCount} times`);
  assert.ok(conn.getSocket().destroyed, "socket destroyed after close()");
  assert.equal(conn.listenerCount("error"), 0);
}

function scenarioArb(base: Uint8Array): fc.Arbitrary<Scenario> {
  return fc.record({
    bytes: fc.oneof({ weight: 4, arbitrary: mutationsArb.map((ms) => applyMutations(base, ms)) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) }),
    cuts: splitsArb,
    ending: fc.constantFrom<Scenario["ending"]>("end", "end", "reset", "silent"),
    passive: fc.boolean(),
    requests: fc.integer({ min: 1, max: 3 }),
  });
}

async function runAll(h2: boolean, base: Uint8Array, t: { diagnostic(s: string): void }): Promise<void> {
  Object.assign(stats, { runs: 0, closedWithError: 0, closedClean: 0, parts: 0, ended: 0 });
  const baseline = socketHandleCount();
  const server = await startFaultServer();
  try {
    await fc.assert(fc.asyncProperty(scenarioArb(base), (s) => play(server, s, h2)), { numRuns: RUNS });
  } finally {
    await server.close();
    t.diagnostic(JSON.stringify(stats));
    const left = await settleSockets(baseline);
    assert.ok(left <= baseline, `socket handles: ${left} after, ${baseline} before (${describeResources()})`);
  }
}

test("HTTP/1: hostile responses through connect", async (t) => {
  await runAll(false, latin1(
    "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello" +
    "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nx-t: 1\r\n\r\n" +
    "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil close",
  ), t);
});

test("HTTP/2: hostile frames through connect", async (t) => {
  const e = new Encoder();
  await runAll(true, concat([
    H.ping(), H.headers(1, e.encode([[":status", "200"], ["x-a", "b"]]), 0), H.continuation(1, e.encode([["x-b", "c"]]), true),
    H.data(1, latin1("hello")), H.headers(1, e.encode([["x-t", "1"]]), H.F.END_HEADERS | H.F.END_STREAM),
    H.headers(3, e.encode([[":status", "204"]]), H.F.END_HEADERS | H.F.END_STREAM), H.windowUpdate(0, 100), H.goaway(5, 0),
  ]), t);
});
