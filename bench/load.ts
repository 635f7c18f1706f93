// `npm run bench:load`: `mint-http load` side by side with the established load generators
// against the same local server: autocannon (Node, HTTP/1.1 only; against the raw responder
// of bench/servers/h1.ts and, when installed, nginx) and, when installed, h2load (nghttp2,
// C) over HTTP/2 cleartext (nghttpd). Each run is its own process (client on CPU 1,
// server on CPU 0 when taskset is there), contenders alternate round by round, and the
// table shows each one's median requests/s, its ratio to the reference tool, and the ratio
// round by round.
//
// `mint-http load` runs as an installed command does: compiled JavaScript (bundled once with
// esbuild, which tsx brings, into build/), not through the tsx loader, whose hooks thread
// would share the client's pinned CPU. Without esbuild (or with BENCH_CLI=tsx) it runs
// through tsx, and says so.
//
// Environment: BENCH_SECONDS (3), BENCH_ROUNDS (2), BENCH_CLI (compiled | tsx).
import { spawnPinned, startTarget, ROOT, pinning, type Target } from "./targets.js";
import { rmSync } from "node:fs";
import path from "node:path";
import os from "node:os";

const SECONDS = Math.max(1, Math.round(Number(process.env.BENCH_SECONDS ?? 3)));
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const CLI_SOURCE = path.join(ROOT, "src/cli/main.ts");
/** How to start the command: node arguments before `load`. */
let cli: string[] = ["--import", "tsx", CLI_SOURCE];

/** Bundle the command into build/ (two folders below the root, as dist/cli/main.js, so it finds package.json). */
async function buildCLI(): Promise<string> {
  if (process.env.BENCH_CLI === "tsx") return "through tsx (BENCH_CLI=tsx)";
  try {
    const esbuild = (await import("esbuild")) as { build(o: Record<string, unknown>): Promise<unknown> };
    const dir = path.join(ROOT, "build", `bench-load-${process.pid}`);
    const file = path.join(dir, "main.mjs");
    await esbuild.build({ entryPoints: [CLI_SOURCE], bundle: true, platform: "node", format: "esm", target: "es2022", outfile: file, logLevel: "error" });
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    cli = [file];
    return "compiled with esbuild";
  } catch (err) {
    return `through tsx (esbuild unavailable: ${(err as Error).message})`;
  }
}
const AUTOCANNON = path.join(ROOT, "node_modules/autocannon/autocannon.js");

interface Contender {
  label: string;
  /** Command and arguments for a URL. */
  command(url: string): [string, string[]];
  /** Requests/s from the process's stdout. */
  parse(stdout: string): number;
}

interface LoadScenario {
  title: string;
  server: "h1" | "nginx" | "nghttpd";
  path: string;
  connections: number;
  inFlight: number;
  reference: Contender;
  mint: Contender;
}

const mint = (c: number, m: number, h2: boolean): Contender => ({
  label: "mint-http load",
  command: (url) => [process.execPath, [...cli, "load", ...(h2 ? ["--http2-prior-knowledge"] : []), "-c", String(c), "-m", String(m), "-d", `${SECONDS}s`, "--json", url]],
  parse: (out) => (JSON.parse(out) as { requestsPerSecond: number }).requestsPerSecond,
});

const autocannon = (c: number, p: number): Contender => ({
  label: "autocannon",
  command: (url) => [process.execPath, [AUTOCANNON, "-c", String(c), "-p", String(p), "-d", String(SECONDS), "--json", url]],
  parse: (out) => {
    const r = JSON.parse(out.slice(out.indexOf("{"))) as { requests: { total: number }; duration: number };
    return r.requests.total / r.duration;
  },
});

const h2load = (c: number, m: number): Contender => ({
  label: "h2load",
  command: (url) => ["h2load", ["-c", String(c), "-m", String(m), "-D", String(SECONDS), url]],
  parse: (out) => {
    const m = /finished in [\d.]+s, ([\d.]+) req\/s/.exec(out);
    if (m === null) throw new Error(`h2load said: ${out.slice(0, 200)}`);
    return Number(m[1]);
  },
});

const SCENARIOS: LoadScenario[] = [
  { title: "HTTP/1.1, 10 connections x 1 request in flight", server: "h1", path: "/", connections: 10, inFlight: 1, reference: autocannon(10, 1), mint: mint(10, 1, false) },
  { title: "HTTP/1.1, 10 connections x 10 pipelined", server: "h1", path: "/", connections: 10, inFlight: 10, reference: autocannon(10, 10), mint: mint(10, 10, false) },
  { title: "HTTP/1.1 (nginx), 10 connections x 1 request in flight", server: "nginx", path: "/", connections: 10, inFlight: 1, reference: autocannon(10, 1), mint: mint(10, 1, false) },
  { title: "HTTP/2 h2c, 1 connection x 100 streams", server: "nghttpd", path: "/small", connections: 1, inFlight: 100, reference: h2load(1, 100), mint: mint(1, 100, true) },
  { title: "HTTP/2 h2c, 4 connections x 50 streams", server: "nghttpd", path: "/small", connections: 4, inFlight: 50, reference: h2load(4, 50), mint: mint(4, 50, true) },
];

function run(c: Contender, url: string): Promise<number> {
  const [cmd, args] = c.command(url);
  const child = spawnPinned(1, cmd, args);
  let out = "", err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d));
  child.stderr!.on("data", (d: Buffer) => (err += d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      try {
        if (code !== 0) throw new Error(`${c.label} exited ${code}: ${err.slice(0, 200)}`);
        resolve(c.parse(out));
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
};
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

async function main(): Promise<void> {
  console.log(`mint-http load vs autocannon / h2load — ${os.cpus().length} CPUs, Node ${process.version}; ${pinning}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  console.log(`${ROUNDS} rounds of ${SECONDS}s per contender, alternating; medians shown; mint-http ${await buildCLI()}`);
  const targets = new Map<string, Target | string>();
  for (const s of SCENARIOS) {
    if (!targets.has(s.server)) targets.set(s.server, await startTarget(s.server).catch((e: Error) => e.message));
    const target = targets.get(s.server)!;
    if (typeof target === "string") {
      console.log(`\n${s.title}: skipped (${target})`);
      continue;
    }
    const port = s.server === "h1" ? (target.info.small as number) : (target.info.port as number);
    const url = `http://127.0.0.1:${port}${s.path}`;
    const values = new Map<Contender, number[]>([[s.reference, []], [s.mint, []]]);
    const errors: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of values.keys()) {
        await run(c, url).then((v) => values.get(c)!.push(v), (e: Error) => errors.push(`${c.label}: ${e.message}`));
      }
    }
    const ref = values.get(s.reference)!, ours = values.get(s.mint)!;
    console.log(`\n${s.title}`);
    console.log(`  ${s.reference.label.padEnd(15)} ${ref.length ? fmt(median(ref)).padStart(10) : "failed".padStart(10)} req/s  (${ref.map(fmt).join(", ")})`);
    // Each round's two runs are back to back, so their ratio is less exposed to the machine's
    // load changing over the whole run than the ratio of the medians.
    const paired = ref.length === ours.length ? ours.map((v, i) => v / ref[i]!) : [];
    console.log(`  ${s.mint.label.padEnd(15)} ${ours.length ? fmt(median(ours)).padStart(10) : "failed".padStart(10)} req/s  (${ours.map(fmt).join(", ")})` +
      (ref.length && ours.length ? `   ${(median(ours) / median(ref)).toFixed(2)}x ${s.reference.label}` : "") +
      (paired.length ? `; round by round ${paired.map((r) => r.toFixed(2)).join(", ")} (median ${median(paired).toFixed(2)}x)` : ""));
    for (const e of errors) console.log(`  ${e}`);
  }
  for (const t of targets.values()) if (typeof t !== "string") t.stop();
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
