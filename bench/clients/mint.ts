// mint-http: one Connection per socket, driven in active mode ("parts" events) or passive
// mode (a recv loop per connection). HTTP/2 uses h2c prior knowledge (protocols: ["http2"]),
// or TLS when the job's scheme is https.
import { connect, type Connection, type ResponsePart } from "../../src/index.js";
import { job, Meter, report, fail, measureMemory, uploadBody } from "./driver.js";

const passive = job.variant === "passive";
const body = job.method === "POST" ? new Uint8Array(uploadBody.buffer, uploadBody.byteOffset, uploadBody.length) : null;

function open(scheme: "http" | "https" = "http", extra: Record<string, unknown> = {}): Promise<Connection> {
  const protocols: Array<"http1" | "http2"> = job.protocol === "http2" ? ["http2"] : ["http1"];
  return connect(scheme, job.host, job.port, { mode: passive ? "passive" : "active", protocols, ...extra });
}

/** Calls `onPart` for each part; rejects on an error part or a closed connection. */
function drive(conn: Connection, onPart: (p: ResponsePart) => void): void {
  const handle = (parts: ResponsePart[]) => {
    for (const p of parts) {
      if (p.type === "error") fail(p.error);
      onPart(p);
    }
  };
  if (passive) {
    const pump = (): void => {
      conn.recv(0, 30_000).then((parts) => {
        handle(parts);
        pump();
      }, fail);
    };
    pump();
  } else {
    conn.on("parts", handle);
    conn.on("closed", (err?: Error) => fail(err ?? new Error("connection closed")));
  }
}

async function requests(): Promise<never> {
  const meter = new Meter();
  const count = job.protocol === "http2" ? 1 : job.connections;
  const tls = job.scheme === "https" ? { transportOpts: { cacertfile: job.ca } } : {};
  const conns = await Promise.all(Array.from({ length: count }, () => open(job.scheme, tls)));
  for (const conn of conns) {
    drive(conn, (p) => {
      if (p.type === "data") meter.bytes += p.data.length;
      else if (p.type === "done") {
        meter.done();
        if (meter.running) conn.request(job.method, job.path, [], body);
      }
    });
    for (let i = 0; i < job.inFlight; i++) conn.request(job.method, job.path, [], body);
  }
  const r = await meter.run();
  report({ reqPerSec: r.perSec, mbPerSec: r.mbPerSec });
}

async function tlsConnections(): Promise<never> {
  const meter = new Meter();
  const transportOpts = { cacertfile: job.ca, reuseSessions: job.resume };
  const lane = async (): Promise<void> => {
    while (meter.running) {
      const conn = await open("https", { transportOpts, mode: "passive" });
      const ref = conn.request("GET", "/", [], null);
      for (let done = false; !done; ) {
        for (const p of await conn.recv(0, 30_000)) {
          if (p.type === "error") throw p.error;
          if (p.type === "done" && p.ref === ref) done = true;
        }
      }
      await conn.close();
      meter.done();
    }
  };
  for (let c = 0; c < job.connections; c++) lane().catch(fail);
  const r = await meter.run();
  report({ connsPerSec: r.perSec });
}

async function memory(): Promise<never> {
  return measureMemory(async (n) => {
    const conns = await Promise.all(Array.from({ length: n }, () => open()));
    await Promise.all(
      conns.map(
        (conn) =>
          new Promise<void>((resolve) => {
            drive(conn, (p) => p.type === "done" && resolve());
            conn.request("GET", "/", [], null);
          }),
      ),
    );
    return conns;
  });
}

if (job.kind === "requests") await requests();
else if (job.kind === "tls") await tlsConnections();
else if (job.kind === "memory") await memory();
else fail(new Error(`mint-http: no ${job.kind} scenario`));
