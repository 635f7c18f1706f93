// Exchanges the interop tests run against every server: a GET that must succeed, many GETs
// at once, the 32 MiB download and HEAD of it, an upload that follows the send window, the
// oversized header section, a body read across active/passive switches, and the checks that
// a closed connection refuses requests. Each helper asserts what any server must get right;
// what differs between servers stays in the tests.

import assert from "node:assert/strict";
import { EOF, MintError, type Connection, type Headers, type RequestRef, type ResponsePart } from "../../../src/index.js";
import { collectActive, header, responseOf, type Response } from "../../support/collect.js";
import { BIG_HEADERS, bigHeaderValue, DOC_FILES, largeBody } from "./servers.js";

/** One request with no body; asserts that it ended without an error. */
export async function get(conn: Connection, path: string, method = "GET", headers: Headers = [], timeoutMs = 15_000): Promise<Response> {
  const ref = conn.request(method, path, headers, null);
  const r = responseOf(await collectActive(conn, [ref], timeoutMs), ref);
  assert.equal(r.error, undefined, String(r.error));
  assert.equal(r.done, true);
  return r;
}

/**
 * GET every path at once (pipelined on HTTP/1, concurrent streams on HTTP/2) and return the
 * responses in the order of `paths`. `sent` sees the refs before any response is read.
 */
export async function getAll(conn: Connection, paths: string[], timeoutMs = 15_000, sent?: (refs: RequestRef[]) => void): Promise<Response[]> {
  const refs = paths.map((p) => conn.request("GET", p, [], null));
  sent?.(refs);
  const parts = await collectActive(conn, refs, timeoutMs);
  return refs.map((ref) => responseOf(parts, ref));
}

/** The parts of `refs` until they end or the connection closes (then what came before). */
export function collectUntilClosed(conn: Connection, refs: RequestRef[]): Promise<ResponsePart[]> {
  return collectActive(conn, refs).catch((e: Error & { parts?: ResponsePart[] }) => e.parts ?? []);
}

/** GET `/large.bin` and check it is the 32 MiB file: status, content-length, length and bytes. */
export async function downloadLarge(conn: Connection): Promise<Response> {
  const r = await get(conn, DOC_FILES.large);
  assert.equal(r.status, 200);
  assert.equal(header(r.headers, "content-length"), String(DOC_FILES.largeSize));
  assert.equal(r.body.length, DOC_FILES.largeSize);
  assert.ok(r.body.equals(largeBody()), "the 32 MiB body differs from the file");
  return r;
}

/** HEAD `/large.bin`: status 200, the file's content-length and no data part. */
export async function headLarge(conn: Connection): Promise<Response> {
  const ref = conn.request("HEAD", DOC_FILES.large, [], null);
  const parts = await collectActive(conn, [ref]);
  const r = responseOf(parts, ref);
  assert.equal(r.status, 200);
  assert.equal(header(r.headers, "content-length"), String(DOC_FILES.largeSize));
  assert.equal(parts.filter((p) => p.ref === ref && p.type === "data").length, 0);
  return r;
}

/** GET `/bigheaders/small.txt` and check every `x-big-<i>` field and the body. */
export async function getBigHeaders(conn: Connection): Promise<void> {
  const r = await get(conn, `/bigheaders${DOC_FILES.small}`);
  for (let i = 1; i <= BIG_HEADERS; i++) assert.equal(header(r.headers, `x-big-${i}`), bigHeaderValue(i));
  assert.equal(r.body.toString(), DOC_FILES.smallText);
}

/** Resolve on the next "window" event (the send window grew), reject if the connection closes. */
export function nextWindow(conn: Connection, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error("no WINDOW_UPDATE came")), timeoutMs);
    const onWindow = (): void => done();
    const onClosed = (err?: Error): void => done(err ?? new Error("connection closed while waiting for the send window"));
    function done(err?: Error): void {
      clearTimeout(timer);
      conn.off("window", onWindow);
      conn.off("closed", onClosed);
      if (err) reject(err);
      else resolve();
    }
    conn.on("window", onWindow);
    conn.on("closed", onClosed);
  });
}

/**
 * Stream `body` in chunks of at most `maxChunk`, never beyond requestBodyWindow (waiting for
 * the window to grow when it is 0), then EOF. Returns how often it had to wait.
 */
export async function uploadWithinWindow(conn: Connection, ref: RequestRef, body: Uint8Array, maxChunk: number): Promise<number> {
  let off = 0;
  let waits = 0;
  while (off < body.length) {
    const window = conn.requestBodyWindow(ref);
    if (window === 0) {
      waits++;
      await nextWindow(conn);
      continue;
    }
    const n = Math.min(window, body.length - off, maxChunk);
    conn.streamRequestBody(ref, body.subarray(off, off + n));
    off += n;
  }
  conn.streamRequestBody(ref, EOF);
  return waits;
}

/**
 * Collect "parts" events until `until(seen)` holds (the listener is removed then), or reject
 * with `message` after `timeoutMs`.
 */
export function partsUntil(conn: Connection, until: (seen: ResponsePart[]) => boolean, timeoutMs: number, message: string): Promise<ResponsePart[]> {
  return new Promise((resolve, reject) => {
    const seen: ResponsePart[] = [];
    const timer = setTimeout(() => {
      conn.off("parts", onParts);
      reject(new Error(message));
    }, timeoutMs);
    function onParts(batch: ResponsePart[]): void {
      seen.push(...batch);
      if (until(seen)) {
        clearTimeout(timer);
        conn.off("parts", onParts);
        resolve(seen);
      }
    }
    conn.on("parts", onParts);
  });
}

/**
 * Read the response to `ref` (a large body) in three stretches: active until the first data
 * part, then setMode("passive") and recv until at least `passiveBytes` of data came, then
 * setMode("active") to the end. Returns every part seen, in order.
 */
export async function readAcrossModeSwitches(conn: Connection, ref: RequestRef, passiveBytes = 4 * 1024 * 1024): Promise<ResponsePart[]> {
  const seen: ResponsePart[] = [];
  await new Promise<void>((resolve) => {
    const onParts = (batch: ResponsePart[]): void => {
      seen.push(...batch);
      if (seen.some((p) => p.type === "data")) {
        // Switched inside the handler, so no later batch reaches an active listener.
        conn.off("parts", onParts);
        conn.setMode("passive");
        resolve();
      }
    };
    conn.on("parts", onParts);
  });
  let received = 0;
  while (received < passiveBytes) {
    const batch = await conn.recv(0, 5000);
    for (const p of batch) if (p.type === "data") received += p.data.length;
    seen.push(...batch);
  }
  const rest = collectActive(conn, [ref], 15_000);
  conn.setMode("active");
  seen.push(...(await rest));
  return seen;
}

/** A new request on `conn` throws MintError "closed". */
export function assertRefusesRequests(conn: Connection): void {
  assert.throws(
    () => conn.request("GET", DOC_FILES.small, [], null),
    (e: unknown) => e instanceof MintError && e.reason === "closed",
  );
}

/** Run `fn` on the connection `connecting` resolves to, and close it whatever happens. */
export async function withConnection(connecting: Promise<Connection>, fn: (conn: Connection) => Promise<unknown>): Promise<void> {
  const conn = await connecting;
  try {
    await fn(conn);
  } finally {
    await conn.close();
  }
}
