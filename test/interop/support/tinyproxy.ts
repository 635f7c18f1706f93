// Runs Debian's tinyproxy in the foreground for interop tests: a generated config in a
// temporary folder, listening on 127.0.0.1 at a free port, optionally with BasicAuth, with
// the CONNECT ports given. `close()` kills the process it started and removes the folder.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The tinyproxy binary, or undefined when it is not installed. */
export function findTinyproxy(): string | undefined {
  const which = spawnSync("sh", ["-c", "command -v tinyproxy"], { encoding: "utf8" });
  const found = which.status === 0 ? which.stdout.trim() : "";
  if (found !== "") return found;
  for (const p of ["/usr/bin/tinyproxy", "/usr/sbin/tinyproxy", "/usr/local/bin/tinyproxy"]) if (existsSync(p)) return p;
  return undefined;
}

export interface Tinyproxy {
  port: number;
  /** What tinyproxy wrote to stdout and stderr (for failure messages). */
  output(): string;
  close(): Promise<void>;
}

export interface TinyproxyOptions {
  /** `BasicAuth user password`. */
  auth?: { user: string; password: string };
  /** Ports CONNECT may reach. */
  connectPorts: number[];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Start tinyproxy (`-d -c file`) and resolve once it accepts connections. */
export async function startTinyproxy(bin: string, o: TinyproxyOptions): Promise<Tinyproxy> {
  const dir = mkdtempSync(join(tmpdir(), "mint-http-tinyproxy-"));
  const port = await freePort();
  const lines = [
    `Port ${port}`,
    "Listen 127.0.0.1",
    "Timeout 30",
    "MaxClients 50",
    "LogLevel Warning",
    "Allow 127.0.0.1",
    ...o.connectPorts.map((p) => `ConnectPort ${p}`),
    ...(o.auth ? [`BasicAuth ${o.auth.user} ${o.auth.password}`] : []),
  ];
  // Running as root, tinyproxy drops to an unprivileged user; Debian's package creates one.
  if (process.getuid?.() === 0) lines.push("User nobody", "Group nogroup");
  const conf = join(dir, "tinyproxy.conf");
  writeFileSync(conf, `${lines.join("\n")}\n`);
  let output = "";
  const child: ChildProcess = spawn(bin, ["-d", "-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => {
    exited = true;
    resolve();
  }));
  const kill = (): void => {
    if (!exited) child.kill("SIGKILL");
  };
  process.once("exit", kill);
  const close = async (): Promise<void> => {
    process.removeListener("exit", kill);
    if (!exited) {
      child.kill("SIGTERM");
      const timer = setTimeout(kill, 2000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const until = Date.now() + 5000;
  while (!(await canConnect(port))) {
    if (exited || Date.now() > until) {
      await close();
      throw new Error(`tinyproxy did not start on 127.0.0.1:${port}: ${output.trim() || "(no output)"}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { port, output: () => output, close };
}
