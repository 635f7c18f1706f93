// Helpers for the mint-http command tests: run the command as a child process, and start
// local servers (HTTPS speaking HTTP/2 and HTTP/1.1, plain HTTP, a proxy) on 127.0.0.1.

import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { testCerts } from "../support/certs.js";

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** What a command run produced. */
export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  ms: number;
}

/**
 * The command as one bundled file, built once per test process with esbuild (which tsx
 * brings), so that each run starts without a TypeScript loader. It sits two folders below
 * the root, as dist/cli/main.js does, so that it finds package.json the same way.
 * Undefined when esbuild cannot be loaded: the runs then go through tsx.
 */
let bundled: string | undefined | null = null;
async function bundle(): Promise<string | undefined> {
  if (bundled !== null) return bundled;
  try {
    const esbuild = (await import("esbuild")) as { build(o: Record<string, unknown>): Promise<unknown> };
    const dir = join(ROOT, "build", `cli-test-${process.pid}`);
    const file = join(dir, "main.mjs");
    await esbuild.build({ entryPoints: [join(ROOT, "src/cli/main.ts")], bundle: true, platform: "node", format: "esm", outfile: file, logLevel: "error" });
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    bundled = file;
  } catch {
    bundled = undefined;
  }
  return bundled;
}

/** The node arguments that run the mint-http command with `args`. */
export async function cliArgs(args: string[]): Promise<string[]> {
  const file = await bundle();
  if (file !== undefined) return [file, ...args];
  return ["--import", "tsx", join(ROOT, "src/cli/main.ts"), ...args];
}

/**
 * Run the mint-http command with `args`; kills it after `timeoutMs`. With `input`, that is
 * its stdin, and it runs in a session of its own (no controlling terminal).
 */
export async function runCLI(args: string[], timeoutMs = 20_000, input?: string): Promise<RunResult> {
  return runNode(await cliArgs(args), timeoutMs, process.execPath, input);
}

/** Run node with `args` from the repository root; `input` as for runCLI. */
export function runNode(args: string[], timeoutMs = 20_000, command = process.execPath, input?: string): Promise<RunResult> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"], detached: input !== undefined });
    if (input !== undefined) child.stdin!.end(input);
    const out: Buffer[] = [];
    let err = "";
    child.stdout!.on("data", (d: Buffer) => out.push(d));
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (d: string) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err, ms: Date.now() - start });
    });
  });
}

/** A running server and how to reach it. */
export interface TestServer {
  port: number;
  url(path?: string): string;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => void;

function closer(server: net.Server): () => Promise<void> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("secureConnection", (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
}

/** HTTPS on 127.0.0.1 speaking HTTP/2 and HTTP/1.1 (ALPN), with the given certificate. */
export async function startHTTPS(handler: Handler, cert: "valid" | "expired" | "selfSigned" = "valid"): Promise<TestServer> {
  const certs = testCerts();
  const server = http2.createSecureServer({ cert: certs[cert].cert, key: certs[cert].key, allowHTTP1: true }, handler);
  server.on("sessionError", () => {});
  server.on("tlsClientError", () => {});
  const close = closer(server);
  const port = await listen(server);
  return { port, url: (path = "/") => `https://localhost:${port}${path}`, close };
}

/** Plain HTTP/1.1 on 127.0.0.1. */
export async function startHTTP(handler: Handler): Promise<TestServer & { server: http.Server }> {
  const server = http.createServer(handler);
  const close = closer(server);
  const port = await listen(server);
  return { server, port, url: (path = "/") => `http://127.0.0.1:${port}${path}`, close };
}

/** What the proxy saw. */
export interface ProxyLog {
  connects: Array<{ target: string; auth: string | undefined }>;
  forwards: Array<{ url: string; auth: string | undefined }>;
}

/**
 * An HTTP proxy on 127.0.0.1: CONNECT tunnels to 127.0.0.1 targets, and answers forward
 * (absolute-form) requests itself with "forwarded <url>". Requires `auth` when given.
 */
export async function startProxy(auth?: string): Promise<TestServer & { log: ProxyLog }> {
  const log: ProxyLog = { connects: [], forwards: [] };
  const expected = auth === undefined ? undefined : `Basic ${Buffer.from(auth).toString("base64")}`;
  const server = http.createServer((req, res) => {
    log.forwards.push({ url: req.url ?? "", auth: req.headers["proxy-authorization"] });
    if (expected !== undefined && req.headers["proxy-authorization"] !== expected) {
      res.writeHead(407, { "proxy-authenticate": "Basic" }).end();
      return;
    }
    res.end(`forwarded ${req.url}\n`);
  });
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    log.connects.push({ target: req.url ?? "", auth: req.headers["proxy-authorization"] });
    if (expected !== undefined && req.headers["proxy-authorization"] !== expected) {
      client.end("HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    const port = Number((req.url ?? "").split(":").pop());
    const upstream = net.connect(port, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  const close = closer(server);
  const port = await listen(server);
  return { log, port, url: () => `http://127.0.0.1:${port}`, close };
}

/** Reads a request body fully. */
export function readBody(req: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** HTTP/2 over cleartext (h2c, prior knowledge) on 127.0.0.1; counts the sessions it accepted. */
export async function startH2C(handler: Handler, maxConcurrentStreams = 100): Promise<TestServer & { sessions(): number }> {
  const server = http2.createServer({ settings: { maxConcurrentStreams } }, handler);
  let sessions = 0;
  server.on("session", () => sessions++);
  server.on("sessionError", () => {});
  const close = closer(server);
  const port = await listen(server);
  return { port, url: (path = "/") => `http://127.0.0.1:${port}${path}`, close, sessions: () => sessions };
}
