// The ceiling: pre-encoded requests written straight to sockets, responses counted by their
// known length (HTTP/1) or by the end of the body (TLS). No real client can do less work.
import net from "node:net";
import tls from "node:tls";
import fs from "node:fs";
import { job, Meter, report, fail, uploadBody } from "./driver.js";

const head =
  job.method === "POST"
    ? `POST ${job.path} HTTP/1.1\r\nhost: ${job.host}:${job.port}\r\ncontent-length: ${job.bodySize}\r\n\r\n`
    : `GET ${job.path} HTTP/1.1\r\nhost: ${job.host}:${job.port}\r\n\r\n`;
const REQUEST = job.method === "POST" ? Buffer.concat([Buffer.from(head), uploadBody]) : Buffer.from(head);

async function requests(): Promise<never> {
  if (job.protocol !== "http1") fail(new Error("the raw ceiling speaks HTTP/1 only"));
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
    const socket = net.connect(job.port, job.host);
    socket.setNoDelay(true);
    socket.on("error", fail);
    let partial = 0; // bytes of the current, unfinished response
    socket.on("connect", () => send(socket, job.inFlight));
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
