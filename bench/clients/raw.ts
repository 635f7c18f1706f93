// The ceiling: pre-encoded requests written straight to sockets, responses counted by their
// known length (HTTP/1) or by the end of the body (TLS). No real client can do less work.
// Over TLS (scheme https) the same loop runs on a TLS socket; with protocol http2 it sends a
// pre-encoded HEADERS frame per request and walks only the frame headers of what it reads
// (END_STREAM ends a response), refilling the windows as mint-http's defaults would.
import net from "node:net";
import tls from "node:tls";
import fs from "node:fs";
import { job, Meter, report, fail, uploadBody } from "./driver.js";

const head =
  job.method === "POST"
    ? `POST ${job.path} HTTP/1.1\r\nhost: ${job.host}:${job.port}\r\ncontent-length: ${job.bodySize}\r\n\r\n`
    : `GET ${job.path} HTTP/1.1\r\nhost: ${job.host}:${job.port}\r\n\r\n`;
const REQUEST = job.method === "POST" ? Buffer.concat([Buffer.from(head), uploadBody]) : Buffer.from(head);

/** A TCP socket, or a TLS socket (verified against the bench CA) for scheme https; `ready` runs once it can write. */
function open(alpn: string, ready: (socket: net.Socket) => void): net.Socket {
  if (job.scheme !== "https") {
    const socket = net.connect(job.port, job.host);
    socket.on("connect", () => ready(socket));
    return socket;
  }
  const socket = tls.connect({ host: job.host, port: job.port, ca: fs.readFileSync(job.ca), ALPNProtocols: [alpn] });
  socket.on("secureConnect", () => ready(socket));
  return socket;
}

async function requests(): Promise<never> {
  if (job.protocol === "http2") return http2Requests();
  const meter = new Meter();
  const size = job.responseSize;
  // a batch of k requests, pre-concatenated (small requests only; bodies are written one by one)
  const batches = new Map<number, Buffer>();
  const batch = (k: number) => {
    let b = batches.get(k);
    if (!b) batches.set(k, (b = Buffer.concat(Array(k).fill(REQUEST))));
    return b;
  };
  const send = (socket: net.Socket, k: number) => {
    if (REQUEST.length > 4096) for (let i = 0; i < k; i++) socket.write(REQUEST);
    else socket.write(batch(k));
  };
  for (let c = 0; c < job.connections; c++) {
    const socket = open("http/1.1", (s) => send(s, job.inFlight));
    socket.setNoDelay(true);
    socket.on("error", fail);
    let partial = 0; // bytes of the current, unfinished response
    socket.on("data", (chunk: Buffer) => {
      meter.bytes += chunk.length;
      partial += chunk.length;
      const n = Math.floor(partial / size);
      if (n === 0) return;
      partial -= n * size;
      for (let i = 0; i < n; i++) meter.done();
      if (meter.running) send(socket, n);
    });
  }
  const r = await meter.run();
  report({ reqPerSec: r.perSec, mbPerSec: r.mbPerSec });
}

// HTTP/2: the windows mint-http announces by default (4 MiB per stream, 16 MiB for the
// connection), refilled once 160,000 bytes are consumed.
const STREAM_WINDOW = 4 * 1024 * 1024;
const CONN_WINDOW = 16 * 1024 * 1024;
const REFILL = 160_000;

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const literal = (index: number, value: string) => Buffer.concat([Buffer.from([index, value.length]), Buffer.from(value)]);

/** One stream at a time per request slot: HEADERS out, frame headers walked in, windows refilled. */
async function http2Requests(): Promise<never> {
  const meter = new Meter();
  // HPACK: :method GET (2), :scheme (6 http / 7 https), :path and :authority as literals
  // without indexing (RFC 7541 §6.2.2), so every request's block is the same bytes.
  const block = Buffer.concat([
    Buffer.from([0x82, job.scheme === "https" ? 0x87 : 0x86]),
    literal(0x04, job.path),
    literal(0x01, `${job.host}:${job.port}`),
  ]);
  const settings = Buffer.concat([Buffer.from([0, 4]), u32(STREAM_WINDOW)]); // SETTINGS_INITIAL_WINDOW_SIZE
  let nextId = 1;
  const headers = () => {
    const f = frame(0x1, 0x5, nextId, block); // END_STREAM | END_HEADERS
    nextId += 2;
    return f;
  };
  let consumedConn = 0;
  const consumedStream = new Map<number, number>();
  const start = (s: net.Socket) => {
    const preface = [Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), frame(0x4, 0, 0, settings), frame(0x8, 0, 0, u32(CONN_WINDOW - 65_535))];
    for (let i = 0; i < job.inFlight; i++) preface.push(headers());
    s.write(Buffer.concat(preface));
  };
  const socket = open("h2", start);
  socket.setNoDelay(true);
  socket.on("error", fail);
  // Where we are in the byte stream: inside a frame header (`headHave` of its 9 bytes read)
  // or inside a payload (`payloadLeft` bytes to skip).
  const head = Buffer.alloc(9);
  let headHave = 0, payloadLeft = 0, type = 0, flags = 0, stream = 0;
  socket.on("data", (chunk: Buffer) => {
    meter.bytes += chunk.length;
    const out: Buffer[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (payloadLeft > 0) {
        const take = Math.min(payloadLeft, chunk.length - pos);
        payloadLeft -= take;
        pos += take;
        if (type === 0x0) {
          consumedConn += take;
          consumedStream.set(stream, (consumedStream.get(stream) ?? 0) + take);
        }
      } else {
        const take = Math.min(9 - headHave, chunk.length - pos);
        chunk.copy(head, headHave, pos, pos + take);
        headHave += take;
        pos += take;
        if (headHave < 9) break;
        headHave = 0;
        payloadLeft = head.readUIntBE(0, 3);
        type = head[3]!;
        flags = head[4]!;
        stream = head.readUInt32BE(5) & 0x7fffffff;
        if (type === 0x4 && (flags & 1) === 0) out.push(frame(0x4, 0x1, 0, Buffer.alloc(0))); // SETTINGS ack
        // node:http2 may follow a finished response with RST_STREAM(NO_ERROR): ignored; a
        // stream reset before its end would stop the run ("no progress"), a GOAWAY fails it.
        if (type === 0x7) fail(new Error("raw h2: GOAWAY from the server"));
      }
      if (payloadLeft === 0 && headHave === 0 && (type === 0x0 || type === 0x1) && (flags & 0x1) !== 0 && stream !== 0) {
        consumedStream.delete(stream);
        flags = 0;
        meter.done();
        if (meter.running) out.push(headers());
      }
    }
    if (consumedConn >= REFILL) {
      out.push(frame(0x8, 0, 0, u32(consumedConn)));
      consumedConn = 0;
    }
    for (const [id, n] of consumedStream) {
      if (n < REFILL) continue;
      out.push(frame(0x8, 0, id, u32(n)));
      consumedStream.set(id, 0);
    }
    if (out.length > 0) socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
  });
  const r = await meter.run();
  report({ reqPerSec: r.perSec, mbPerSec: r.mbPerSec });
}

/** New TLS connection, one request with `connection: close`, read until the server closes. */
async function tlsConnections(): Promise<never> {
  const meter = new Meter();
  const ca = fs.readFileSync(job.ca);
  const req = Buffer.from(`GET / HTTP/1.1\r\nhost: ${job.host}:${job.port}\r\nconnection: close\r\n\r\n`);
  let session: Buffer | undefined;
  const once = () => {
    const socket = tls.connect({ host: job.host, port: job.port, ca, session: job.resume ? session : undefined });
    socket.on("session", (s: Buffer) => (session = s));
    socket.on("error", fail);
    socket.on("secureConnect", () => socket.end(req));
    socket.on("data", () => {});
    socket.on("close", () => {
      meter.done();
      if (meter.running) once();
    });
  };
  for (let c = 0; c < job.connections; c++) once();
  const r = await meter.run();
  report({ connsPerSec: r.perSec });
}

if (job.kind === "requests") await requests();
else if (job.kind === "tls") await tlsConnections();
else fail(new Error(`raw: no ${job.kind} scenario`));
