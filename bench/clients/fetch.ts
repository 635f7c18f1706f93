// fetch() and undici's request() over mint-http's Agent (as an undici dispatcher) and over
// their usual dispatchers: Node's global fetch with its default dispatcher, undici 7's
// fetch with Agent({ allowH2: true }) (HTTP/2 over TLS by ALPN), undici's request() over
// undici's Agent; and Node's fetch over a dispatcher answering from memory, which shows what
// fetch itself costs per request (no dispatcher can beat it). Each loop issues one request,
// reads the whole body, and issues the next.
import fs from "node:fs";
import * as undici from "undici";
import { Agent } from "../../src/pool/index.js";
import { job, Meter, report, fail } from "./driver.js";

const tls = job.ca !== "";
const url = `${tls ? "https" : "http"}://${job.host}:${job.port}${job.path}`;
const ca = tls ? fs.readFileSync(job.ca, "utf8") : undefined;

function mintAgent(): Agent {
  return new Agent({
    connections: job.connections, keepAliveTimeout: 600e3,
    connect: ca === undefined ? {} : { transportOpts: { cacerts: [ca] } },
  });
}

function undiciAgent(): undici.Dispatcher {
  // On HTTP/2 undici sends at most `pipelining` streams at once per connection (default 1):
  // allow the scenario's streams so that it multiplexes as the mint-http Agent does.
  const h2 = tls && job.protocol === "http2" ? { allowH2: true, pipelining: job.inFlight } : {};
  return new undici.Agent({ connections: job.connections, keepAliveTimeout: 600e3, ...h2, ...(ca === undefined ? {} : { connect: { ca } }) });
}

/**
 * A dispatcher that answers every request from memory, one event-loop turn later, with the
 * scenario's small response: what fetch() costs by itself, the ceiling of any dispatcher.
 */
function memoryDispatcher(): unknown {
  const noop = (): void => {};
  return {
    dispatch(_opts: unknown, h: { onConnect(abort: () => void): void; onHeaders(s: number, raw: Buffer[], resume: () => void, text: string): void; onData(b: Buffer): void; onComplete(t: Buffer[]): void }): boolean {
      h.onConnect(noop);
      setImmediate(() => {
        h.onHeaders(200, [Buffer.from("content-length"), Buffer.from("2")], noop, "OK");
        h.onData(Buffer.from("ok"));
        h.onComplete([]);
      });
      return true;
    },
    on() { return this; }, once() { return this; }, off() { return this; }, emit: () => true, close: noop, destroy: noop,
  };
}

type Issue = () => Promise<number>;

function fetchWith(f: typeof fetch, dispatcher: unknown): Issue {
  const init = (dispatcher === undefined ? {} : { dispatcher }) as RequestInit;
  return async () => (await (await f(url, init)).arrayBuffer()).byteLength;
}

function requestWith(dispatcher: undici.Dispatcher): Issue {
  return async () => {
    const { body } = await undici.request(url, { dispatcher });
    return (await body.arrayBuffer()).byteLength;
  };
}

function issuer(): Issue {
  switch (job.variant) {
    case "node-mint": return fetchWith(fetch, mintAgent());
    case "node-default": return fetchWith(fetch, undefined);
    case "node-memory": return fetchWith(fetch, memoryDispatcher());
    case "undici-mint": return fetchWith(undici.fetch as unknown as typeof fetch, mintAgent());
    case "undici-h2": return fetchWith(undici.fetch as unknown as typeof fetch, undiciAgent());
    case "request-mint": return requestWith(mintAgent() as unknown as undici.Dispatcher);
    case "request-undici": return requestWith(undiciAgent());
    default: return fail(new Error(`fetch: no variant ${job.variant}`));
  }
}

async function requests(): Promise<never> {
  const meter = new Meter();
  const issue = issuer();
  const loop = (): void => {
    issue().then((n) => {
      meter.bytes += n;
      meter.done();
      if (meter.running) loop();
    }, fail);
  };
  const slots = job.protocol === "http2" ? job.inFlight : job.connections * job.inFlight;
  for (let i = 0; i < slots; i++) loop();
  const r = await meter.run();
  report({ reqPerSec: r.perSec, mbPerSec: r.mbPerSec });
}

if (job.kind === "requests") await requests();
else fail(new Error(`fetch: no ${job.kind} scenario`));
