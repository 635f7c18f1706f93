// The C load generators as contenders: wrk (HTTP/1.1) and h2load (HTTP/2, from nghttp2),
// run as external commands on the client's CPU against the same server as the Node
// contenders. They show what a client written in C gets out of that server on the same
// core, the figure the "vs C client" column divides by. A missing tool is not an error:
// `findTool` returns null and the scenario runs without it.
import { spawnPinned, which } from "./targets.js";

export type Tool = "wrk" | "h2load";

export interface ExternalJob {
  tool: Tool;
  url: string;
  connections: number;
  inFlight: number; // per connection: h2load's -m; wrk sends one request at a time
  seconds: number;
  warmup: number;
}

/** The tool's path, or null when it is not installed. */
export function findTool(tool: Tool): string | null {
  return which(tool);
}

function argsFor(j: ExternalJob): string[] {
  const ms = (s: number) => `${Math.max(1, Math.round(s * 1000))}ms`;
  if (j.tool === "wrk") {
    // One thread, like the single-threaded Node contenders; wrk takes whole seconds and has
    // no warm-up, so its window is rounded up (its rate, not its count, is compared).
    return ["-t1", `-c${j.connections}`, `-d${Math.max(1, Math.ceil(j.seconds))}s`, j.url];
  }
  return ["-t1", `-c${j.connections}`, `-m${j.inFlight}`, "-D", ms(j.seconds), "--warm-up-time", ms(j.warmup), j.url];
}

/** Requests per second from the tool's report; throws with its words when it failed. */
function parse(tool: Tool, out: string): number {
  if (tool === "wrk") {
    const m = /Requests\/sec:\s*([\d.]+)/.exec(out);
    if (m === null) throw new Error(`wrk said: ${out.trim().slice(0, 200)}`);
    const errors = /Socket errors:[^\n]*|Non-2xx or 3xx responses:[^\n]*/.exec(out);
    if (errors) throw new Error(`wrk: ${errors[0]}`);
    return Number(m[1]);
  }
  const m = /finished in [\d.]+s, ([\d.]+) req\/s/.exec(out);
  const failed = /requests: \d+ total, \d+ started, \d+ done, \d+ succeeded, (\d+) failed/.exec(out);
  if (m === null || failed === null) throw new Error(`h2load said: ${out.trim().slice(0, 200)}`);
  if (Number(failed[1]) > 0) throw new Error(`h2load: ${failed[0]}`);
  return Number(m[1]);
}

/**
 * Runs the tool once on the client's CPU; resolves with its requests per second and, when
 * the shell could tell, its CPU share over the run (user + system, like the Node contenders').
 */
export function runExternal(bin: string, j: ExternalJob): Promise<{ value: number; cpu?: number }> {
  // bash's `times` prints the CPU time of the shell's children (the tool) on its last line.
  const child = spawnPinned(1, "bash", ["-c", '"$@"; code=$?; times; exit $code', "bash", bin, ...argsFor(j)]);
  const started = performance.now();
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d));
  child.stderr!.on("data", (d: Buffer) => (out += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), (j.seconds + j.warmup) * 1000 + 60_000);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      try {
        if (code !== 0) throw new Error(`${j.tool} exited ${code}: ${out.trim().slice(0, 200)}`);
        const value = parse(j.tool, out);
        const t = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(out);
        const secs = (performance.now() - started) / 1000;
        if (t === null) return resolve({ value });
        resolve({ value, cpu: (60 * Number(t[1]) + Number(t[2]) + 60 * Number(t[3]) + Number(t[4])) / secs });
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}
