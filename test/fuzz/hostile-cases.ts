// Hostile-peer cases against the sans-IO engines, each measured the same way: the reason
// the caller sees (thrown from receive(), or an `error` part), the GOAWAY code the engine
// queued (decoded from its outgoing bytes), the heap growth after a full GC with the
// engine still alive, and whether the connection is left open for reading (the shell
// closes the socket when it is not, or when receive() throws).
//
// The cases are in hostile-http1.ts and hostile-http2.ts; limits-http1.test.ts and
// limits-http2.test.ts assert on them; report.ts prints the table.

import type { Engine } from "../../src/core/engine.js";
import { MintError } from "../../src/errors.js";
import type { ResponsePart } from "../../src/types.js";
import { heapNow } from "./harness.js";
import * as H from "./h2-frames.js";

export interface CaseResult {
  case: string;
  /** Thrown error reason, or `error part: <reason>`, or "none". */
  reason: string;
  /** GOAWAY code sent, "none" when none. */
  goaway: string;
  /** Heap growth in bytes (heapUsed + arrayBuffers after GC, engine alive). */
  growth: number;
  /** Engine still open for reading (socket kept). */
  open: boolean;
  /** Hostile bytes fed before the engine stopped (or all of them). */
  fed: number;
  /** Free-form facts checked by the tests. */
  facts: Record<string, number | string | boolean>;
  parts: ResponsePart[];
  error: MintError | undefined;
  outgoing: Uint8Array[];
  ms: number;
}

export interface HostileCase {
  name: string;
  protocol: "http1" | "http2";
  run(): CaseResult;
  /** Assertions on the result (used by the limit tests). */
  check(r: CaseResult): void;
}

/** Feeds chunks from `source` until the engine throws, closes, or the source ends. */
export class Feeder {
  parts: ResponsePart[] = [];
  error: MintError | undefined;
  outgoing: Uint8Array[] = [];
  fed = 0;
  maxOutgoingPerReceive = 0;
  private batch: Uint8Array[] = [];
  totalOutgoing = 0;
  dataBytes = 0;
  dataParts = 0;
  /** Outgoing HTTP/2 frames by type, counted batch by batch. */
  readonly sentFrames = new Map<number, number>();
  constructor(readonly engine: Engine, readonly keepOutgoing = true) {
    this.drain();
  }
  drain(): void {
    let n = 0;
    for (const b of this.engine.takeOutgoing()) {
      n += b.length;
      this.batch.push(b);
      if (this.keepOutgoing || this.outgoing.length < 64) this.outgoing.push(b);
    }
    this.totalOutgoing += n;
    if (this.engine.protocol === "http2" && n > 0 && n < 1 << 20) {
      for (const fr of H.parseOutgoing(this.batch)) this.sentFrames.set(fr.type, (this.sentFrames.get(fr.type) ?? 0) + 1);
    }
    this.batch = [];
    if (n > this.maxOutgoingPerReceive) this.maxOutgoingPerReceive = n;
  }
  /** Returns false once the engine is done. Data parts are counted, not kept. */
  feed(chunk: Uint8Array): boolean {
    if (this.error !== undefined || !this.engine.isOpen("read")) return false;
    try {
      const got = this.engine.receive(chunk);
      this.fed += chunk.length;
      this.keep(got);
    } catch (err) {
      if (!(err instanceof MintError)) throw err;
      this.fed += chunk.length;
      this.error = err;
      this.keep(err.parts ?? []);
    }
    this.drain();
    return this.error === undefined && this.engine.isOpen("read");
  }
  private keep(parts: ResponsePart[]): void {
    for (const p of parts) {
      if (p.type === "data") {
        this.dataBytes += p.data.length;
        this.dataParts++;
      } else this.parts.push(p);
    }
  }
  reason(): string {
    if (this.error !== undefined) return this.error.reason;
    const e = this.parts.find((p) => p.type === "error");
    return e !== undefined && e.type === "error" ? `error part: ${e.error.reason}` : "none";
  }
}

export function result(name: string, f: Feeder, before: number, t0: number, facts: CaseResult["facts"] = {}): CaseResult {
  const ms = performance.now() - t0;
  const growth = heapNow() - before;
  const frames = H.parseOutgoing(f.outgoing);
  const g = H.sentGoaway(frames);
  const resets = H.sentResets(frames);
  if (resets.length > 0) facts["rstSent"] = resets.length;
  if (resets.length > 0) facts["rstCode"] = [...new Set(resets.map((r) => r.code))].join(",");
  facts["dataBytes"] = f.dataBytes;
  facts["maxOutgoingPerReceive"] = f.maxOutgoingPerReceive;
  const out: CaseResult = {
    case: name, reason: f.reason(), goaway: g?.code ?? "none", growth, open: f.engine.isOpen("read"), fed: f.fed,
    facts, parts: f.parts, error: f.error, outgoing: f.outgoing, ms,
  };
  // Keep the engine reachable until after the measurement.
  (out as { engine?: Engine }).engine = f.engine;
  return out;
}

/** Runs `body` with a fresh heap baseline taken after the engine is set up. */
export function measured(name: string, engine: Engine, body: (f: Feeder) => CaseResult["facts"] | void, keepOutgoing = true): CaseResult {
  const f = new Feeder(engine, keepOutgoing);
  const before = heapNow();
  const t0 = performance.now();
  const facts = body(f) ?? {};
  return result(name, f, before, t0, facts);
}

/** Repeats `chunk` until `total` bytes are fed or the engine stops. */
export function flood(f: Feeder, chunk: Uint8Array, total: number): void {
  for (let sent = 0; sent < total; sent += chunk.length) if (!f.feed(chunk)) return;
}


export const filler = (n: number, byte = 0x61): Uint8Array => new Uint8Array(n).fill(byte);
export const FLOOD = 50 * 1024 * 1024;
export const LIMIT = 256 * 1024;

export function stoppedNearLimit(r: CaseResult, limit: number, slack: number): void {
  if (r.fed > limit + slack) throw new Error(`engine read ${r.fed} bytes before stopping (limit ${limit})`);
}
