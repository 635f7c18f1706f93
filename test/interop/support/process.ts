// What every interop server runner needs: finding a binary (and, when it is missing, a test
// that fails under CI while the suite is skipped otherwise), free ports on 127.0.0.1, and a
// child process whose output is kept for failure messages. `stop()` sends TERM, then KILL
// after 2 s; a process-exit hook kills the child as a last resort.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import * as net from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";

/** Find `name` on PATH or in the usual sbin/bin folders; undefined when it is not installed. */
export function findBinary(name: string): string | undefined {
  const which = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  const found = which.status === 0 ? which.stdout.trim() : "";
  if (found !== "") return found;
  for (const dir of ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin"]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Look up `name` for a test file. `missing` is the reason to skip its suites (undefined when
 * the binary is there); under CI a missing binary also adds a test "`name` is installed" that fails.
 */
export function interopBinary(name: string, installHint: string): { bin: string | undefined; missing: string | undefined } {
  const bin = findBinary(name);
  const missing = bin === undefined ? `${name} is not installed (${installHint})` : undefined;
  if (missing !== undefined && process.env.CI) {
    test(`${name} is installed`, () => {
      assert.fail(`${missing}; .ci/run installs it with apt-get`);
    });
  }
  return { bin, missing };
}

/** A port on 127.0.0.1 that was free a moment ago (another process may take it before use). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Whether something accepts a TCP connection on 127.0.0.1:`port`. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** A started child process. */
export interface Child {
  /** The last 20,000 characters it wrote to stdout and stderr. */
  output(): string;
  exited(): boolean;
  /** TERM, then KILL after 2 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Spawn `bin args` in `cwd` with stdout and stderr captured. */
export function startChild(bin: string, args: string[], cwd: string): Child {
  let output = "";
  const child: ChildProcess = spawn(bin, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr!.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.on("error", (e) => (output += `\n${String(e)}`));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  child.once("error", () => {
    exited = true;
  });
  const kill = (): void => {
    if (!exited) child.kill("SIGKILL");
  };
  process.once("exit", kill);
  return {
    output: () => output,
    exited: () => exited,
    stop: async () => {
      process.removeListener("exit", kill);
      if (exited || child.pid === undefined) return;
      child.kill("SIGTERM");
      const timer = setTimeout(kill, 2000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/**
 * Resolve once every port accepts connections. If the child exits first or `timeoutMs` passes,
 * stop it and throw an error naming the port, with the child's output and `extraOutput()`.
 */
export async function waitForPorts(name: string, ports: number[], child: Child, extraOutput: () => string = () => "", timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await canConnect(port))) {
      if (child.exited() || Date.now() > until) {
        await child.stop();
        throw new Error(`${name} did not start on 127.0.0.1:${port}: ${(child.output() + extraOutput()).trim() || "(no output)"}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/**
 * A Python 3 that can import every module in `modules` (Debian's /usr/bin/python3 first, as
 * the Debian python3-* packages install there; then python3 on PATH). Missing: as `interopBinary`.
 */
export function interopPython(modules: string[], installHint: string): { bin: string | undefined; missing: string | undefined } {
  const candidates = ["/usr/bin/python3", findBinary("python3")].filter((p): p is string => p !== undefined && existsSync(p));
  const bin = candidates.find((p) => spawnSync(p, ["-c", `import ${modules.join(", ")}`], { stdio: "ignore" }).status === 0);
  const missing = bin === undefined ? `no python3 with ${modules.join(", ")} is installed (${installHint})` : undefined;
  if (missing !== undefined && process.env.CI) {
    test(`python3 with ${modules.join(", ")} is installed`, () => {
      assert.fail(`${missing}; .ci/run installs it with apt-get`);
    });
  }
  return { bin, missing };
}
