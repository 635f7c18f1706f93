// Shared pieces of the fuzz and limit tests: how many runs, byte mutators, the "only
// MintError may come out" check, a per-run time bound and a heap probe.
//
// Runs per property: 300 by default (fast, part of `npm test`); MINT_FUZZ_RUNS=20000
// for a long run. MINT_FUZZ_SEED replays a failure.

import fc from "fast-check";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { HTTPError, MintError, TransportError } from "../../src/errors.js";
import { concat } from "../support/h2-frames.js";

/** Number of runs per fast-check property. */
export function numRuns(defaultRuns = 300): number {
  const env = process.env["MINT_FUZZ_RUNS"];
  if (env !== undefined && env !== "") {
    const n = Number(env);
    if (Number.isInteger(n) && n > 0) return n;
  }
  return defaultRuns;
}

/** fast-check parameters shared by every fuzz property. */
export function fcParams(defaultRuns = 300): fc.Parameters<unknown> {
  const seed = process.env["MINT_FUZZ_SEED"];
  return {
    numRuns: numRuns(defaultRuns),
    ...(seed !== undefined && seed !== "" ? { seed: Number(seed) } : {}),
    // A long fuzz run must not drown the output in shrinking steps.
    endOnFailure: process.env["MINT_FUZZ_RUNS"] !== undefined,
  };
}

/** Counts runs per property name, printed by the long run and the report. */
export const runCounter = new Map<string, number>();
export function countRun(name: string): void {
  runCounter.set(name, (runCounter.get(name) ?? 0) + 1);
}

/** Wall-time budget for one run of a property: a core that loops blows it. */
export const RUN_BUDGET_MS = 2000;

/** Fails when `err` is anything but an HTTPError (or a TransportError when `allowTransport`). */
export function assertMintError(err: unknown, where: string, allowTransport = false): asserts err is MintError {
  if (err instanceof HTTPError) return;
  if (allowTransport && err instanceof TransportError) return;
  const e = err as Error;
  const detail = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(err);
  throw new Error(`${where}: expected HTTPError${allowTransport ? "/TransportError" : ""}, got ${detail}`);
}

/** Runs `fn`, failing when it takes longer than `budgetMs` (a loop that ended but too late). */
export function timed<T>(what: string, fn: () => T, budgetMs = RUN_BUDGET_MS): T {
  const start = performance.now();
  const out = fn();
  const took = performance.now() - start;
  if (took > budgetMs) throw new Error(`${what} took ${took.toFixed(0)} ms (budget ${budgetMs} ms)`);
  return out;
}

// ---------------------------------------------------------------------------
// Byte mutation: structured-but-broken input.

export type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "duplicate"; at: number; length: number }
  | { kind: "delete"; at: number; length: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "inflate"; at: number; value: number };

/** Positions are fractions of the input length so a mutation fits any input. */
const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

const mutationArb: fc.Arbitrary<{ kind: Mutation["kind"]; pos: number; a: number; bytes: Uint8Array }> = fc.record({
  kind: fc.constantFrom<Mutation["kind"]>("flip", "set", "truncate", "duplicate", "delete", "insert", "inflate"),
  pos: position,
  a: fc.nat({ max: 0xffff }),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
});

/** Applies one mutation; `inflate` writes 0xff over up to four bytes (a length field grown huge). */
export function mutate(input: Uint8Array, m: { kind: Mutation["kind"]; pos: number; a: number; bytes: Uint8Array }): Uint8Array {
  if (input.length === 0) return m.kind === "insert" ? m.bytes : input;
  const at = Math.floor(m.pos * input.length);
  switch (m.kind) {
    case "flip": {
      const out = input.slice();
      out[at]! ^= 1 << (m.a % 8);
      return out;
    }
    case "set": {
      const out = input.slice();
      out[at] = m.a & 0xff;
      return out;
    }
    case "truncate":
      return input.slice(0, at);
    case "duplicate": {
      const len = 1 + (m.a % Math.max(1, input.length - at));
      return concat([input.subarray(0, at + len), input.subarray(at, at + len), input.subarray(at + len)]);
    }
    case "delete": {
      const len = 1 + (m.a % Math.max(1, input.length - at));
      return concat([input.subarray(0, at), input.subarray(at + len)]);
    }
    case "insert":
      return concat([input.subarray(0, at), m.bytes, input.subarray(at)]);
    case "inflate": {
      const out = input.slice();
      const n = 1 + (m.a % 4);
      for (let i = at; i < Math.min(out.length, at + n); i++) out[i] = 0xff;
      return out;
    }
  }
}

/** An arbitrary of 1..4 mutations applied in order to whatever input it is given. */
export const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 4 });

export function applyMutations(input: Uint8Array, ms: ReadonlyArray<{ kind: Mutation["kind"]; pos: number; a: number; bytes: Uint8Array }>): Uint8Array {
  let out = input;
  for (const m of ms) out = mutate(out, m);
  return out;
}

/** Cut points for feeding input in pieces (fractions; sorted and deduplicated when applied). */
export const splitsArb = fc.array(position, { maxLength: 8 });

/** Splits `input` at the given fractions. */
export function split(input: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * input.length)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    if (p > prev) out.push(input.subarray(prev, p));
    prev = Math.max(prev, p);
  }
  if (prev < input.length || out.length === 0) out.push(input.subarray(prev));
  return out;
}

export { concat };

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

// ---------------------------------------------------------------------------
// Heap probe: global.gc when the process has it, else turned on through V8 flags.

let gcFn: (() => void) | undefined;

/** A full garbage collection (exposed on demand). */
export function gc(): void {
  if (gcFn === undefined) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === "function") gcFn = g;
    else {
      setFlagsFromString("--expose-gc");
      gcFn = runInNewContext("gc") as () => void;
    }
  }
  gcFn();
  gcFn();
}

/** heapUsed + arrayBuffers after a full collection, in bytes. */
export function heapNow(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export const MiB = 1024 * 1024;

/** Formats a byte count as MiB with two decimals (negative growth shows as such). */
export function mib(n: number): string {
  return `${(n / MiB).toFixed(2)} MiB`;
}
