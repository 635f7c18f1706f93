// Node's own clients: node:http with a keep-alive agent (HTTP/1), node:http2 with one session
// (HTTP/2, h2c or over TLS), node:https with keep-alive off (TLS, the agent's session cache on or off).
import http from "node:http";
import http2 from "node:http2";
import https from "node:https";
import fs from "node:fs";
import { job, Meter, report, fail, measureMemory, uploadBody } from "./driver.js";

const body = job.method === "POST" ? uploadBody : null;

function http1(agent: http.Agent, onData: (n: number) => void, onEnd: () => void): void {
  const headers = body ? { "content-length": String(body.length) } : undefined;
  const req = http.request({ agent, host: job.host, port: job.port, path: job.path, method: job.method, headers }, (res) => {
    res.on("data", (chunk: Buffer) => onData(chunk.length));
    res.on("end", onEnd);
  });
  req.on("error", fail);
  req.end(body ?? undefined);
}

async function requests(): Promise<never> {
  const meter = new Meter();
  const onData = (n: number) => (meter.bytes += n);
  let issue: (onEnd: () => void) => void;
  let slots: number;
  if (job.protocol === "http2") {
    const session = job.scheme === "https"
      ? http2.connect(`https://${job.host}:${job.port}`, { ca: fs.readFileSync(job.ca) })
      : http2.connect(`http://${job.host}:${job.port}`);
    session.on("error", fail);
    issue = (onEnd) => {
      const stream = session.request({ ":path": job.path, ":method": job.method }, { endStream: !body });
      stream.on("data", (chunk: Buffer) => onData(chunk.length));
      stream.on("end", onEnd);
      stream.on("error", fail);
      if (body) stream.end(body);
    };
    slots = job.inFlight;
  } else {
    if (job.inFlight > 1) fail(new Error("node:http does not pipeline"));
    const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
    issue = (onEnd) => http1(agent, onData, onEnd);
    slots = job.connections;
  }
  const loop = (): void =>
    issue(() => {
      meter.done();
      if (meter.running) loop();
    });
  for (let i = 0; i < slots; i++) loop();
  const r = await meter.run();
  report({ reqPerSec: r.perSec, mbPerSec: r.mbPerSec });
}

async function tlsConnections(): Promise<never> {
  const meter = new Meter();
  const agent = new https.Agent({ keepAlive: false, maxCachedSessions: job.resume ? 100 : 0 });
  const ca = fs.readFileSync(job.ca);
  const once = (): void => {
    const req = https.request({ agent, ca, host: job.host, port: job.port, path: "/" }, (res) => {
      res.resume();
      res.on("end", () => {
        meter.done();
        if (meter.running) once();
      });
    });
    req.on("error", fail);
    req.end();
  };
  for (let c = 0; c < job.connections; c++) once();
  const r = await meter.run();
  report({ connsPerSec: r.perSec });
}

async function memory(): Promise<never> {
  return measureMemory(async (n) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: n });
    await Promise.all(
      Array.from({ length: n }, () => new Promise<void>((resolve) => http1(agent, () => {}, resolve))),
    );
    return agent;
  });
}

if (job.kind === "requests") await requests();
else if (job.kind === "tls") await tlsConnections();
else if (job.kind === "memory") await memory();
else fail(new Error(`node: no ${job.kind} scenario`));
