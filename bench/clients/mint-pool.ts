// mint-http's pool: Pool.request (variant "pool", one origin, `connections` sockets with
// `inFlight` pipelined each) or Agent.request (variant "agent", the pool picked by the URL's
// origin). Each response body is read whole with for-await, as an application would.
import { Agent, Pool } from "../../src/pool/index.js";
import { job, Meter, report, fail, uploadBody } from "./driver.js";

const body = job.method === "POST" ? new Uint8Array(uploadBody.buffer, uploadBody.byteOffset, uploadBody.length) : null;
const origin = `${job.scheme ?? "http"}://${job.host}:${job.port}`;
const connect = {
  protocols: job.scheme === "https" ? (["http1", "http2"] as Array<"http1" | "http2">) : job.protocol === "http2" ? (["http2"] as Array<"http1" | "http2">) : (["http1"] as Array<"http1" | "http2">),
  ...(job.scheme === "https" ? { transportOpts: { cacertfile: job.ca } } : {}),
};
const options = { connect, connections: job.connections, pipelining: job.protocol === "http1" ? job.inFlight : 1, keepAliveTimeout: 600e3 };

async function requests(): Promise<never> {
  const meter = new Meter();
  let request: (url: string) => ReturnType<Pool["request"]>;
  if (job.variant === "agent") {
    const agent = new Agent(options);
    request = (path) => agent.request(origin + path, { method: job.method, body });
  } else {
    const pool = new Pool(origin, options);
    request = (path) => pool.request(path, { method: job.method, body });
  }
  const loop = async (): Promise<void> => {
    while (meter.running) {
      const res = await request(job.path);
      for await (const chunk of res.body) meter.bytes += chunk.length;
      meter.done();
    }
  };
  const slots = job.protocol === "http2" ? job.inFlight : job.connections * job.inFlight;
  for (let i = 0; i < slots; i++) loop().catch(fail);
  const r = await meter.run();
  report({ reqPerSec: r.perSec, mbPerSec: r.mbPerSec });
}

if (job.kind === "requests") await requests();
else fail(new Error(`mint-http pool: no ${job.kind} scenario`));
