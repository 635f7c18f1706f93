// Starting and stopping the benchmark's servers, each in its own process pinned to CPU 0
// when `taskset` is available; contender processes get CPU 1.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ServerName } from "./scenarios.js";

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.dirname(BENCH_DIR);

/** A command's path on PATH (or /usr/bin, /usr/local/bin), or null when it is not installed. */
export function which(cmd: string): string | null {
  for (const dir of [...(process.env.PATH ?? "").split(path.delimiter), "/usr/bin", "/usr/local/bin"]) {
    const full = path.join(dir, cmd);
    try {
      fs.accessSync(full, fs.constants.X_OK);
      return full;
    } catch {}
  }
  return null;
}

const PIN = process.platform === "linux" && os.cpus().length >= 2 && which("taskset") !== null;
export const pinning = PIN ? "server on CPU 0, client on CPU 1 (taskset)" : "not pinned";

/** Spawns `cmd args` pinned to `cpu` when possible. */
export function spawnPinned(cpu: number, cmd: string, args: string[]): ChildProcess {
  const [file, argv] = PIN ? ["taskset", ["-c", String(cpu), cmd, ...args]] : [cmd, args];
  return spawn(file, argv, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
}

/** Spawns a TypeScript file under bench/ with tsx. */
export function spawnTs(cpu: number, file: string, args: string[], nodeFlags: string[] = []): ChildProcess {
  return spawnPinned(cpu, process.execPath, [...nodeFlags, "--import", "tsx", path.join(BENCH_DIR, file), ...args]);
}

/** Resolves with the first JSON line the child prints. */
export function firstJsonLine(child: ChildProcess, what: string): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    const onErr = (d: Buffer) => (stderr += d);
    child.stderr!.on("data", onErr);
    const lines = createInterface({ input: child.stdout! });
    const onExit = (code: number | null) => reject(new Error(`${what} exited (${code}) before it answered: ${stderr.trim()}`));
    lines.on("line", (line) => {
      if (line.startsWith("{")) {
        lines.close();
        child.off("exit", onExit);
        child.stderr!.off("data", onErr).resume();
        resolve(JSON.parse(line));
      }
    });
    child.on("exit", onExit);
  });
}

export interface Target {
  name: ServerName;
  info: Record<string, any>; // ports, response sizes
  stop(): void;
  /** TLS server only: handshakes since the last call. */
  stats?(): Promise<{ full: number; resumed: number }>;
}

let certDir: string | null = null;

/** A self-signed ECDSA certificate for 127.0.0.1 / localhost, made with the openssl CLI. */
export function certificate(): string {
  if (certDir) return certDir;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mint-bench-"));
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"), "-days", "2",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ], { stdio: "ignore" });
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return (certDir = dir);
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.on("connect", () => (s.destroy(), resolve(true)));
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on ${port}`);
}

/** The length on the wire of the response to one GET, read until the server goes quiet. */
function responseLength(port: number, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    let n = 0;
    let timer: NodeJS.Timeout | undefined;
    s.on("error", reject);
    s.on("connect", () => s.write(`GET ${target} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`));
    s.on("data", (d: Buffer) => {
      n += d.length;
      clearTimeout(timer);
      timer = setTimeout(() => (s.destroy(), resolve(n)), 100);
    });
  });
}

/** nginx answering "ok" to everything, or null (with the reason) when it is not installed. */
async function startNginx(): Promise<Target | string> {
  const bin = which("nginx") ?? (fs.existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : null);
  if (!bin) return "nginx is not installed";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mint-bench-nginx-"));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, "nginx.conf"), `daemon off; master_process off; worker_processes 1;
pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 2048; }
http { access_log off; keepalive_requests 100000000; keepalive_timeout 600s;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server { listen 127.0.0.1:${port}; location / { return 200 "ok"; } } }
`);
  const child = spawnPinned(0, bin, ["-p", dir, "-c", path.join(dir, "nginx.conf")]);
  await waitForPort(port, child, "nginx");
  // The raw ceiling counts responses by length: nginx's is fixed (its Date header too).
  const size = await responseLength(port, "/");
  return { name: "nginx", info: { port, sizes: { "/": size } }, stop: () => (child.kill(), fs.rmSync(dir, { recursive: true, force: true })) };
}

/** nghttpd without TLS (h2c prior knowledge) serving a two-byte file, or null when absent. */
async function startNghttpd(): Promise<Target | string> {
  const bin = which("nghttpd");
  if (!bin) return "nghttpd is not installed";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mint-bench-nghttpd-"));
  fs.writeFileSync(path.join(dir, "small"), "ok");
  const port = await freePort();
  const child = spawnPinned(0, bin, ["--no-tls", "-d", dir, String(port)]);
  await waitForPort(port, child, "nghttpd");
  return { name: "nghttpd", info: { port }, stop: () => (child.kill(), fs.rmSync(dir, { recursive: true, force: true })) };
}

/** Starts a server; a string result is the reason it was skipped. */
export async function startTarget(name: ServerName): Promise<Target | string> {
  if (name === "nginx") return startNginx();
  if (name === "nghttpd") return startNghttpd();
  const args = name === "tls" || name === "h2tls" || name === "h1tls" ? [certificate()] : [];
  const file = name === "h2tls" ? "h2" : name === "h1tls" ? "h1" : name;
  const child = spawnTs(0, `servers/${file}.ts`, args);
  const info = await firstJsonLine(child, `server ${name}`);
  const stats = async () => {
    const answer = firstJsonLine(child, `server ${name}`);
    child.stdin!.write("stats\n");
    return (await answer) as { full: number; resumed: number };
  };
  return { name, info, stop: () => child.kill(), ...(name === "tls" ? { stats } : {}) };
}
