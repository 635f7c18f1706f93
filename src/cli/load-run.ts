// The engine of `mint-http load`: bare connections kept busy, and what they measured.
//
// How it works: one Lane per connection (-c). Each lane owns one Connection in active mode
// and keeps up to -m requests in flight on it (HTTP/2 streams or HTTP/1 pipelined
// requests). Closed loop: each finished request is replaced at once, until -n requests
// have been sent or the -d duration is over. Open loop (--rate): request k is due at
// start + k / rate; a 1 ms ticker (and every completion) sends what is due on lanes with
// room, and a request's latency counts from its due time, so time spent waiting for a
// free lane is in the numbers (no coordinated omission). The backlog is an index, not a
// list, so memory stays bounded whatever the server does.
//
// Failures: an error part, or the connection closing under its requests, counts each
// request once under the error's reason; the lane then reconnects (after 100 ms when
// connecting fails; a run whose first connections all fail stops at the first failure). A request older than the timeout fails as "timeout" and its
// connection is replaced. A request is counted exactly once: response, error or timeout.
//
// Per request the generator does little beyond the connection's own work: the request's
// method, path, header list and body are built once for the run; the clock is read once per
// batch (the requests topped up together leave in one write, the responses handled together
// arrived in one read); status codes are counted in a flat array, turned into a map at the end.

import { connect, MintError, type Connection, type ConnectOptions, type ResponsePart } from "../index.js";
import { Histogram } from "./histogram.js";
import type { LoadOptions } from "./load-args.js";
import { packageVersion } from "./version.js";

/** What a run measured. */
export interface LoadResult {
  /** Wall time of the measured run in ms. */
  elapsedMs: number;
  /** Requests ended: responses plus failures. */
  completed: number;
  responses: number;
  /** Response body bytes. */
  bodyBytes: number;
  /** Bytes read from the sockets (heads, bodies, framing). */
  socketBytes: number;
  statuses: Map<number, number>;
  errors: Map<string, number>;
  latency: Histogram;
  /** Connections opened during the run. */
  connects: number;
  protocol: string;
}

/** A snapshot for the progress line. */
export interface LoadProgress {
  elapsedMs: number;
  completed: number;
  errors: number;
}

const RECONNECT_DELAY_MS = 100;

class Run {
  readonly opts: LoadOptions;
  readonly connectOpts: ConnectOptions;
  readonly path: string;
  readonly headers: Array<[string, string]>;
  readonly result: LoadResult;
  readonly lanes: Lane[] = [];
  readonly startedAt = performance.now();
  running = true;
  /** Requests handed to a connection (or failed before it). */
  sent = 0;
  /** Open loop: index of the next request due. */
  next = 0;
  /** Responses by status code (index), made into `result.statuses` when the run stops. */
  readonly statusCounts = new Float64Array(1000);
  #finish!: () => void;
  readonly finished = new Promise<void>((resolve) => (this.#finish = resolve));

  constructor(opts: LoadOptions) {
    this.opts = opts;
    const url = opts.url;
    this.path = `${url.pathname || "/"}${url.search}`;
    this.headers = [["user-agent", `mint-http/${packageVersion()}`], ["accept", "*/*"], ...opts.headers];
    // -t bounds connecting too.
    const transportOpts: Record<string, unknown> = { timeout: opts.timeoutMs };
    if (opts.insecure) transportOpts.verify = "verify_none";
    if (opts.cacert !== undefined) transportOpts.cacertfile = opts.cacert;
    this.connectOpts = { mode: "active", transportOpts, clientSettings: { enablePush: false } };
    if (opts.protocols !== undefined) this.connectOpts.protocols = opts.protocols;
    this.result = {
      elapsedMs: 0, completed: 0, responses: 0, bodyBytes: 0, socketBytes: 0,
      statuses: new Map(), errors: new Map(), latency: new Histogram(), connects: 0, protocol: "",
    };
  }

  /** May one more request be sent now? Takes it from the budget when so. */
  take(): boolean {
    if (!this.running) return false;
    const n = this.opts.requests;
    if (n !== undefined && this.sent >= n) return false;
    this.sent++;
    return true;
  }

  /** Give back a request taken but not sent. */
  untake(): void {
    this.sent--;
  }

  error(reason: string, count = 1): void {
    this.result.errors.set(reason, (this.result.errors.get(reason) ?? 0) + count);
    this.ended(count);
  }

  ended(count = 1): void {
    this.result.completed += count;
    if (this.opts.requests !== undefined && this.result.completed >= this.opts.requests) this.stop();
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.result.elapsedMs = performance.now() - this.startedAt;
    this.statusCounts.forEach((n, status) => {
      if (n > 0) this.result.statuses.set(status, n);
    });
    for (const lane of this.lanes) lane.drop();
    this.#finish();
  }

  /** Open loop: send what is due, on lanes with room, round robin. */
  pump(): void {
    const rate = this.opts.rate;
    if (rate === undefined || !this.running) return;
    const now = performance.now();
    let due = Math.floor(((now - this.startedAt) * rate) / 1000) + 1;
    if (this.opts.requests !== undefined) due = Math.min(due, this.opts.requests);
    let idle = 0;
    for (let i = 0; this.next < due && idle < this.lanes.length; i = (i + 1) % this.lanes.length) {
      const lane = this.lanes[i]!;
      if (!lane.hasRoom()) {
        idle++;
        continue;
      }
      idle = 0;
      const scheduled = this.startedAt + (this.next * 1000) / rate;
      if (!this.take()) return;
      this.next++;
      lane.send(scheduled);
    }
  }
}

/** One connection slot, reconnected as needed. */
class Lane {
  readonly #run: Run;
  conn: Connection | undefined;
  /** Start time (ms) of each request in flight, oldest first. */
  readonly inFlight = new Map<string, number>();
  #cap: number;
  #connecting = false;

  constructor(run: Run) {
    this.#run = run;
    this.#cap = run.opts.inFlight;
  }

  hasRoom(): boolean {
    return this.conn !== undefined && this.inFlight.size < this.#cap;
  }

  open(): void {
    const run = this.#run;
    if (this.#connecting || !run.running) return;
    this.#connecting = true;
    const url = run.opts.url;
    const scheme = url.protocol === "https:" ? "https" : "http";
    const port = url.port !== "" ? Number(url.port) : scheme === "https" ? 443 : 80;
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    connect(scheme, host, port, run.connectOpts).then(
      (conn) => {
        this.#connecting = false;
        if (!run.running) {
          void conn.close();
          return;
        }
        run.result.connects++;
        run.result.protocol ||= conn.protocol;
        this.#cap = run.opts.inFlight;
        this.conn = conn;
        conn.on("parts", (parts: ResponsePart[]) => this.#onParts(conn, parts));
        conn.on("closed", (err?: Error) => {
          if (conn === this.conn) this.#lost(err, "closed");
        });
        if (run.opts.rate === undefined) this.fill();
        else run.pump();
      },
      (err: unknown) => {
        this.#connecting = false;
        // A failed connect costs one request of the budget, so that -n ends against a dead
        // server; when no connection has opened at all, the target is not there: stop.
        if (run.take()) run.error(reasonOf(err, "connect_failed"));
        if (run.result.connects === 0) run.stop();
        if (run.running) setTimeout(() => this.open(), RECONNECT_DELAY_MS).unref();
      },
    );
  }

  /** Closed loop: top the connection up to its in-flight limit. */
  fill(): void {
    if (!this.hasRoom()) return;
    // Sent in the same tick, these requests leave in one write: one clock read for all.
    const now = performance.now();
    while (this.hasRoom() && this.#run.take()) {
      if (!this.send(now)) return;
    }
  }

  /** Send one request (already taken from the budget), timed from `start`. */
  send(start: number): boolean {
    const run = this.#run;
    const conn = this.conn!;
    try {
      const ref = conn.request(run.opts.method, run.path, run.headers, run.opts.body);
      this.inFlight.set(ref, start);
      return true;
    } catch (err) {
      if (err instanceof MintError && err.reason === "too_many_concurrent_requests") {
        // RFC 9113 §5.1.2: the server's stream limit is lower than -m; keep to it.
        run.untake();
        if (run.opts.rate !== undefined) run.next--;
        this.#cap = Math.max(1, this.inFlight.size);
        return false;
      }
      run.error(reasonOf(err, "request_failed"));
      return false;
    }
  }

  #onParts(conn: Connection, parts: ResponsePart[]): void {
    if (conn !== this.conn) return;
    const run = this.#run;
    const result = run.result;
    let freed = false;
    // Responses in one batch arrived in one read: one clock read for all of them.
    let now = -1;
    const statusCounts = run.statusCounts;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      switch (part.type) {
        case "data":
          result.bodyBytes += part.data.length;
          break;
        case "status":
          if (part.status >= 200 && part.status < 1000) statusCounts[part.status]! += 1;
          break;
        case "done": {
          const start = this.inFlight.get(part.ref);
          if (start === undefined) break;
          this.inFlight.delete(part.ref);
          if (now < 0) now = performance.now();
          result.latency.record((now - start) * 1000);
          result.responses++;
          freed = true;
          run.ended();
          break;
        }
        case "error":
          if (!this.inFlight.delete(part.ref)) break;
          freed = true;
          if (this.#unprocessed(part.error)) run.untake();
          else run.error(reasonOf(part.error, "request_failed"));
          break;
        default:
          break;
      }
      if (!run.running) return;
    }
    if (freed && run.running) {
      if (!conn.isOpen("write")) this.#lost(undefined, "closed");
      else if (run.opts.rate === undefined) this.fill();
      else run.pump();
    }
  }

  /**
   * Closed loop: a request the server provably did not process is sent again rather than
   * counted. RFC 9113 §8.7: REFUSED_STREAM (sent before the server's stream limit arrived:
   * keep to what it allowed) and streams above a GOAWAY's last stream id are unprocessed.
   */
  #unprocessed(err: MintError): boolean {
    if (this.#run.opts.rate !== undefined) return false;
    if (err.reason === "unprocessed") return true;
    if (err.reason !== "server_closed_request" || err.details?.errorCode !== "refused_stream") return false;
    if (this.#cap <= 1) return false; // refused even alone: a failure, or -n would never end
    this.#cap = Math.max(1, this.inFlight.size);
    return true;
  }

  /** The connection is gone (or given up): fail what was in flight on it, then reconnect. */
  #lost(err: Error | undefined, fallback: string): void {
    const run = this.#run;
    const failed = this.inFlight.size;
    this.drop();
    if (failed > 0) run.error(reasonOf(err, fallback), failed);
    if (run.running) this.open();
  }

  /** Fail the in-flight requests as timeouts when the oldest is older than `timeoutMs`. */
  checkTimeout(now: number, timeoutMs: number): void {
    for (const start of this.inFlight.values()) {
      if (now - start >= timeoutMs) this.#lost(undefined, "timeout");
      return;
    }
  }

  /** Forget and close the connection; requests still in flight are no longer counted. */
  drop(): void {
    const conn = this.conn;
    this.conn = undefined;
    this.inFlight.clear();
    if (conn === undefined) return;
    this.#run.result.socketBytes += conn.getSocket().bytesRead;
    void conn.close().catch(() => {});
  }
}

function reasonOf(err: unknown, fallback: string): string {
  if (err instanceof MintError) return err.reason;
  return fallback;
}

/**
 * Run the load described by `opts`; `onProgress` is called once a second when given.
 * Never rejects: failures are counted in the result's `errors`.
 */
export async function runLoad(opts: LoadOptions, onProgress?: (p: LoadProgress) => void): Promise<LoadResult> {
  const run = new Run(opts);
  for (let i = 0; i < opts.connections; i++) run.lanes.push(new Lane(run));
  for (const lane of run.lanes) lane.open();
  const timers: NodeJS.Timeout[] = [];
  if (opts.requests === undefined) timers.push(setTimeout(() => run.stop(), opts.durationMs));
  if (opts.rate !== undefined) timers.push(setInterval(() => run.pump(), 1));
  const sweep = Math.max(10, Math.min(1000, opts.timeoutMs / 4));
  timers.push(setInterval(() => {
    const now = performance.now();
    for (const lane of run.lanes) lane.checkTimeout(now, opts.timeoutMs);
  }, sweep));
  if (onProgress !== undefined) {
    timers.push(setInterval(() => {
      let errors = 0;
      for (const n of run.result.errors.values()) errors += n;
      onProgress({ elapsedMs: performance.now() - run.startedAt, completed: run.result.completed, errors });
    }, 1000));
  }
  await run.finished;
  for (const t of timers) clearInterval(t);
  return run.result;
}
