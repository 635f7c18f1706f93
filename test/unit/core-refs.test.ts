// Request refs: names of numbers that read back exactly, unique, and never shared between
// connections or with plain refs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RefNames, nextRef, nextRefNames } from "../../src/core/refs.js";

test("names read back to their number and are all different", () => {
  const names = new RefNames("#x.");
  const seen = new Set<string>();
  for (const n of [...Array(70_000).keys(), 2 ** 31 - 1, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER - 1]) {
    const name = names.name(n);
    assert.ok(name.startsWith("#x."));
    assert.equal(names.parse(name), n, name);
    assert.ok(!seen.has(name), name);
    seen.add(name);
  }
  // going back to an earlier range still names it the same way
  assert.equal(names.name(5), new RefNames("#x.").name(5));
  for (const bad of ["", "#x.", "#x.1", "#y.001", "x.001"]) assert.ok(Number.isNaN(names.parse(bad)), bad);
});

test("refs of connections and plain refs never meet", () => {
  const a = nextRefNames();
  const b = nextRefNames();
  const all = new Set<string>();
  for (let i = 1; i < 3000; i++) {
    for (const r of [a.name(i), b.name(i), nextRef()]) {
      assert.ok(!all.has(r), r);
      all.add(r);
    }
  }
  assert.ok(!nextRef().includes("."));
});
