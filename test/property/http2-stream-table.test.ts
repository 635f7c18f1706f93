// The HTTP/2 stream table (window of our odd ids + Map for the rest) behaves as a Map by id:
// same lookups, same size, same iteration order, whatever the order streams come and go.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { StreamTable } from "../../src/core/http2/stream-table.js";
import { newStream, type Stream } from "../../src/core/http2/stream-state.js";

const RUNS = Number(process.env["MINT_FUZZ_RUNS"] ?? 200);

type Op = { kind: "client" } | { kind: "push"; gap: number } | { kind: "delete"; pick: number } | { kind: "burst"; n: number; keep: number };

function check(table: StreamTable, model: Map<number, Stream>, maxId: number): void {
  assert.equal(table.size, model.size);
  assert.deepEqual(table.values().map((s) => s.id), [...model.keys()]);
  for (let id = 0; id <= maxId + 2; id++) {
    assert.equal(table.get(id), model.get(id), `get(${id})`);
  }
}

function run(ops: Op[]): void {
  const table = new StreamTable();
  const model = new Map<number, Stream>();
  let nextClient = 1;
  let nextPush = 2;
  const add = (id: number): void => {
    const s = newStream(id, `#t.${id}`, (id & 1) === 0, "open", 0, 0, false);
    table.add(s);
    model.set(id, s);
  };
  const remove = (id: number): void => {
    assert.equal(table.delete(id), model.delete(id), `delete(${id})`);
  };
  for (const op of ops) {
    if (op.kind === "client") {
      add(nextClient);
      nextClient += 2;
    } else if (op.kind === "push") {
      nextPush += 2 * op.gap;
      add(nextPush);
      nextPush += 2;
    } else if (op.kind === "delete") {
      const ids = [...model.keys()];
      remove(ids.length === 0 ? op.pick : ids[op.pick % ids.length]!);
      remove(op.pick); // absent or already gone: false on both
    } else {
      // many short streams behind a few that stay open (the window must stay bounded and right)
      for (let i = 0; i < op.n; i++) {
        add(nextClient);
        if (i % op.keep !== 0) remove(nextClient);
        nextClient += 2;
      }
    }
  }
  check(table, model, Math.max(nextClient, nextPush));
}

test("the stream table agrees with a Map", () => {
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.constant({ kind: "client" as const }),
    fc.nat({ max: 3 }).map((gap) => ({ kind: "push" as const, gap })),
    fc.nat({ max: 50 }).map((pick) => ({ kind: "delete" as const, pick })),
    fc.record({ kind: fc.constant("burst" as const), n: fc.integer({ min: 1, max: 3000 }), keep: fc.integer({ min: 1, max: 2500 }) }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 60 }), run), { numRuns: RUNS });
});

test("a stream kept open behind thousands of short ones", () => {
  const ops: Op[] = [{ kind: "client" }, { kind: "burst", n: 10_000, keep: 10_001 }, { kind: "delete", pick: 0 }, { kind: "client" }];
  run(ops);
});
