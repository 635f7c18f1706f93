// `npm run demo`: a tour of mint-http against a local HTTPS server.
//
// Starts an HTTPS server on 127.0.0.1 (node:http2 with allowHTTP1, so it speaks HTTP/2 and
// HTTP/1.1) with a certificate generated on the spot by openssl, then shows through the
// library: ALPN choosing HTTP/2, a forced HTTP/1.1 connection, 100 requests multiplexed on
// one HTTP/2 connection, a pipelined batch on HTTP/1.1, a streamed upload within the HTTP/2
// send window, active and passive mode side by side, and a certificate failure; then the
// layers on top: an Agent multiplexing 200 requests on one HTTP/2 connection and a Pool
// reusing HTTP/1.1 sockets, Node's fetch running over the Agent, and a WebSocket over
// HTTP/2 (RFC 8441) beside ordinary requests. Ends with a summary of timings, closes
// everything and exits 0.

import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import {
  connect, EOF, MintError, STREAM,
  type Connection, type Headers, type RequestRef, type ResponsePart,
} from "../src/index.js";
import { Agent, Pool } from "../src/pool/index.js";
import { connectWebSocket } from "../src/websocket/index.js";
import { testCerts } from "../test/support/certs.js";
import { startH2WebSocketServer } from "../test/support/websocket-h2-server.js";

interface Response {
  status: number;
  headers: Headers;
  body: Buffer;
}

const timings: Array<[string, number]> = [];

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await fn();
  timings.push([label, performance.now() - start]);
  return result;
}

function section(title: string): void {
  console.log(`\n== ${title}`);
}

/** Active mode: gathers the responses to `refs` from "parts" events. */
function collectActive(conn: Connection, refs: RequestRef[]): Promise<Map<RequestRef, Response>> {
  const pending = new Set(refs);
  const out = new Map<RequestRef, Response>();
  const bodies = new Map<RequestRef, Buffer[]>();
  for (const ref of refs) {
    out.set(ref, { status: 0, headers: [], body: Buffer.alloc(0) });
    bodies.set(ref, []);
  }
  return new Promise((resolve, reject) => {
    const onParts = (parts: ResponsePart[]): void => {
      for (const part of parts) {
        const response = out.get(part.ref);
        if (response === undefined) continue;
        if (part.type === "status") response.status = part.status;
        else if (part.type === "headers") response.headers.push(...part.headers);
        else if (part.type === "data") bodies.get(part.ref)!.push(Buffer.from(part.data));
        else if (part.type === "error") return finish(part.error);
        else if (part.type === "done") {
          response.body = Buffer.concat(bodies.get(part.ref)!);
          pending.delete(part.ref);
        }
      }
      if (pending.size === 0) finish();
    };
    const onClosed = (err?: Error): void => finish(err ?? new Error("connection closed before the responses were complete"));
    const finish = (err?: Error): void => {
      conn.off("parts", onParts);
      conn.off("closed", onClosed);
      if (err) reject(err);
      else resolve(out);
    };
    conn.on("parts", onParts);
    conn.on("closed", onClosed);
  });
}

/** Passive mode: reads with `recv` until the response to `ref` is done. */
async function collectPassive(conn: Connection, ref: RequestRef, trace?: string[]): Promise<Response> {
  const response: Response = { status: 0, headers: [], body: Buffer.alloc(0) };
  const chunks: Buffer[] = [];
  for (;;) {
    const parts = await conn.recv(0, 10_000);
    for (const part of parts) {
      if (part.ref !== ref) continue;
      trace?.push(part.type);
      if (part.type === "status") response.status = part.status;
      else if (part.type === "headers") response.headers.push(...part.headers);
      else if (part.type === "data") chunks.push(Buffer.from(part.data));
      else if (part.type === "error") throw part.error;
      else if (part.type === "done") {
        response.body = Buffer.concat(chunks);
        return response;
      }
    }
  }
}

function startServer(cert: string, key: string): Promise<http2.Http2SecureServer> {
  const server = http2.createSecureServer({ cert, key, allowHTTP1: true, settings: { maxConcurrentStreams: 200 } }, (req, res) => {
    if (req.url === "/upload") {
      let size = 0;
      req.on("data", (chunk: Buffer) => (size += chunk.length));
      req.on("end", () => res.end(JSON.stringify({ received: size })));
      return;
    }
    res.setHeader("content-type", "text/plain");
    res.end(`${req.method} ${req.url} over HTTP/${req.httpVersion === "2.0" ? "2" : req.httpVersion}\n`);
  });
  server.on("sessionError", () => {});
  server.on("tlsClientError", () => {});
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function main(): Promise<void> {
  console.log("mint-http demo: generating a CA and a certificate for localhost with openssl ...");
  const certs = testCerts();
  const server = await startServer(certs.valid.cert, certs.valid.key);
  const port = (server.address() as AddressInfo).port;
  const tls = { transportOpts: { cacertfile: certs.rootCA.certPath } };
  console.log(`HTTPS server (HTTP/2 + HTTP/1.1) listening on https://localhost:${port}`);
  const open: Connection[] = [];

  try {
    section("1. ALPN chooses HTTP/2");
    const h2 = await timed("connect + TLS + ALPN (HTTP/2)", () => connect("https", "localhost", port, tls));
    open.push(h2);
    const first = h2.request("GET", "/hello", [], null);
    const [hello] = (await collectActive(h2, [first])).values();
    console.log(`negotiated ${h2.protocol}; GET /hello -> ${hello!.status}: ${hello!.body.toString().trim()}`);

    section("2. Forced HTTP/1.1");
    const h1 = await timed("connect + TLS (HTTP/1.1 forced)", () => connect("https", "localhost", port, { ...tls, protocols: ["http1"] }));
    open.push(h1);
    const one = h1.request("GET", "/forced", [], null);
    const [forced] = (await collectActive(h1, [one])).values();
    console.log(`protocols: ["http1"] -> ${h1.protocol}; GET /forced -> ${forced!.status}: ${forced!.body.toString().trim()}`);

    section("3. 100 requests multiplexed on one HTTP/2 connection");
    const many = await timed("100 requests on one HTTP/2 connection", async () => {
      const refs = Array.from({ length: 100 }, (_, i) => h2.request("GET", `/item/${i}`, [], null));
      console.log(`sent 100 requests; ${h2.openRequestCount()} streams open at once`);
      return collectActive(h2, refs);
    });
    const ok = [...many.values()].filter((r) => r.status === 200).length;
    console.log(`${ok}/100 responses with status 200; last body: ${[...many.values()].at(-1)!.body.toString().trim()}`);

    section("4. A pipelined batch on HTTP/1.1");
    const batch = await timed("20 pipelined requests on HTTP/1.1", async () => {
      const refs = Array.from({ length: 20 }, (_, i) => h1.request("GET", `/pipelined/${i}`, [], null));
      console.log(`sent 20 requests back to back before reading; ${h1.openRequestCount()} awaiting responses`);
      return collectActive(h1, refs);
    });
    const order = [...batch.values()].map((r) => Number(r.body.toString().split(" ")[1]!.split("/")[2]));
    console.log(`responses arrived in request order: ${order.every((n, i) => n === i)} (${order.slice(0, 5).join(", ")}, ...)`);

    section("5. A streamed upload (8 MiB in 64 KiB chunks, within the HTTP/2 send window)");
    const up = await timed("connect in passive mode (HTTP/2)", () => connect("https", "localhost", port, { ...tls, mode: "passive" }));
    open.push(up);
    const uploaded = await timed("8 MiB streamed upload", async () => {
      const total = 8 * 1024 * 1024;
      const chunk = new Uint8Array(64 * 1024).fill(42);
      const ref = up.request("POST", "/upload", [["content-length", String(total)]], STREAM);
      let sent = 0;
      let waits = 0;
      while (sent < total) {
        const window = Math.min(up.requestBodyWindow(ref), up.getWindowSize("connection"));
        if (window === 0) {
          // The send window is empty: reading lets the server's WINDOW_UPDATE frames in.
          waits++;
          await up.recv(0, 10_000);
          continue;
        }
        const n = Math.min(window, chunk.length, total - sent);
        up.streamRequestBody(ref, chunk.subarray(0, n));
        sent += n;
      }
      up.streamRequestBody(ref, EOF);
      const response = await collectPassive(up, ref);
      console.log(`sent ${sent} bytes, waited for the window ${waits} times; server says ${response.body.toString()}`);
      return response;
    });
    if (uploaded.status !== 200) throw new Error(`upload failed with ${uploaded.status}`);

    section("6. Active and passive mode, side by side");
    const active = h2.request("GET", "/active", [], null);
    const activeTrace: string[] = [];
    const traceListener = (parts: ResponsePart[]): void => {
      for (const p of parts) if (p.ref === active) activeTrace.push(p.type);
    };
    h2.on("parts", traceListener);
    await collectActive(h2, [active]);
    h2.off("parts", traceListener);
    console.log(`active  (conn.on("parts", ...)):   ${activeTrace.join(" -> ")}`);
    const passiveTrace: string[] = [];
    const passive = up.request("GET", "/passive", [], null);
    await collectPassive(up, passive, passiveTrace);
    console.log(`passive (await conn.recv() loop): ${passiveTrace.join(" -> ")}`);
    up.setMode("active");
    console.log(`setMode("active") switches a passive connection to events; it is now ${up.protocol}, open: ${up.isOpen()}`);

    section("7. A certificate failure (connecting without the generated CA)");
    try {
      const bad = await connect("https", "localhost", port);
      open.push(bad);
      console.log("unexpected: the connection was accepted");
    } catch (err) {
      if (!(err instanceof MintError)) throw err;
      console.log(`${err.name} reason=${err.reason} alert=${String(err.details?.alert)}`);
      console.log(`message: ${err.message}`);
    }

    section("8. The pool: an Agent multiplexes, a Pool reuses");
    const agent = new Agent({ connect: tls });
    const pooled = await timed("200 concurrent Agent.request (HTTP/2)", () =>
      Promise.all(Array.from({ length: 200 }, (_, i) => agent.request(`https://localhost:${port}/agent/${i}`).then((r) => r.body.text()))));
    const agentStats = agent.stats()[`https://localhost:${port}`]!;
    console.log(`${pooled.length} responses over ${agentStats.connections} connection(s) (${agentStats.http2} HTTP/2); last: ${pooled.at(-1)!.trim()}`);
    const pool = new Pool(`https://localhost:${port}`, { connect: { ...tls, protocols: ["http1"] }, connections: 4 });
    await timed("3 rounds of 20 Pool.request (HTTP/1.1, 4 sockets)", async () => {
      for (let round = 0; round < 3; round++) {
        await Promise.all(Array.from({ length: 20 }, (_, i) => pool.request(`/pool/${round}/${i}`).then((r) => r.body.text())));
      }
    });
    const poolStats = pool.stats();
    console.log(`60 requests on ${poolStats.connections} keep-alive sockets (${poolStats.http1} HTTP/1.1, ${poolStats.idle} idle now)`);
    await pool.close();

    section("9. Node's fetch over the Agent");
    const fetched = await timed("fetch() with dispatcher: agent", async () => {
      const res = await fetch(`https://localhost:${port}/fetch`, { dispatcher: agent } as unknown as RequestInit);
      return `${res.status} ${(await res.text()).trim()}`;
    });
    console.log(`fetch says: ${fetched}`);
    console.log("setGlobalDispatcher(new Agent()) from undici puts every fetch in the process on mint-http");
    await agent.close();

    section("10. A WebSocket over HTTP/2 (RFC 8441), one stream of a connection");
    const wsServer = await startH2WebSocketServer({ tls: true, deflate: true });
    try {
      const ws = await timed("WebSocket handshake (extended CONNECT)", () =>
        connectWebSocket(`wss://localhost:${wsServer.port}/echo`, { connect: tls }));
      console.log(`over ${ws.httpVersion}, extensions: ${ws.extensions || "none"}`);
      const echoed = await timed("3 messages echoed", () => new Promise<string[]>((resolve) => {
        const got: string[] = [];
        ws.on("message", (data: string | Uint8Array) => {
          got.push(typeof data === "string" ? data : `${data.length} bytes`);
          if (got.length === 3) resolve(got);
        });
        ws.send("hello");
        ws.send(new Uint8Array(100_000).fill(7));
        ws.send("bye");
      }));
      console.log(`echoed: ${echoed.join(", ")}`);
      const closed = await ws.close(1000, "done");
      console.log(`closed: code ${closed.code}, clean: ${closed.wasClean}`);
    } finally {
      await wsServer.close();
    }
  } finally {
    await Promise.all(open.map((c) => c.close()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  section("Summary of timings");
  const width = Math.max(...timings.map(([label]) => label.length));
  for (const [label, ms] of timings) console.log(`${label.padEnd(width)}  ${ms.toFixed(1).padStart(8)} ms`);
  console.log("\nAll connections closed; done.");
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
