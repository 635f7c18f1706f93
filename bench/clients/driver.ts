// Shared by every contender process: reads the job the parent passed as argv[2], runs a
// closed loop for warm-up + measured seconds, and prints one JSON result line on stdout.
//
// A contender calls `meter.done()` for each completed response (or connection, for the TLS
// scenario) and `meter.bytes += n` for each body chunk; it keeps issuing work while
// `meter.running` is true. Only what happens between the end of the warm-up and the end of
// the run is counted.

export type Kind = "requests" | "tls" | "memory";

export interface Job {
  kind: Kind;
  variant: string;
  protocol: "http1" | "http2";
  host: string;
  port: number;
  path: string;
  method: "GET" | "POST";
  bodySize: number;        // request body (uploads), 0 for none
  responseSize: number;    // full response length on the wire, for the raw HTTP/1 ceiling
  connections: number;
  inFlight: number;        // per connection
  resume: boolean;         // TLS session resumption
  ca: string;              // PEM path for the TLS scenarios
  scheme: "http" | "https"; // https: requests over TLS (ALPN), for the pooled HTTP/2 scenario
  seconds: number;
  warmup: number;
}

export const job: Job = JSON.parse(process.argv[2] ?? "{}");

export interface Result {
  reqPerSec?: number;
  mbPerSec?: number;
  connsPerSec?: number;
  bytesPerConn?: number;
  /** Share of the measured window the process spent on the CPU (user + system), 0..1. */
  cpu?: number;
  note?: string;
}

let measuredCpu: number | undefined;

/** Prints the result line the parent reads and exits (sockets are left for the OS to reap). */
export function report(result: Result): never {
  if (measuredCpu !== undefined && result.cpu === undefined) result.cpu = measuredCpu;
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}

/** Prints an error the parent shows in the table and exits non-zero. */
export function fail(err: unknown): never {
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  process.stdout.write(JSON.stringify({ error: msg }) + "\n");
  process.exit(1);
}

process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);

export class Meter {
  running = true;
  count = 0;
  bytes = 0;

  done(): void {
    this.count++;
  }

  /** Runs warm-up then the measured window; resolves with rates over the measured window. */
  async run(): Promise<{ perSec: number; mbPerSec: number }> {
    await sleep(job.warmup * 1000);
    const c0 = this.count, b0 = this.bytes, t0 = performance.now(), u0 = process.cpuUsage();
    await sleep(job.seconds * 1000);
    const c1 = this.count, b1 = this.bytes, t1 = performance.now(), u1 = process.cpuUsage(u0);
    this.running = false;
    const secs = (t1 - t0) / 1000;
    measuredCpu = (u1.user + u1.system) / 1e6 / secs;
    if (c1 === c0 && b1 === b0) throw new Error("no progress during the measured window");
    return { perSec: (c1 - c0) / secs, mbPerSec: (b1 - b0) / secs / 1e6 };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Request body for uploads: one buffer reused for every request. */
export const uploadBody: Buffer = Buffer.alloc(job.bodySize ?? 0, 0x61);

/** Resolves with heapUsed after forcing a full collection (needs --expose-gc). */
export async function heapAfterGc(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(20);
  }
  return process.memoryUsage().heapUsed;
}

/** Runs the memory scenario: `open(n)` opens n connections and finishes one request on each. */
export async function measureMemory(open: (n: number) => Promise<unknown>): Promise<never> {
  await open(1); // load and compile the code paths before the baseline
  const before = await heapAfterGc();
  const held = await open(job.connections);
  const after = await heapAfterGc();
  if (held === undefined) throw new Error("nothing held");
  report({ bytesPerConn: (after - before) / job.connections });
}
