// Agent through a proxy (forward for http, CONNECT tunnel for https, credentials from the
// proxy URL), graceful close with requests in flight, and connect errors.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Agent, Pool } from "../../src/pool/index.js";
import { testCerts } from "../support/certs.js";
import { startProxy, startHTTPOrigin, startTLSOrigin } from "../support/proxy-server.js";
import { startHTTPServer, startRawServer } from "../support/servers.js";
import { until } from "../support/wait.js";

test("Agent with a proxy URL: forward proxy for http, tunnel for https, Proxy-Authorization from userinfo", async () => {
  const certs = testCerts();
  const proxy = await startProxy({ auth: { user: "u", password: "p w" } });
  const plain = await startHTTPOrigin();
  const secure = await startTLSOrigin(certs.valid);
  const agent = new Agent({ proxy: `http://u:p%20w@127.0.0.1:${proxy.port}`, connect: { transportOpts: { cacerts: [certs.rootCA.cert] } } });
  const a = await agent.request(`http://127.0.0.1:${plain.port}/via-forward`);
  assert.equal(((await a.body.json()) as { url: string }).url, "/via-forward");
  const b = await agent.request(`https://127.0.0.1:${secure.port}/via-tunnel`);
  assert.equal(b.protocol, "http2");
  assert.equal(((await b.body.json()) as { url: string }).url, "/via-tunnel");
  assert.ok(proxy.seen.some((s) => s.method === "CONNECT"));
  assert.ok(proxy.seen.some((s) => s.method === "GET" && s.url === `http://127.0.0.1:${plain.port}/via-forward`));
  await agent.close();
  await Promise.all([proxy.close(), plain.close(), secure.close()]);
});

test("close() lets requests in flight and queued finish, then closes every connection", async () => {
  const server = await startHTTPServer((req, res) => setTimeout(() => res.end(req.url), 40));
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: 1 });
  const first = pool.request("/first");
  const second = pool.request("/second");
  await new Promise((r) => setTimeout(r, 10));
  const closed = pool.close();
  await assert.rejects(pool.request("/late"), { reason: "pool_closed" });
  assert.equal(await (await first).body.text(), "/first");
  assert.equal(await (await second).body.text(), "/second");
  await closed;
  assert.equal(pool.stats().connections, 0);
  await server.close();
});

test("a connect error fails the queued requests and is not retried", async () => {
  const dead = await startRawServer(() => {});
  const port = dead.port;
  await dead.close();
  const pool = new Pool(`http://127.0.0.1:${port}`);
  const rs = await Promise.allSettled([pool.request("/a"), pool.request("/b")]);
  for (const r of rs) assert.equal(r.status === "rejected" && (r.reason as { reason: string }).reason, "econnrefused");
  assert.deepEqual(pool.stats(), { connections: 0, http1: 0, http2: 0, busy: 0, idle: 0, queued: 0, inFlight: 0 });
  await pool.close();
});

test("the Agent drops a pool once its last connection closed with nothing waiting", async () => {
  const server = await startHTTPServer((_req, res) => res.end("ok"));
  const agent = new Agent({ keepAliveTimeout: 30 });
  const url = `http://127.0.0.1:${server.port}/`;
  assert.equal(await (await agent.request(url)).body.text(), "ok");
  assert.deepEqual(Object.keys(agent.stats()), [`http://127.0.0.1:${server.port}`]);
  await until(() => Object.keys(agent.stats()).length === 0);
  assert.deepEqual(agent.stats(), {});
  assert.equal(await (await agent.request(url)).body.text(), "ok", "a new pool serves the origin again");
  await agent.close();
  await server.close();
});

test("after its pool was dropped, an origin used twice before gets a new pool the Agent tracks and closes", async () => {
  const server = await startHTTPServer((req, res) => res.end(req.url));
  const agent = new Agent({ keepAliveTimeout: 30 });
  const base = `http://127.0.0.1:${server.port}`;
  // The second request to an origin takes the remembered-prefix path.
  for (const path of ["/one", "/two"]) assert.equal(await (await agent.request(base + path)).body.text(), path);
  await until(() => Object.keys(agent.stats()).length === 0);
  const res = await agent.request(base + "/three");
  assert.deepEqual(Object.keys(agent.stats()), [base], "the new pool is the Agent's");
  assert.equal(agent.stats()[base]!.connections, 1);
  assert.equal(await res.body.text(), "/three");
  await agent.close();
  assert.deepEqual(agent.stats()[base], { connections: 0, http1: 0, http2: 0, busy: 0, idle: 0, queued: 0, inFlight: 0 }, "close() closed its connection");
  await server.close();
});

test("Agent.request sends the path the URL parser gives, for repeated and unusual URLs on one origin", async () => {
  const server = await startHTTPServer((req, res) => res.end(req.url));
  const agent = new Agent();
  const base = `http://127.0.0.1:${server.port}`;
  const cases: Array<[string, string]> = [
    ["/plain", "/plain"],
    ["/plain", "/plain"],
    ["/q?x=1&y=2", "/q?x=1&y=2"],
    ["/a/../b", "/b"],
    ["/a/./c", "/a/c"],
    ["/%2e%2e/d", "/d"],
    ["/sp ace", "/sp%20ace"],
    ["/quote?x='", "/quote?x=%27"],
    ["/empty?", "/empty"],
    ["/frag#x", "/frag"],
    ["/back\\slash", "/back/slash"],
    ["/ü", "/%C3%BC"],
  ];
  for (const [path, sent] of cases) {
    const res = await agent.request(base + path);
    assert.equal(await res.body.text(), sent, `${path} is sent as ${sent}`);
  }
  // Another spelling of the same origin goes to the same pool.
  const res = await agent.request(`HTTP://127.0.0.1:${server.port}/upper`);
  assert.equal(await res.body.text(), "/upper");
  assert.deepEqual(Object.keys(agent.stats()), [base]);
  await agent.close();
  await server.close();
});
