// What `mint-http load` prints: the live progress line (on a terminal) and the summary,
// as text for people or as one JSON object (--json) for programs.

import type { LoadOptions } from "./load-args.js";
import type { LoadProgress, LoadResult } from "./load-run.js";
import { formatBytes } from "./progress.js";

/** The percentiles reported, in percent. */
export const PERCENTILES = [50, 90, 99, 99.9] as const;

/** The summary as a plain object (the --json output). Latencies in milliseconds. */
export function summaryObject(opts: LoadOptions, r: LoadResult): Record<string, unknown> {
  const seconds = r.elapsedMs / 1000;
  const ms = (us: number): number => Math.round(us) / 1000;
  let errors = 0;
  for (const n of r.errors.values()) errors += n;
  const latency: Record<string, number> = {
    min: ms(r.latency.count === 0 ? 0 : r.latency.min),
    mean: ms(r.latency.mean()),
  };
  for (const p of PERCENTILES) latency[`p${p}`] = ms(r.latency.percentile(p));
  latency.max = ms(r.latency.max);
  return {
    url: opts.url.href,
    protocol: r.protocol || null,
    connections: opts.connections,
    inFlightPerConnection: opts.inFlight,
    rate: opts.rate ?? null,
    durationSeconds: round(seconds, 3),
    requests: r.completed,
    responses: r.responses,
    errors,
    requestsPerSecond: round(seconds > 0 ? r.completed / seconds : 0, 1),
    bytesPerSecond: Math.round(seconds > 0 ? r.socketBytes / seconds : 0),
    bodyBytes: r.bodyBytes,
    socketBytes: r.socketBytes,
    connects: r.connects,
    statusCodes: Object.fromEntries([...r.statuses].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v])),
    errorReasons: Object.fromEntries([...r.errors].sort((a, b) => b[1] - a[1])),
    latencyMs: latency,
  };
}

/** The summary for people. */
export function summaryText(opts: LoadOptions, r: LoadResult): string {
  const s = summaryObject(opts, r) as {
    durationSeconds: number; requests: number; responses: number; errors: number; requestsPerSecond: number;
    bytesPerSecond: number; connects: number; statusCodes: Record<string, number>;
    errorReasons: Record<string, number>; latencyMs: Record<string, number>;
  };
  const mode = opts.rate !== undefined ? `open loop at ${opts.rate} req/s` : "closed loop";
  const lines = [
    `${opts.method} ${opts.url.href} over ${r.protocol === "http2" ? "HTTP/2" : r.protocol === "http1" ? "HTTP/1.1" : "no connection"}, ` +
      `${opts.connections} connection(s) x ${opts.inFlight} in flight, ${mode}`,
    "",
    `  requests     ${s.requests} in ${s.durationSeconds.toFixed(2)} s  (${s.responses} responses, ${s.errors} errors, ${s.connects} connects)`,
    `  throughput   ${s.requestsPerSecond.toFixed(1)} req/s, ${formatBytes(s.bytesPerSecond)}/s read`,
    `  status       ${Object.entries(s.statusCodes).map(([k, v]) => `${k}: ${v}`).join(", ") || "none"}`,
  ];
  if (s.errors > 0) lines.push(`  errors       ${Object.entries(s.errorReasons).map(([k, v]) => `${k}: ${v}`).join(", ")}`);
  const l = s.latencyMs;
  lines.push(
    `  latency      min ${fmtMs(l.min!)}  mean ${fmtMs(l.mean!)}  max ${fmtMs(l.max!)}`,
    `               p50 ${fmtMs(l.p50!)}  p90 ${fmtMs(l.p90!)}  p99 ${fmtMs(l.p99!)}  p99.9 ${fmtMs(l["p99.9"]!)}`,
  );
  return `${lines.join("\n")}\n`;
}

/** The live progress line. */
export function progressText(p: LoadProgress, total: number | undefined): string {
  const seconds = p.elapsedMs / 1000;
  const rate = seconds > 0 ? p.completed / seconds : 0;
  const of = total !== undefined ? `/${total}` : "";
  return `${seconds.toFixed(0)}s  ${p.completed}${of} requests  ${rate.toFixed(0)} req/s  ${p.errors} errors`;
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 3 : 1)} ms`;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
