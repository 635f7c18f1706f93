// One measured run for bench/instructions.ts: runs `warmup` requests, then a settling
// window, then `count` more, on one path, and exits. Run under callgrind by the parent,
// which dumps the instruction count each time process.getActiveResourcesInfo() is called:
// it is called three times (marks), after the warm-up, before and after the `count`
// measured requests, so start-up, warm-up and teardown are left out. The settling window
// (SETTLE requests) between the first two marks is not counted either: the first mark runs
// a branch the optimized loop never took, V8 drops that code and compiles it again, and
// that one-time compilation would otherwise land in the count. The child prints
// {"measured": n} with the number of requests between the last two marks.
//   engine-h1   sans-IO HTTP/1 engine fed a canned response per request (no sockets)
//   engine-h2   sans-IO HTTP/2 engine, 100 requests per batch, fed canned response frames
//   conn-h1     bare Connection over TCP, HTTP/1, 1 in flight
//   conn-h2     bare Connection over TCP, h2c, 100 in flight
//   pool-h1     Pool.request over TCP, HTTP/1, 1 in flight, body read with for-await
//   agent-h2    Agent.request over TCP, h2c, 100 in flight, body read with for-await
//   raw-h1      a raw net.Socket, HTTP/1, 1 in flight: fixed request bytes, responses
//               counted by length (the floor the Node socket path sets)
//   tls-new     a new TLS connection per request (full handshake, verified), GET, close
//   upload-h1   bare Connection, HTTP/1, 1 MiB POST bodies, 1 in flight
//   undici-tls-new, undici-upload-h1   the same with undici (a Client per connection; a Pool)
// argv: <path> <warmup> <count> [port] [ca file]
import { readFileSync } from "node:fs";
import * as net from "node:net";
import { connect, type Connection, type ResponsePart } from "../src/index.js";
import { createHTTP1Engine } from "../src/core/http1/index.js";
import { createHTTP2Engine } from "../src/core/http2/index.js";
import { Agent, Pool } from "../src/pool/index.js";

const [path, warmupArg, countArg, portArg, caFile] = process.argv.slice(2);
const warmup = Number(warmupArg);
const count = Number(countArg);
const port = Number(portArg);
const BATCH = 100;
/**
 * Requests run between the first two marks (see the header): as many as are measured, so
 * that a handler called once per read of 100 responses is optimized again in time.
 */
const SETTLE = count;

/** Marks the phases for callgrind (see the header). */
const mark = (): void => void process.getActiveResourcesInfo();
let measuredCount = count;

/** Runs `run(warmup)`, mark, `run(SETTLE)`, mark, `run(count)`, mark. */
async function measured(run: (n: number) => void | Promise<void>): Promise<void> {
  await run(warmup);
  mark();
  await run(SETTLE);
  mark();
  await run(count);
  mark();
}

function check(parts: ResponsePart[]): number {
  let done = 0;
  for (const p of parts) {
    if (p.type === "error") throw p.error;
    if (p.type === "done") done++;
  }
  return done;
}

const H1_RESPONSE = new TextEncoder().encode("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");

async function engineH1(): Promise<void> {
  const engine = createHTTP1Engine({ scheme: "http", authority: "127.0.0.1:8080" });
  await measured((total) => {
    for (let i = 0; i < total; i++) {
    engine.request("GET", "/small", [], null);
    engine.takeOutgoing();
    if (check(engine.receive(H1_RESPONSE)) !== 1) throw new Error("no done");
    }
  });
}

/** A frame header (RFC 9113 §4.1) written at `at`. */
function frameHeader(buf: Uint8Array, at: number, length: number, type: number, flags: number, stream: number): void {
  buf[at] = length >>> 16; buf[at + 1] = (length >>> 8) & 0xff; buf[at + 2] = length & 0xff;
  buf[at + 3] = type; buf[at + 4] = flags;
  new DataView(buf.buffer, buf.byteOffset).setUint32(at + 5, stream);
}

async function engineH2(): Promise<void> {
  const engine = createHTTP2Engine({ scheme: "http", authority: "127.0.0.1:8080" });
  engine.takeOutgoing();
  // Server SETTINGS (max concurrent streams 1000) and the ACK of ours.
  const hello = new Uint8Array(9 + 6 + 9);
  frameHeader(hello, 0, 6, 4, 0, 0);
  hello.set([0, 3, 0, 0, 0x03, 0xe8], 9);
  frameHeader(hello, 15, 0, 4, 1, 0);
  check(engine.receive(hello));
  engine.takeOutgoing();
  // Per stream: HEADERS (:status 200 indexed, content-length: 2 literal) + DATA "ok" END_STREAM.
  const block = [0x88, 0x0f, 0x0d, 0x01, 0x32];
  const per = 9 + block.length + 9 + 2;
  const batch = new Uint8Array(per * BATCH);
  for (let i = 0; i < BATCH; i++) {
    const at = i * per;
    frameHeader(batch, at, block.length, 1, 4, 1);
    batch.set(block, at + 9);
    frameHeader(batch, at + 9 + block.length, 2, 0, 1, 1);
    batch.set([0x6f, 0x6b], at + 18 + block.length);
  }
  const view = new DataView(batch.buffer);
  let stream = 1;
  await measured((total) => {
    for (let sent = 0; sent < total; sent += BATCH) {
      for (let i = 0; i < BATCH; i++) {
        engine.request("GET", "/small", [], null);
        view.setUint32(i * per + 5, stream);
        view.setUint32(i * per + 9 + block.length + 5, stream);
        stream += 2;
      }
      engine.takeOutgoing();
      if (check(engine.receive(batch)) !== BATCH) throw new Error("batch not done");
      engine.takeOutgoing();
    }
  });
}

/**
 * Runs warm-up, settling and measured requests in one loop, `inFlight` at a time, marking
 * the phases from inside it. One loop for all: a second loop's new closures would make V8
 * drop the optimized code that inlined the first ones. With many in flight, a mark falls
 * at the end of the read that completed its phase; the requests between the last two
 * marks are counted as they finish.
 */
function connLoop(conn: Connection, inFlight: number): Promise<void> {
  const total = warmup + SETTLE + count;
  return new Promise((resolve, reject) => {
    let started = 0;
    let finished = 0;
    let marks = 0;
    let measuredFrom = 0;
    const onClosed = (err?: Error): void => reject(err ?? new Error("connection closed"));
    const onParts = (parts: ResponsePart[]): void => {
      try {
        finished += check(parts);
      } catch (err) {
        reject(err);
        return;
      }
      if (marks < 2 && finished >= (marks === 0 ? warmup : warmup + SETTLE)) {
        marks++;
        mark();
        measuredFrom = finished;
      }
      while (started < total && started - finished < inFlight) {
        started++;
        conn.request("GET", "/small", [], null);
      }
      if (finished === total) {
        mark();
        measuredCount = total - measuredFrom;
        conn.off("parts", onParts);
        conn.off("closed", onClosed);
        resolve();
      }
    };
    conn.on("closed", onClosed);
    conn.on("parts", onParts);
    for (; started < Math.min(inFlight, total); started++) conn.request("GET", "/small", [], null);
  });
}

async function connPath(protocol: "http1" | "http2", inFlight: number): Promise<void> {
  const conn = await connect("http", "127.0.0.1", port, { protocols: [protocol] });
  await connLoop(conn, inFlight);
  await conn.close();
}

async function poolPath(kind: "pool" | "agent", protocol: "http1" | "http2", inFlight: number): Promise<void> {
  const options = { connect: { protocols: [protocol] }, connections: 1, keepAliveTimeout: 600e3 };
  const origin = `http://127.0.0.1:${port}`;
  const agent = kind === "agent" ? new Agent(options) : undefined;
  const pool = kind === "pool" ? new Pool(origin, options) : undefined;
  let left = 0;
  const loop = async (): Promise<void> => {
    while (left > 0) {
      left--;
      const res = agent !== undefined ? await agent.request(origin + "/small") : await pool!.request("/small");
      for await (const chunk of res.body) if (chunk.length !== 2) throw new Error("unexpected body");
    }
  };
  await measured(async (n) => {
    left = n;
    await Promise.all(Array.from({ length: inFlight }, loop));
  });
  await (agent ?? pool)!.close();
}

/** The same request bytes as conn-h1 over a bare net.Socket, responses counted by length. */
async function rawH1(): Promise<void> {
  const request = Buffer.from(`GET /small HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nuser-agent: mint-http\r\n\r\n`);
  const socket = net.connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once("connect", resolve));
  // The first response tells the length of every response.
  const size = await new Promise<number>((resolve) => {
    let text = "";
    const onData = (d: Buffer): void => {
      text += d.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      const m = /content-length: *(\d+)/i.exec(text);
      if (end < 0 || m === null || text.length < end + 4 + Number(m[1])) return;
      socket.off("data", onData);
      resolve(end + 4 + Number(m[1]));
    };
    socket.on("data", onData);
    socket.write(request);
  });
  // One loop for every phase, as in connLoop.
  await new Promise<void>((resolve) => {
    let left = warmup + SETTLE + count;
    let bytes = 0;
    const onData = (d: Buffer): void => {
      bytes += d.length;
      if (bytes < size) return;
      bytes -= size;
      if (--left === count + SETTLE || left === count) mark();
      if (left > 0) socket.write(request);
      else mark(), socket.off("data", onData), resolve();
    };
    socket.on("data", onData);
    socket.write(request);
  });
  socket.destroy();
}

/** One new verified TLS connection per request, no session reuse: the cost of a full handshake. */
async function tlsNew(): Promise<void> {
  const transportOpts = { cacertfile: caFile!, reuseSessions: false };
  const once = async (): Promise<void> => {
    const conn = await connect("https", "127.0.0.1", port, { transportOpts, protocols: ["http1"], mode: "passive" });
    const ref = conn.request("GET", "/", [], null);
    for (let done = false; !done; ) for (const p of await conn.recv(0, 30_000)) done ||= check([p]) === 1 && p.ref === ref;
    await conn.close();
  };
  await measured(async (n) => {
    for (let i = 0; i < n; i++) await once();
  });
}

// undici is loaded only by the paths that use it, so that the others measure a process
// without it.
async function undiciTlsNew(): Promise<void> {
  const { Client, buildConnector } = await import("undici");
  const connector = buildConnector({ ca: readFileSync(caFile!), maxCachedSessions: 0 });
  const once = async (): Promise<void> => {
    const client = new Client(`https://127.0.0.1:${port}`, { connect: connector });
    const { body } = await client.request({ path: "/", method: "GET" });
    await body.text();
    await client.destroy();
  };
  await measured(async (n) => {
    for (let i = 0; i < n; i++) await once();
  });
}

const UPLOAD = new Uint8Array(1024 * 1024).fill(0x61);

async function uploadH1(): Promise<void> {
  const conn = await connect("http", "127.0.0.1", port, { protocols: ["http1"] });
  await measured(
    (n) =>
      new Promise<void>((resolve, reject) => {
        let left = n;
        const onParts = (parts: ResponsePart[]): void => {
          try {
            if (check(parts) === 0) return;
          } catch (err) {
            reject(err);
            return;
          }
          if (--left > 0) conn.request("POST", "/", [], UPLOAD);
          else conn.off("parts", onParts), resolve();
        };
        conn.on("parts", onParts);
        conn.request("POST", "/", [], UPLOAD);
      }),
  );
  await conn.close();
}

async function undiciUploadH1(): Promise<void> {
  const { Pool: UndiciPool } = await import("undici");
  const pool = new UndiciPool(`http://127.0.0.1:${port}`, { connections: 1 });
  const body = Buffer.from(UPLOAD.buffer);
  await measured(async (n) => {
    for (let i = 0; i < n; i++) await (await pool.request({ path: "/", method: "POST", body })).body.text();
  });
  await pool.close();
}

switch (path) {
  case "tls-new": await tlsNew(); break;
  case "undici-tls-new": await undiciTlsNew(); break;
  case "upload-h1": await uploadH1(); break;
  case "undici-upload-h1": await undiciUploadH1(); break;
  case "engine-h1": await engineH1(); break;
  case "engine-h2": await engineH2(); break;
  case "raw-h1": await rawH1(); break;
  case "conn-h1": await connPath("http1", 1); break;
  case "conn-h2": await connPath("http2", BATCH); break;
  case "pool-h1": await poolPath("pool", "http1", 1); break;
  case "agent-h2": await poolPath("agent", "http2", BATCH); break;
  default: throw new Error(`unknown path ${String(path)}`);
}
process.stdout.write(JSON.stringify({ measured: measuredCount }) + "\n");
