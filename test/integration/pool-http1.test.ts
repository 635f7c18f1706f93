// Pool over HTTP/1: keep-alive reuse (LIFO), the connection limit and its queue,
// pipelining, the server's Keep-Alive hint, `connection: close`, idle connections the
// server closes or writes to, keepAliveTimeout and maxConnectionAge, and which failures
// are retried (the stale-idle-socket race) and which never are (a POST that reached the server).

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { Pool } from "../../src/pool/index.js";
import { startHTTPServer, startRawServer } from "../support/servers.js";
import { sleep, until } from "../support/wait.js";

const OK = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

/** A raw server answering each request head with `answer(socket, index on that socket, head)`. */
async function rawHTTP(answer: (socket: Socket, n: number, head: string, conn: number) => void) {
  let conns = 0;
  const heads: string[] = [];
  const server = await startRawServer((socket) => {
    const id = conns++;
    let buf = "";
    let n = 0;
    socket.on("data", (c: Buffer) => {
      buf += c.toString("latin1");
      let at: number;
      while ((at = buf.indexOf("\r\n\r\n")) !== -1) {
        const head = buf.slice(0, at);
        buf = buf.slice(at + 4);
        heads.push(head);
        answer(socket, n++, head, id);
      }
    });
  });
  return { ...server, heads, connections: () => conns };
}

test("keep-alive reuse is LIFO: the connection idle most recently serves next", async () => {
  const server = await startHTTPServer((req, res) => {
    setTimeout(() => res.end(String(req.socket.remotePort)), req.url === "/slow" ? 60 : 0);
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`);
  const [fast, slow] = await Promise.all([pool.request("/fast"), pool.request("/slow")]);
  const fastPort = await fast.body.text();
  const slowPort = await slow.body.text();
  assert.notEqual(fastPort, slowPort);
  await sleep(10);
  const next = await (await pool.request("/next")).body.text();
  assert.equal(next, slowPort, "the most recently idle connection is reused");
  await pool.close();
  await server.close();
});

test("at most `connections` sockets; the rest waits in the queue", async () => {
  let open = 0;
  let most = 0;
  const server = await startHTTPServer((_req, res) => {
    open++;
    most = Math.max(most, open);
    setTimeout(() => {
      open--;
      res.end("ok");
    }, 30);
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: 2 });
  const all = Promise.all(Array.from({ length: 6 }, () => pool.request("/").then((r) => r.body.text())));
  await until(() => pool.stats().inFlight === 2);
  assert.equal(pool.stats().queued, 4);
  assert.equal(pool.stats().inFlight, 2);
  assert.deepEqual(await all, Array(6).fill("ok"));
  assert.equal(most, 2);
  assert.equal(pool.stats().connections, 2);
  await pool.close();
  await server.close();
});

test("pipelining: idempotent requests share a connection up to `pipelining`", async () => {
  const server = await rawHTTP((socket, n) => {
    // Answer only once both requests arrived: without pipelining this would stall.
    if (n === 1) socket.write(OK + OK);
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: 1, pipelining: 2, headersTimeout: 2000 });
  const rs = await Promise.all([pool.request("/a"), pool.request("/b")]);
  assert.deepEqual(await Promise.all(rs.map((r) => r.body.text())), ["ok", "ok"]);
  assert.equal(server.connections(), 1);
  await pool.close();
  await server.close();
});

test("the server's Keep-Alive: timeout hint closes the idle connection before it runs out", async () => {
  let closedAt = 0;
  const server = await rawHTTP((socket) => {
    socket.on("close", () => (closedAt = Date.now()));
    socket.write("HTTP/1.1 200 OK\r\nkeep-alive: timeout=1\r\ncontent-length: 2\r\n\r\nok");
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`);
  const t0 = Date.now();
  await (await pool.request("/")).body.text();
  await sleep(800);
  assert.ok(closedAt > 0 && closedAt - t0 < 1000, `closed after ${closedAt - t0} ms`);
  assert.equal(pool.stats().connections, 0);
  await pool.close();
  await server.close();
});

test("a `connection: close` response retires its connection", async () => {
  const server = await rawHTTP((socket) => socket.write("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok"));
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { retry: false });
  assert.equal(await (await pool.request("/")).body.text(), "ok");
  assert.equal(await (await pool.request("/")).body.text(), "ok");
  assert.equal(server.connections(), 2);
  await pool.close();
  await server.close();
});

test("an idle connection the server closed is dropped before reuse", async () => {
  const server = await rawHTTP((socket) => {
    socket.write(OK);
    setTimeout(() => socket.end(), 20);
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { retry: false });
  await (await pool.request("/")).body.text();
  await until(() => pool.stats().connections === 0);
  assert.equal(pool.stats().connections, 0);
  // With retries off, success proves the request did not go to the dead socket.
  assert.equal(await (await pool.request("/")).body.text(), "ok");
  assert.equal(server.connections(), 2);
  await pool.close();
  await server.close();
});

test("an unsolicited byte on an idle connection retires it", async () => {
  const server = await rawHTTP((socket, n) => {
    socket.write(OK);
    if (n === 0) setTimeout(() => socket.write("X"), 20);
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { retry: false });
  await (await pool.request("/")).body.text();
  await until(() => pool.stats().connections === 0);
  assert.equal(pool.stats().connections, 0);
  assert.equal(await (await pool.request("/")).body.text(), "ok");
  assert.equal(server.connections(), 2);
  await pool.close();
  await server.close();
});

test("the stale-idle-socket race: the server closes the idle connection as a request arrives; the request is retried", async () => {
  const server = await rawHTTP((socket, n, _head, conn) => {
    if (conn === 0 && n === 1) socket.destroy();
    else socket.write(OK);
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`);
  await (await pool.request("/1")).body.text();
  const r = await pool.request("/2");
  assert.equal(await r.body.text(), "ok");
  assert.equal(server.connections(), 2);
  assert.equal(server.heads.filter((h) => h.startsWith("GET /2")).length, 2);
  await pool.close();
  await server.close();
});

test("the same race without retries fails with the connection's error", async () => {
  const server = await rawHTTP((socket, n) => {
    if (n === 1) socket.destroy();
    else socket.write(OK);
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { retry: false });
  await (await pool.request("/1")).body.text();
  await assert.rejects(pool.request("/2"), { reason: "closed" });
  await pool.close();
  await server.close();
});

test("a POST whose bytes reached the server is never retried", async () => {
  let receipts = 0;
  const server = await rawHTTP((socket, n, head) => {
    if (head.startsWith("POST")) {
      receipts++;
      socket.destroy();
      return;
    }
    if (n === 0) socket.write(OK);
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`);
  await (await pool.request("/warm")).body.text();
  await assert.rejects(pool.request("/order", { method: "POST", body: "1 coffee" }), { reason: "closed" });
  await sleep(30);
  assert.equal(receipts, 1);
  await pool.close();
  await server.close();
});

test("a failure on a fresh connection is not retried", async () => {
  const server = await rawHTTP((socket) => socket.destroy());
  const pool = new Pool(`http://127.0.0.1:${server.port}`);
  await assert.rejects(pool.request("/"), { reason: "closed" });
  assert.equal(server.heads.length, 1);
  await pool.close();
  await server.close();
});

test("retries stop at retry.maxAttempts and the request fails with the last error", async () => {
  // Every connection serves one request, then drops the next one it receives.
  const server = await rawHTTP((socket, n) => {
    if (n === 0) socket.write(OK);
    else socket.destroy();
  });
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: 4, retry: { maxAttempts: 2 } });
  // Four warm connections, so every attempt goes to a reused one.
  await Promise.all(Array.from({ length: 4 }, () => pool.request("/").then((r) => r.body.text())));
  const before = server.heads.length;
  await assert.rejects(pool.request("/x"), { reason: "closed" });
  assert.equal(server.heads.length - before, 2);
  await pool.close();
  await server.close();
});

test("keepAliveTimeout closes idle connections; maxConnectionAge replaces old ones", async () => {
  const server = await startHTTPServer((req, res) => res.end(String(req.socket.remotePort)));
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { keepAliveTimeout: 50 });
  await (await pool.request("/")).body.text();
  assert.equal(pool.stats().idle, 1);
  await until(() => pool.stats().connections === 0);
  assert.equal(pool.stats().connections, 0);
  await pool.close();

  const aged = new Pool(`http://127.0.0.1:${server.port}`, { maxConnectionAge: 400 });
  const first = await (await aged.request("/")).body.text();
  assert.equal(await (await aged.request("/")).body.text(), first);
  await sleep(450);
  assert.notEqual(await (await aged.request("/")).body.text(), first);
  await aged.close();
  await server.close();
});
