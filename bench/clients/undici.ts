// undici: Pool.request / Pool.dispatch for HTTP/1, H2CClient (h2c prior knowledge) for
// HTTP/2, an Agent with allowH2 for HTTP/2 over TLS, a new Client per connection for TLS
// (one connector, so its session cache is shared).
import fs from "node:fs";
import { Agent, Pool, H2CClient, Client, buildConnector, type Dispatcher } from "undici";
import { job, Meter, report, fail, measureMemory, uploadBody } from "./driver.js";

const origin = `${job.scheme ?? "http"}://${job.host}:${job.port}`;
const body = job.method === "POST" ? uploadBody : null;

function dispatcher(): Dispatcher {
  if (job.variant === "agent-h2") {
    // HTTP/2 over TLS through an Agent with allowH2, one connection of up to inFlight streams.
    return new Agent({ allowH2: true, connections: job.connections, pipelining: job.inFlight, connect: { ca: fs.readFileSync(job.ca) } });
  }
  if (job.protocol === "http2") {
    return new H2CClient(origin, { pipelining: job.inFlight, maxConcurrentStreams: Math.max(100, job.inFlight) });
  }
  const tls = job.scheme === "https" ? { connect: { ca: fs.readFileSync(job.ca) } } : {};
  return new Pool(origin, { connections: job.connections, pipelining: job.inFlight, keepAliveTimeout: 600e3, ...tls });
}

/** Issues one request; `onData` sees each body chunk, `onEnd` runs when the response is done. */
function viaRequest(d: Dispatcher, onData: (n: number) => void, onEnd: () => void): void {
  d.request({ origin, path: job.path, method: job.method, body }).then(({ body: res }) => {
    res.on("data", (chunk: Buffer) => onData(chunk.length));
    res.on("end", onEnd);
    res.on("error", fail);
  }, fail);
}

function viaDispatch(d: Dispatcher, onData: (n: number) => void, onEnd: () => void): void {
  d.dispatch(
    { origin, path: job.path, method: job.method, body },
    {
      onRequestStart() {},
      onResponseStart() {},
      onResponseData(_c, chunk) {
        onData(chunk.length);
      },
      onResponseEnd: onEnd,
      onResponseError(_c, err) {
        fail(err);
      },
    },
  );
}

const issue = job.variant === "dispatch" ? viaDispatch : viaRequest;

async function requests(): Promise<never> {
  const meter = new Meter();
  const d = dispatcher();
  const onData = (n: number) => (meter.bytes += n);
  const loop = (): void =>
    issue(d, onData, () => {
      meter.done();
      if (meter.running) loop();
    });
  const slots = job.protocol === "http2" ? job.inFlight : job.connections * job.inFlight;
  for (let i = 0; i < slots; i++) loop();
  const r = await meter.run();
  report({ reqPerSec: r.perSec, mbPerSec: r.mbPerSec });
}

async function tlsConnections(): Promise<never> {
  const meter = new Meter();
  const connector = buildConnector({ ca: fs.readFileSync(job.ca), maxCachedSessions: job.resume ? 100 : 0 });
  const once = (): void => {
    const client = new Client(`https://${job.host}:${job.port}`, { connect: connector });
    client.request({ path: "/", method: "GET" }).then(({ body: res }) => {
      res.resume();
      res.on("end", () => {
        client.destroy().then(() => {
          meter.done();
          if (meter.running) once();
        }, fail);
      });
    }, fail);
  };
  for (let c = 0; c < job.connections; c++) once();
  const r = await meter.run();
  report({ connsPerSec: r.perSec });
}

/** Memory: a Pool of N connections, N requests in parallel so that each opens its own socket. */
async function memory(): Promise<never> {
  return measureMemory(async (n) => {
    const pool = new Pool(origin, { connections: n, keepAliveTimeout: 600e3 });
    await Promise.all(
      Array.from({ length: n }, () => pool.request({ path: "/", method: "GET" }).then(({ body: res }) => res.text())),
    );
    return pool;
  });
}

if (job.kind === "requests") await requests();
else if (job.kind === "tls") await tlsConnections();
else if (job.kind === "memory") await memory();
else fail(new Error(`undici: no ${job.kind} scenario`));
