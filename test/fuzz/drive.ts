// Feeds hostile bytes to an engine and checks the engine contract (src/core/engine.ts)
// on every path:
// - receive() throws only HTTPError (receiveEof() also TransportError), whose `parts` is
//   an array;
// - no request ends twice and no part follows a request's end;
// - once the engine has failed, or the peer's EOF has been fed, every request in flight
//   has ended with exactly one `done` or `error` part;
// - after a failure the engine is closed: isOpen() false for read and write, request()
//   throws HTTPError `closed`, a later receive() throws a MintError or returns [];
// - each receive() call stays within a time budget (a loop would blow it).

import assert from "node:assert/strict";
import type { Engine } from "../../src/core/engine.js";
import { HTTPError, MintError, TransportError } from "../../src/errors.js";
import type { RequestRef, ResponsePart } from "../../src/types.js";
import { assertMintError, RUN_BUDGET_MS } from "./harness.js";

export interface DriveResult {
  parts: ResponsePart[];
  error: MintError | undefined;
  /** Outgoing bytes the engine queued while receiving (drained after every call). */
  outgoing: Uint8Array[];
  /** Where the error came from. */
  failedIn: "receive" | "receiveEof" | undefined;
}

const TERMINAL = new Set(["done", "error"]);

/** Tracks parts per ref: at most one end per request, nothing after it. */
export class PartLedger {
  readonly ended = new Map<RequestRef, string>();
  readonly seen = new Set<RequestRef>();

  add(parts: readonly ResponsePart[], where: string): void {
    assert.ok(Array.isArray(parts), `${where}: parts is not an array`);
    for (const p of parts) {
      assert.equal(typeof p.ref, "string", `${where}: part without a ref`);
      assert.ok(!this.ended.has(p.ref), `${where}: ${p.type} part for ${p.ref} after it ended (${this.ended.get(p.ref)})`);
      this.seen.add(p.ref);
      if (p.type === "data") assert.ok(p.data instanceof Uint8Array, `${where}: data part is not a Uint8Array`);
      if (p.type === "error") {
        assert.ok(p.error instanceof HTTPError || p.error instanceof TransportError, `${where}: error part carries ${String(p.error)}`);
      }
      if (TERMINAL.has(p.type)) this.ended.set(p.ref, p.type);
    }
  }
}

export interface DriveOptions {
  /** Feed the peer's EOF after the chunks when the engine is still open. */
  eof?: boolean;
  /** Refs that must each end once the engine is closed (requests in flight). */
  refs?: readonly RequestRef[];
  /**
   * Whether a connection error thrown by receive() must end every request in flight with an
   * `error` part (the HTTP/1 engine does; the HTTP/2 engine, like Mint, reports only the
   * connection error). Default true.
   */
  endAllOnError?: boolean;
  /** A request to try once the engine has failed; must throw HTTPError closed. */
  retry?: (engine: Engine) => unknown;
}

/** Feeds `chunks` then (optionally) EOF to `engine`, checking the contract. */
export function drive(engine: Engine, chunks: readonly Uint8Array[], opts: DriveOptions = {}): DriveResult {
  const ledger = new PartLedger();
  const parts: ResponsePart[] = [];
  const outgoing: Uint8Array[] = [];
  let error: MintError | undefined;
  let failedIn: DriveResult["failedIn"];
  const drain = (): void => {
    for (const b of engine.takeOutgoing()) outgoing.push(b);
  };
  drain();
  for (const [i, chunk] of chunks.entries()) {
    const t0 = performance.now();
    try {
      const got = engine.receive(chunk);
      ledger.add(got, `receive #${i}`);
      parts.push(...got);
    } catch (err) {
      assertMintError(err, `receive #${i}`);
      error = err;
      failedIn = "receive";
    }
    const took = performance.now() - t0;
    if (took > RUN_BUDGET_MS) throw new Error(`receive #${i} (${chunk.length} bytes) took ${took.toFixed(0)} ms`);
    drain();
    if (error !== undefined) break;
    if (!engine.isOpen("read")) break;
  }
  if (error === undefined && opts.eof === true && engine.isOpen("read")) {
    try {
      const got = engine.receiveEof();
      ledger.add(got, "receiveEof");
      parts.push(...got);
    } catch (err) {
      assertMintError(err, "receiveEof", true);
      error = err;
      failedIn = "receiveEof";
    }
    drain();
  }
  if (error !== undefined) {
    assert.ok(Array.isArray(error.parts ?? []), "error.parts must be an array when set");
    ledger.add(error.parts ?? [], `${failedIn} error.parts`);
    parts.push(...(error.parts ?? []));
    checkClosed(engine, opts);
  }
  const closedForGood = error !== undefined ? failedIn === "receiveEof" || opts.endAllOnError !== false : opts.eof === true;
  if (closedForGood && opts.refs !== undefined) {
    for (const ref of opts.refs) {
      assert.ok(ledger.ended.has(ref), `request ${ref} never ended (error: ${error?.reason ?? "none"}, parts: ${summarize(parts)})`);
    }
  }
  return { parts, error, outgoing, failedIn };
}

/** After a connection error: closed both ways, requests refused with `closed`, receive inert. */
export function checkClosed(engine: Engine, opts: DriveOptions = {}): void {
  assert.equal(engine.isOpen("read"), false, "isOpen('read') after a connection error");
  assert.equal(engine.isOpen("write"), false, "isOpen('write') after a connection error");
  const retry = opts.retry ?? ((e: Engine) => e.request("GET", "/", [], null));
  assert.throws(() => retry(engine), (e: unknown) => e instanceof HTTPError && e.reason === "closed", "request() after a connection error");
  try {
    const got = engine.receive(new Uint8Array([0x48, 0x54, 0x54, 0x50, 0x0d, 0x0a]));
    assert.deepEqual(got, [], "receive() after a connection error returned parts");
  } catch (err) {
    assert.ok(err instanceof MintError, `receive() after a connection error threw ${String(err)}`);
  }
}

export function summarize(parts: readonly ResponsePart[]): string {
  return parts.map((p) => `${p.type}${p.type === "error" ? `(${p.error.reason})` : ""}@${p.ref}`).join(" ").slice(0, 400);
}
