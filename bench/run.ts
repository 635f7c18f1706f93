// `npm run bench`: runs every contender of every scenario in a fresh process against the
// same server, alternating contenders round by round (A B C A B C ...), and prints per
// scenario the median, the min–max and the ratio to the scenario's reference; scenarios
// with a C load generator (wrk, h2load; bench/external.ts) installed add a "vs C client" ratio.
//
// Environment: BENCH_SECONDS (2), BENCH_WARMUP (0.5), BENCH_ROUNDS (3),
// BENCH_FILTER=<substring>[,<substring>] (scenario or contender id/label),
// BENCH_ALL=1 (also the extra contenders), BENCH_LARGE_MB (256), BENCH_IDLE_CONNS (500),
// BENCH_PROFILE=<dir> (CPU profiles of the mint-http runs).
import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import { SCENARIOS, CONTENDERS, type Scenario } from "./scenarios.js";
import { spawnTs, firstJsonLine, startTarget, certificate, pinning, type Target } from "./targets.js";
import { findTool, runExternal } from "./external.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 0.5);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const FILTERS = (process.env.BENCH_FILTER ?? "").split(",").map((f) => f.trim().toLowerCase()).filter(Boolean);
const ALL = process.env.BENCH_ALL === "1";

const has = (text: string) => FILTERS.some((f) => text.toLowerCase().includes(f));

/** The contenders of a scenario that this run includes. */
function selected(s: Scenario): string[] {
  const scenarioMatches = FILTERS.length === 0 || has(s.id) || has(s.title);
  const named = (id: string) => has(id) || has(CONTENDERS[id]?.label ?? "");
  const ids = [...s.contenders, ...(s.extra ?? [])].filter((id) => {
    const isExtra = !s.contenders.includes(id);
    if (scenarioMatches) return !isExtra || ALL || (FILTERS.length > 0 && named(id));
    return named(id);
  });
  // the reference always runs with the others, so that the ratios mean something
  if (ids.length > 0 && !ids.includes(s.reference)) ids.push(s.reference);
  // and so does the C client, when installed
  if (ids.length > 0 && s.cClient !== undefined && findTool(s.cClient) !== null) ids.push(s.cClient);
  return ids;
}

type Outcome = ({ value: number } | { error: string }) & { resumed?: number; cpu?: number };

/** Runs one contender once in its own process and reads its result line. */
async function runOnce(s: Scenario, id: string, target: Target): Promise<Outcome> {
  const c = CONTENDERS[id]!;
  const listeners = s.server === "h1" || s.server === "h1tls"; // one port per response
  const port = listeners ? target.info[s.target] : target.info.port;
  if (c.file === "wrk" || c.file === "h2load") {
    const url = `http://127.0.0.1:${port}${listeners ? "/" : s.target}`;
    const job = { tool: c.file, url, connections: s.connections, inFlight: s.inFlight, seconds: SECONDS, warmup: WARMUP };
    return runExternal(findTool(c.file)!, job).then((r) => r, (err: Error) => ({ error: err.message }));
  }
  const job = {
    kind: s.kind, variant: c.variant, protocol: s.protocol, host: "127.0.0.1", port,
    path: listeners ? "/" : s.target, method: s.method ?? "GET", bodySize: s.bodySize ?? 0,
    responseSize: target.info.sizes?.[s.target] ?? 0, connections: s.connections, inFlight: s.inFlight,
    resume: s.resume ?? false, scheme: s.scheme ?? "http",
    ca: s.kind === "tls" || s.scheme === "https" || s.server === "h2tls" ? path.join(certificate(), "cert.pem") : "",
    seconds: SECONDS, warmup: WARMUP,
  };
  const flags = s.kind === "memory" ? ["--expose-gc"] : [];
  // BENCH_PROFILE=<dir>: each mint-http run writes a V8 CPU profile there (see bench/profile-summary.ts).
  if (process.env.BENCH_PROFILE && c.file === "mint") flags.push("--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE)}`);
  const child = spawnTs(1, `clients/${c.file}.ts`, [JSON.stringify(job)], flags);
  const timer = setTimeout(() => child.kill("SIGKILL"), (SECONDS + WARMUP) * 1000 + 60_000);
  try {
    const line = await firstJsonLine(child, c.label);
    if (line.error) return { error: String(line.error) };
    const value = line.reqPerSec ?? line.mbPerSec ?? line.connsPerSec ?? line.bytesPerConn;
    const pick = { "req/s": line.reqPerSec, "MB/s": line.mbPerSec, "conns/s": line.connsPerSec, "bytes/conn": line.bytesPerConn }[s.unit];
    return { value: pick ?? value, ...(typeof line.cpu === "number" ? { cpu: line.cpu } : {}) };
  } catch (err) {
    return { error: (err as Error).message.split("\n").slice(0, 3).join(" ") };
  } finally {
    clearTimeout(timer);
    // A profiled run writes its profile as it exits: let it.
    if (flags.includes("--cpu-prof") && child.exitCode === null) await new Promise((r) => child.once("exit", r));
    child.kill();
  }
}

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
};
const fmt = (x: number, unit: string) =>
  unit === "MB/s" ? x.toFixed(0) : Math.round(x).toLocaleString("en-US");

function printTable(s: Scenario, ids: string[], results: Map<string, Outcome[]>): void {
  const ok = (id: string) => (results.get(id) ?? []).flatMap((o) => ("value" in o ? [o.value] : []));
  const failures: string[] = [];
  const ref = ok(s.reference).length ? median(ok(s.reference)) : NaN;
  // The C client's median, when it ran: a second ratio column.
  const cId = s.cClient !== undefined && ids.includes(s.cClient) ? s.cClient : undefined;
  const cRef = cId !== undefined && ok(cId).length ? median(ok(cId)) : NaN;
  const header = ["contender", `median ${s.unit}`, "min–max", `vs ${CONTENDERS[s.reference]!.label}`];
  const rows: string[][] = [cId !== undefined ? [...header, "vs C client"] : header];
  for (const id of ids) {
    const values = ok(id);
    const label = CONTENDERS[id]!.label;
    if (values.length === 0) {
      const err = results.get(id)!.find((o): o is { error: string } => "error" in o);
      rows.push(cId !== undefined ? [label, "failed", "-", "-", "-"] : [label, "failed", "-", "-"]);
      failures.push(`  ${label}: ${err?.error ?? "no result"}`);
      continue;
    }
    const med = median(values);
    const ratio = Number.isNaN(ref) ? "n/a" : `${(med / ref).toFixed(2)}x`;
    const range = `${fmt(Math.min(...values), s.unit)}–${fmt(Math.max(...values), s.unit)}`;
    const row = [label, fmt(med, s.unit), range, ratio];
    if (cId !== undefined) row.push(Number.isNaN(cRef) ? "n/a" : `${(med / cRef).toFixed(2)}x`);
    rows.push(row);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(`\n${s.id}: ${s.title}`);
  for (const [i, r] of rows.entries()) {
    console.log("  " + r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join("   ").trimEnd());
    if (i === 0) console.log("  " + widths.map((w) => "-".repeat(w)).join("   "));
  }
  for (const f of failures) console.log(f.slice(0, 200));
  if (s.cClient !== undefined && cId === undefined) console.log(`  ${s.cClient} is not installed: no C client in this scenario`);
  if (s.kind !== "memory") {
    // A client below 100% CPU was waiting on the server (or the machine), so its rate is not
    // its own limit; its CPU time per request (per GB for downloads, per connection for the
    // TLS scenarios) is, and moves less.
    const perGB = s.unit === "MB/s";
    const unit = perGB ? "GB" : s.kind === "tls" ? "connection" : "request";
    const cost = (id: string) => {
      const c = (results.get(id) ?? []).flatMap((o) => ("value" in o && o.cpu !== undefined && o.value > 0 ? [o.cpu, o.cpu / o.value] : []));
      if (c.length === 0) return `${CONTENDERS[id]!.label} ?`;
      const busy = median(c.filter((_, i) => i % 2 === 0)), per = median(c.filter((_, i) => i % 2 === 1));
      return `${CONTENDERS[id]!.label} ${Math.round(100 * busy)}%, ${perGB ? `${(per * 1000).toFixed(2)} s/GB` : `${(per * 1e6).toFixed(1)} µs/${unit === "request" ? "req" : "conn"}`}`;
    };
    console.log(`  client CPU (busy, per ${unit}; medians): ${ids.map(cost).join("; ")}`);
  }
  if (s.kind === "tls") {
    const share = (id: string) => {
      const r = (results.get(id) ?? []).map((o) => o.resumed ?? 0);
      return `${CONTENDERS[id]!.label} ${Math.round((100 * r.reduce((a, b) => a + b, 0)) / Math.max(1, r.length))}%`;
    };
    console.log(`  handshakes resumed (server side): ${ids.map(share).join(", ")}`);
  }
}

function describeMachine(): string {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.existsSync("/proc/cpuinfo") ? fs.readFileSync("/proc/cpuinfo", "utf8") : "")?.[1]
    ?? os.cpus()[0]?.model ?? "unknown CPU";
  const load = os.loadavg().map((l) => l.toFixed(1)).join(" ");
  return `${os.cpus().length} x ${cpu}, ${os.platform()} ${os.release()}, Node ${process.version}; ${pinning}; load average ${load}`;
}

async function main(): Promise<void> {
  console.log(`mint-http benchmark — ${describeMachine()}`);
  console.log(`${ROUNDS} rounds of ${SECONDS}s (+${WARMUP}s warm-up) per contender, alternating; medians shown`);
  const started = Date.now();
  const targets = new Map<string, Target | string>();
  for (const s of SCENARIOS) {
    const ids = selected(s);
    if (ids.length === 0) continue;
    if (!targets.has(s.server)) targets.set(s.server, await startTarget(s.server).catch((e: Error) => e.message));
    const target = targets.get(s.server)!;
    if (typeof target === "string") {
      console.log(`\n${s.id}: skipped (${target})`);
      continue;
    }
    const results = new Map(ids.map((id) => [id, [] as Outcome[]]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const id of ids) {
        await target.stats?.(); // reset the server's handshake counters
        const outcome = await runOnce(s, id, target);
        const hs = await target.stats?.();
        if (hs) outcome.resumed = hs.resumed / Math.max(1, hs.full + hs.resumed);
        results.get(id)!.push(outcome);
      }
    }
    printTable(s, ids, results);
  }
  for (const t of targets.values()) if (typeof t !== "string") t.stop();
  console.log(`\ndone in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

await main();
