// Instructions per request, counted by valgrind's callgrind: a measure that the machine's
// load does not move, for comparing a change before and after.
//
// How it works: bench/instructions-child.ts (and the src/ it imports) is compiled with tsc
// to a temporary directory, so the measured process runs plain JavaScript without the TS
// loader. For each path the child runs once under `valgrind --tool=callgrind`, with V8 made
// deterministic (--predictable: no background compiler or GC threads); callgrind dumps its
// count whenever the child calls process.getActiveResourcesInfo(), which the child does
// after the warm-up, and right before and after the measured requests (with a settling
// window between the first two: see instructions-child.ts), so start-up, warm-up, the
// recompilation the first mark causes and teardown are not counted. The last window's
// count (GC included) divided by the requests the child says it measured is the cost of
// one request. Socket paths talk to a bench server running in its
// own process, not under valgrind, so only the client is counted (its event loop and the
// Node/libuv socket code included); engine paths count our protocol code alone.
//
//   npm run bench:instructions                 every path
//   INSTR_PATHS=engine-h2,agent-h2 npm run bench:instructions
//   INSTR_COUNT=10000 requests counted (default), after INSTR_WARMUP=10000 uncounted ones
//   INSTR_KEEP=<dir>   keep each path's callgrind output there (<path>.out, for callgrind_annotate)
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BENCH_DIR, ROOT, certificate, firstJsonLine, spawnTs, startTarget } from "./targets.js";

type ServerName = "h1" | "h2" | "tls" | "nginx";
/**
 * `listener`: which h1 listener (default small); `scale`: share of INSTR_COUNT/INSTR_WARMUP
 * for costly units; `run`: the child's path when it differs from `id` (same client, another server).
 */
const PATHS: Array<{ id: string; title: string; server?: ServerName; listener?: string; scale?: number; extra?: boolean; run?: string }> = [
  { id: "engine-h1", title: "HTTP/1 engine, in memory (sans-IO)" },
  { id: "engine-h2", title: "HTTP/2 engine, in memory, 100 per batch" },
  { id: "raw-h1", title: "raw net.Socket, HTTP/1, 1 in flight, fixed request bytes (the floor)", server: "h1" },
  { id: "conn-h1", title: "bare Connection, HTTP/1, 1 in flight", server: "h1" },
  { id: "conn-h2", title: "bare Connection, h2c, 100 in flight", server: "h2" },
  // Against nginx, when installed: its responses carry six header lines (server, date, ...).
  { id: "raw-nginx", title: "raw net.Socket against nginx, HTTP/1, 1 in flight (the floor)", server: "nginx", run: "raw-h1" },
  { id: "conn-nginx", title: "bare Connection against nginx, HTTP/1, 1 in flight", server: "nginx", run: "conn-h1" },
  { id: "pool-h1", title: "Pool.request, HTTP/1, 1 in flight", server: "h1" },
  { id: "agent-h2", title: "Agent.request, h2c, 100 in flight", server: "h2" },
  // Per connection and per upload (a unit is a whole TLS connection or a 1 MiB body): run
  // only when INSTR_PATHS names them, next to undici doing the same.
  { id: "tls-new", title: "new verified TLS connection + GET + close (per connection)", server: "tls", scale: 0.02, extra: true },
  { id: "undici-tls-new", title: "the same with an undici Client per connection", server: "tls", scale: 0.02, extra: true },
  { id: "upload-h1", title: "bare Connection, HTTP/1, 1 MiB POST (per upload)", server: "h1", listener: "upload", scale: 0.02, extra: true },
  { id: "undici-upload-h1", title: "the same with an undici Pool (1 connection)", server: "h1", listener: "upload", scale: 0.02, extra: true },
];

const wanted = process.env.INSTR_PATHS?.split(",").map((s) => s.trim()).filter(Boolean);
const COUNT = Number(process.env.INSTR_COUNT ?? 10_000);
const WARMUP = Number(process.env.INSTR_WARMUP ?? 10_000);
/** V8 made deterministic: no background compiler or GC threads, fixed seeds. */
const FLAGS = (process.env.INSTR_NODE_FLAGS ?? "--predictable --hash-seed=1 --random-seed=1").split(" ").filter(Boolean);

function compile(): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "mint-instr-"));
  const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [tsc, "--outDir", out, "--rootDir", ROOT, "--target", "ES2022", "--module", "NodeNext",
    "--moduleResolution", "NodeNext", "--skipLibCheck", "--types", "node", "--strict", path.join(BENCH_DIR, "instructions-child.ts")], { cwd: ROOT, stdio: "inherit" });
  fs.writeFileSync(path.join(out, "package.json"), '{"type":"module"}\n');
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(out, "node_modules")); // undici, for its paths
  return path.join(out, "bench", "instructions-child.js");
}

/** Instructions per request the child ran between its last two marks (callgrind's third dump). */
function callgrind(child: string, args: string[], flags: string[], name: string): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mint-callgrind-"));
  const keep = process.env.INSTR_KEEP;
  return new Promise<number>((resolve, reject) => {
    const p = spawn("valgrind", ["--tool=callgrind", `--callgrind-out-file=${path.join(dir, "out")}`, "--dump-before=*GetActiveResourcesInfo*",
      process.execPath, ...flags, child, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("close", (code) => {
      const dump = path.join(dir, "out.3");
      const measured = Number((/"measured":(\d+)/.exec(out) ?? [])[1]);
      const m = fs.existsSync(dump) ? /^(?:summary|totals): (\d+)/m.exec(fs.readFileSync(dump, "utf8")) : null;
      if (keep !== undefined && m !== null) {
        fs.mkdirSync(keep, { recursive: true });
        fs.copyFileSync(dump, path.join(keep, `${name}.out`));
      }
      fs.rmSync(dir, { recursive: true, force: true });
      if (code !== 0 || m === null || !(measured > 0)) reject(new Error(`callgrind run failed (${code}):\n${err.slice(-2000)}`));
      else resolve(Number(m[1]) / measured);
    });
  });
}

async function main(): Promise<void> {
  try {
    execFileSync("valgrind", ["--version"], { stdio: "ignore" });
  } catch {
    console.error("valgrind is not installed; bench:instructions needs it (apt-get install valgrind)");
    process.exit(1);
  }
  const child = compile();
  const servers: Record<string, { info: Record<string, any>; kill: () => void }> = {};
  /** The server's port, or a string saying why it is not available (nginx not installed). */
  const server = async (name: ServerName, listener = "small"): Promise<number | string> => {
    if (servers[name] === undefined) {
      if (name === "nginx") {
        const t = await startTarget("nginx");
        if (typeof t === "string") return t;
        servers[name] = { info: t.info, kill: t.stop };
      } else {
        const proc = spawnTs(0, `servers/${name}.ts`, name === "tls" ? [certificate()] : []);
        const info = await firstJsonLine(proc, `${name} server`);
        servers[name] = { info, kill: () => proc.kill() };
      }
    }
    const info = servers[name]!.info;
    return name === "h1" ? info[listener] : info.port;
  };
  console.log(`instructions per request (callgrind; ${COUNT} requests counted after ${WARMUP} warm-up, node ${FLAGS.join(" ")})`);
  console.log(`${"path".padEnd(10)}  ${"instr/req".padStart(10)}  what`);
  try {
    for (const p of PATHS) {
      if (wanted !== undefined ? !wanted.includes(p.id) : p.extra === true) continue;
      const port = p.server !== undefined ? await server(p.server, p.listener) : 0;
      if (typeof port === "string") {
        console.log(`${p.id.padEnd(10)}  ${"-".padStart(10)}  ${p.title}: ${port}`);
        continue;
      }
      const count = Math.max(1, Math.round(COUNT * (p.scale ?? 1)));
      const warmup = Math.max(1, Math.round(WARMUP * (p.scale ?? 1)));
      const ca = p.server === "tls" ? [path.join(certificate(), "cert.pem")] : [];
      const per = Math.round(await callgrind(child, [p.run ?? p.id, String(warmup), String(count), String(port), ...ca], FLAGS, p.id));
      console.log(`${p.id.padEnd(10)}  ${per.toLocaleString("en-US").padStart(10)}  ${p.title}`);
    }
  } finally {
    for (const s of Object.values(servers)) s.kill();
    fs.rmSync(path.dirname(path.dirname(child)), { recursive: true, force: true });
  }
}

await main();
