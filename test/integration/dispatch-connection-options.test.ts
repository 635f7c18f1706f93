// Dispatch options and events about connections: `reset: true` (connection: close on
// HTTP/1), the server's reason phrase as statusText, and undici's "connect" / "disconnect" /
// "connectionError" events on Pool and Agent.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { fetch as undiciFetch, request as undiciRequest } from "undici";
import { Agent, Pool } from "../../src/pool/index.js";
import { startHTTPServer, type Running } from "../support/servers.js";
import { strictHandler } from "../support/strict-handler.js";

let server: Running;
let origin: string;
const heads: Array<{ port: number; connection: string | undefined }> = [];

before(async () => {
  server = await startHTTPServer((req, res) => {
    heads.push({ port: req.socket.remotePort!, connection: req.headers.connection });
    if (req.url === "/phrase") {
      res.statusMessage = "Fine Thanks";
      return void res.end("phrase");
    }
    res.end("ok");
  });
  origin = `http://127.0.0.1:${server.port}`;
});
after(() => server.close());

async function get(agent: Agent, path: string, extra: Record<string, unknown> = {}): Promise<{ status: number; statusText: string }> {
  const h = strictHandler();
  agent.dispatch({ origin, path, method: "GET", ...extra }, h);
  const s = await h.done;
  if (s.error !== undefined) throw s.error;
  return s;
}

test("reset: true sends connection: close and the next request gets a new connection", async () => {
  const agent = new Agent();
  heads.length = 0;
  await get(agent, "/a");
  await get(agent, "/b");
  assert.equal(heads[0]!.port, heads[1]!.port, "without reset the connection is reused");
  await get(agent, "/c", { reset: true });
  assert.equal(heads[2]!.connection, "close");
  assert.equal(heads[2]!.port, heads[1]!.port);
  await get(agent, "/d");
  assert.notEqual(heads[3]!.port, heads[2]!.port, "the connection retired after the reset request");
  assert.notEqual(heads[3]!.connection, "close");
  await agent.close();
});

test("reset: true on HTTP/2 sends no connection header (the request succeeds)", async () => {
  const h2 = http2.createServer((req, res) => res.end(`connection=${String(req.headers.connection)}`));
  await new Promise<void>((resolve) => h2.listen(0, "127.0.0.1", resolve));
  const pool = new Pool(`http://127.0.0.1:${(h2.address() as AddressInfo).port}`, { connect: { protocols: ["http2"] } });
  const r = await undiciRequest(`http://127.0.0.1:${(h2.address() as AddressInfo).port}/`, { dispatcher: pool as never, reset: true });
  assert.equal(await r.body.text(), "connection=undefined");
  await pool.close();
  await new Promise<void>((resolve) => h2.close(() => resolve()));
});

test("statusText is the server's reason phrase when the connection reports it, else the standard text", async () => {
  const plain = new Agent();
  assert.equal((await get(plain, "/phrase")).statusText, "OK");
  const phrases = new Agent({ connect: { optionalResponses: ["status_reason"] } });
  const s = await get(phrases, "/phrase");
  assert.equal(s.status, 200);
  assert.equal(s.statusText, "Fine Thanks");
  const r = await undiciFetch(`${origin}/phrase`, { dispatcher: phrases as never });
  assert.equal(r.statusText, "Fine Thanks");
  assert.equal(await r.text(), "phrase");
  await plain.close();
  await phrases.close();
});

test("Pool and Agent emit connect, disconnect and connectionError as undici's dispatchers do", async () => {
  const agent = new Agent({ keepAliveTimeout: 50 });
  const events: Array<[string, string, unknown[], unknown]> = [];
  for (const name of ["connect", "disconnect", "connectionError"]) {
    agent.on(name, (url: URL, targets: unknown[], err?: unknown) => events.push([name, url.origin, targets, err]));
  }
  await get(agent, "/a");
  assert.equal(events.length, 1);
  const [name, url, targets] = events[0]!;
  assert.equal(name, "connect");
  assert.equal(url, origin);
  assert.equal(targets[0], agent);
  assert.ok(targets[1] instanceof Pool);
  const pool = targets[1] as Pool;
  const poolEvents: string[] = [];
  pool.on("disconnect", (u: URL, t: unknown[], err: Error) => {
    assert.ok(u instanceof URL);
    assert.deepEqual(t, [pool]);
    assert.ok(err instanceof Error);
    poolEvents.push("disconnect");
  });
  // The idle connection closes after keepAliveTimeout.
  for (let i = 0; i < 100 && events.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(events[1]?.[0], "disconnect");
  assert.ok(events[1]![3] instanceof Error);
  assert.deepEqual(poolEvents, ["disconnect"]);

  // Nothing listens on a port that was just freed: the connection fails.
  const free = net.createServer();
  await new Promise<void>((resolve) => free.listen(0, "127.0.0.1", resolve));
  const port = (free.address() as AddressInfo).port;
  await new Promise<void>((resolve) => free.close(() => resolve()));
  const h = strictHandler();
  agent.dispatch({ origin: `http://127.0.0.1:${port}`, path: "/", method: "GET" }, h);
  const s = await h.done;
  assert.ok(s.error instanceof Error);
  const failed = events.find(([n]) => n === "connectionError");
  assert.ok(failed !== undefined);
  assert.equal(failed[1], `http://127.0.0.1:${port}`);
  assert.equal(failed[2][0], agent);
  assert.equal(failed[3], s.error);
  await agent.close();
});
