// The dispatcher receives each response as the pool pushes it, inside the connection's read:
// these tests pin what that must not change for a handler. A pause holds what already
// arrived in the same read (the body and even the end wait for resume); abort() and new
// dispatches from inside a callback leave the connection and the pool sound.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http2 from "node:http2";
import type net from "node:net";
import { Agent, Pool } from "../../src/pool/index.js";
import { startRawServer, type Running } from "../support/servers.js";
import { strictHandler } from "../support/strict-handler.js";
import { sleep, until } from "../support/wait.js";

let h1: Running & { sockets: Set<net.Socket> };
let h2: http2.Http2Server;
let h1Origin: string;
let h2Origin: string;
let h1Connections = 0;

before(async () => {
  // Head, body and end in one write, so that they reach the client in one read.
  h1 = await startRawServer((socket) => {
    h1Connections++;
    let buffered = "";
    socket.on("data", (d: Buffer) => {
      buffered += d.toString("latin1");
      let end: number;
      while ((end = buffered.indexOf("\r\n\r\n")) >= 0) {
        const slow = buffered.startsWith("GET /slow ");
        buffered = buffered.slice(end + 4);
        const answer = (): void => void socket.write("HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\nhello, world!!!");
        if (slow) setTimeout(answer, 100);
        else answer();
      }
    });
  });
  h1Origin = `http://127.0.0.1:${h1.port}`;
  h2 = http2.createServer();
  h2.on("stream", (stream, headers) => {
    const answer = (): void => {
      stream.respond({ ":status": 200 });
      // Three DATA frames and the end, written together.
      stream.write("aaaa");
      stream.write("bbbb");
      stream.end("cccc");
    };
    if (headers[":path"] === "/slow") setTimeout(answer, 100);
    else answer();
  });
  await new Promise<void>((resolve) => h2.listen(0, "127.0.0.1", resolve));
  h2Origin = `http://127.0.0.1:${(h2.address() as net.AddressInfo).port}`;
});

after(async () => {
  h1.close();
  await new Promise((resolve) => h2.close(resolve));
});

function agentFor(origin: string): Agent {
  return new Agent(origin === h2Origin ? { connect: { protocols: ["http2"] } } : {});
}

type Controller = { pause(): void; resume(): void };

/** Dispatches with an undici 7 handler that records start, data and end; optionally paused from onRequestStart. */
function recordStart(agent: Agent, opts: Record<string, unknown>, pauseAtStart: boolean) {
  const events: string[] = [];
  let ctl: Controller | undefined;
  const done = new Promise<void>((resolve, reject) => {
    agent.dispatch(opts as unknown as Parameters<Agent["dispatch"]>[0], {
      onRequestStart(c: Controller) {
        ctl = c;
        if (pauseAtStart) c.pause();
      },
      onResponseStart() {
        events.push("start");
      },
      onResponseData() {
        events.push("data");
      },
      onResponseEnd() {
        events.push("end");
        resolve();
      },
      onResponseError(_c: unknown, err: Error) {
        reject(err);
      },
    });
  });
  return { events, done, controller: (): Controller => ctl! };
}

for (const proto of ["http1", "http2"] as const) {
  const originOf = (): string => (proto === "http1" ? h1Origin : h2Origin);

  test(`${proto}: a pause in onHeaders holds the body and the end that arrived with the head until resume()`, async () => {
    const agent = agentFor(originOf());
    const events: string[] = [];
    let resume: (() => void) | undefined;
    const done = new Promise<string>((resolve, reject) => {
      const body: Buffer[] = [];
      agent.dispatch({ origin: originOf(), path: "/", method: "GET" }, {
        onConnect() {},
        onHeaders(_s: number, _h: Buffer[], r: () => void) {
          events.push("headers");
          resume = r;
          return false;
        },
        onData(chunk: Buffer) {
          events.push("data");
          body.push(chunk);
          return true;
        },
        onComplete() {
          events.push("complete");
          resolve(Buffer.concat(body).toString());
        },
        onError: reject,
      });
    });
    await until(() => events.length > 0);
    await sleep(50);
    assert.deepEqual(events, ["headers"], "nothing is delivered while paused");
    resume!();
    assert.deepEqual(events, ["headers"], "resume() does not deliver from inside the handler's call");
    const body = await done;
    assert.equal(body, proto === "http1" ? "hello, world!!!" : "aaaabbbbcccc");
    assert.equal(events.at(-1), "complete");
    await agent.close();
  });

  test(`${proto}: an undici 7 handler paused in onRequestStart gets its head, and data only after resume()`, async () => {
    const agent = agentFor(originOf());
    const { events, done, controller } = recordStart(agent, { origin: originOf(), path: "/", method: "GET" }, true);
    await until(() => events.length > 0);
    await sleep(50);
    assert.deepEqual(events, ["start"]);
    controller().resume();
    await done;
    assert.equal(events.at(-1), "end");
    assert.ok(events.includes("data"));
    await agent.close();
  });

  test(`${proto}: a pause while waiting for the head still lets the head in; the body follows resume()`, async () => {
    const agent = agentFor(originOf());
    const { events, done, controller } = recordStart(agent, { origin: originOf(), path: "/slow", method: "GET", headersTimeout: 1000 }, false);
    await sleep(30);
    controller().pause();
    await until(() => events.length > 0);
    await sleep(50);
    assert.deepEqual(events, ["start"], "the head arrives while paused; the body waits");
    controller().resume();
    await done;
    assert.equal(events.at(-1), "end");
    await agent.close();
  });

  test(`${proto}: abort() from inside onHeaders is one onError; the dispatcher serves the next request`, async () => {
    const agent = agentFor(originOf());
    const reason = new Error("not this one");
    const h = strictHandler();
    const onHeaders = h.onHeaders;
    h.onHeaders = (...args) => {
      const r = onHeaders(...args);
      h.abort!(reason);
      return r;
    };
    agent.dispatch({ origin: originOf(), path: "/", method: "GET" }, h);
    const seen = await h.done;
    assert.equal(seen.error, reason);
    assert.ok(!seen.events.includes("complete"));
    const next = strictHandler();
    agent.dispatch({ origin: originOf(), path: "/", method: "GET" }, next);
    const ok = await next.done;
    assert.equal(ok.error, undefined);
    assert.equal(ok.status, 200);
    await agent.close();
  });

  test(`${proto}: each onComplete dispatches the next request; 200 in a chain all complete`, async () => {
    const pool = new Pool(originOf(), proto === "http2" ? { connect: { protocols: ["http2"] } } : {});
    const before = h1Connections;
    let completed = 0;
    await new Promise<void>((resolve, reject) => {
      const next = (): void => {
        pool.dispatch({ path: "/", method: "GET" }, {
          onConnect() {},
          onHeaders: () => true,
          onData: () => true,
          onComplete() {
            if (++completed === 200) resolve();
            else next();
          },
          onError: reject,
        });
      };
      next();
    });
    assert.equal(completed, 200);
    if (proto === "http1") assert.equal(h1Connections - before, 1, "one connection, reused");
    await pool.close();
  });
}
