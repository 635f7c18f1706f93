// HTTP/1.1 through the whole library against node:http and crafted raw servers:
// requests, bodies, streaming, pipelining, both modes, the connection's own methods.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { connect, EOF, HTTPError, STREAM, TransportError, type Connection } from "../../src/index.js";
import { collectActive, collectPassive, header, responseOf } from "../support/collect.js";
import { startHTTPServer, startScriptedServer, type Running } from "../support/servers.js";
import { testCerts } from "../support/certs.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
  trailers: Record<string, string>;
}

let server: Running;
let tlsServer: https.Server;
const seen: Seen[] = [];

function echo(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString();
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, trailers: req.trailers as Record<string, string> });
    if (req.url === "/chunked") {
      res.writeHead(200, { "content-type": "text/plain", trailer: "x-checksum" });
      res.write("hello ");
      res.write("chunked ");
      res.addTrailers({ "x-checksum": "abc" });
      res.end("world");
      return;
    }
    if (req.url === "/204") {
      res.writeHead(204).end();
      return;
    }
    res.setHeader("x-method", req.method!);
    res.end(`${req.method} ${req.url} ${body}`);
  });
}

before(async () => {
  server = await startHTTPServer(echo);
  const certs = testCerts();
  tlsServer = https.createServer({ key: certs.valid.key, cert: certs.valid.cert }, echo);
  await new Promise<void>((r) => tlsServer.listen(0, "127.0.0.1", r));
});
after(async () => {
  await server.close();
  tlsServer.closeAllConnections();
  await new Promise((r) => tlsServer.close(r));
});

for (const [scheme, mode] of [["http", "active"], ["http", "passive"], ["https", "active"], ["https", "passive"]] as const) {
  const collect = mode === "active" ? collectActive : collectPassive;

  describe(`HTTP/1 over ${scheme} in ${mode} mode`, () => {
    let conn: Connection;
    let port: number;
    before(async () => {
      port = scheme === "http" ? server.port : (tlsServer.address() as AddressInfo).port;
      conn =
        scheme === "http"
          ? await connect("http", "127.0.0.1", port, { mode })
          : await connect("https", "127.0.0.1", port, { mode, hostname: "localhost", transportOpts: { cacerts: [testCerts().rootCA.cert] } });
    });
    after(async () => {
      await conn.close();
    });

    test("GET returns status, headers, body and done", async () => {
      assert.equal(conn.protocol, "http1");
      const ref = conn.request("GET", "/hello?x=1", [["accept", "text/plain"]], null);
      const r = responseOf(await collect(conn, [ref]), ref);
      assert.equal(r.status, 200);
      assert.equal(header(r.headers, "x-method"), "GET");
      assert.equal(r.body.toString(), "GET /hello?x=1 ");
      assert.equal(r.done, true);
      const s = seen.at(-1)!;
      assert.equal(s.headers.host, scheme === "http" ? `127.0.0.1:${port}` : `localhost:${port}`);
      assert.match(String(s.headers["user-agent"]), /^mint-http\/\d/);
      assert.equal(s.headers.accept, "text/plain");
    });

    test("POST sends the body with content-length", async () => {
      const ref = conn.request("POST", "/post", [["content-type", "text/plain"]], "héllo");
      const r = responseOf(await collect(conn, [ref]), ref);
      assert.equal(r.body.toString(), "POST /post héllo");
      assert.equal(seen.at(-1)!.headers["content-length"], String(Buffer.byteLength("héllo")));
    });

    test("a streamed POST with trailers is sent chunked", async () => {
      const ref = conn.request("POST", "/stream", [], STREAM);
      conn.streamRequestBody(ref, "part one, ");
      conn.streamRequestBody(ref, new TextEncoder().encode("part two"));
      conn.streamRequestBody(ref, { eof: true, trailers: [["x-sum", "42"]] });
      const r = responseOf(await collect(conn, [ref]), ref);
      assert.equal(r.body.toString(), "POST /stream part one, part two");
      const s = seen.at(-1)!;
      assert.equal(s.headers["transfer-encoding"], "chunked");
      assert.equal(s.trailers["x-sum"], "42");
    });

    test("a chunked response with trailers", async () => {
      const ref = conn.request("GET", "/chunked", [], null);
      const r = responseOf(await collect(conn, [ref]), ref);
      assert.equal(r.body.toString(), "hello chunked world");
      assert.deepEqual(r.trailers, [["x-checksum", "abc"]]);
    });

    test("20 pipelined requests are answered in order", async () => {
      const refs = Array.from({ length: 20 }, (_, i) => conn.request("GET", `/p/${i}`, [], null));
      assert.equal(conn.openRequestCount(), 20);
      const parts = await collect(conn, refs);
      refs.forEach((ref, i) => assert.equal(responseOf(parts, ref).body.toString(), `GET /p/${i} `));
      assert.equal(conn.openRequestCount(), 0);
      const order = parts.filter((p) => p.type === "done").map((p) => p.ref);
      assert.deepEqual(order, refs);
    });

    test("HEAD and 204 have no body", async () => {
      const head = conn.request("HEAD", "/x", [], null);
      const none = conn.request("GET", "/204", [], null);
      const parts = await collect(conn, [head, none]);
      assert.equal(responseOf(parts, head).body.length, 0);
      assert.equal(responseOf(parts, head).done, true);
      assert.equal(responseOf(parts, none).status, 204);
    });

    test("connection methods", () => {
      assert.equal(conn.isOpen(), true);
      assert.equal(conn.isOpen("read"), true);
      assert.throws(() => conn.requestBodyWindow("no-such-ref"), TypeError);
      assert.deepEqual(conn.getProxyHeaders(), []);
      assert.equal(typeof conn.getSocket().remotePort, "number");
      conn.putPrivate("k", { a: 1 });
      assert.deepEqual(conn.getPrivate("k"), { a: 1 });
      conn.deletePrivate("k");
      assert.equal(conn.getPrivate("k", "fallback"), "fallback");
      assert.throws(() => (conn as unknown as { ping(): void }).ping(), TypeError);
    });
  });
}

test("requests a server refuses by validation throw HTTPError before writing", async () => {
  const conn = await connect("http", "127.0.0.1", server.port);
  try {
    assert.throws(() => conn.request("GE T", "/", [], null), (e: unknown) => e instanceof HTTPError && e.reason === "invalid_request_method");
    assert.throws(() => conn.request("GET", "/a b", [], null), (e: unknown) => e instanceof HTTPError && e.reason === "invalid_request_target");
    assert.throws(() => conn.request("GET", "/", [["x", "a\r\nb"]], null), (e: unknown) => e instanceof HTTPError && e.reason === "invalid_header_value");
    const ref = conn.request("POST", "/s", [], STREAM);
    assert.equal(conn.requestBodyWindow(ref), Infinity);
    assert.throws(() => conn.request("GET", "/", [], null), (e: unknown) => e instanceof HTTPError && e.reason === "request_body_is_streaming");
    conn.streamRequestBody(ref, EOF);
    const r = responseOf(await collectActive(conn, [ref]), ref);
    assert.equal(r.status, 200);
  } finally {
    await conn.close();
  }
});

test("setMode switches between events and recv", async () => {
  const conn = await connect("http", "127.0.0.1", server.port, { mode: "passive" });
  try {
    await assert.rejects(async () => {
      conn.setMode("active");
      await conn.recv();
    }, TypeError);
    const ref = conn.request("GET", "/active", [], null);
    assert.equal(responseOf(await collectActive(conn, [ref]), ref).status, 200);
    conn.setMode("passive");
    const ref2 = conn.request("GET", "/passive", [], null);
    assert.equal(responseOf(await collectPassive(conn, [ref2]), ref2).body.toString(), "GET /passive ");
  } finally {
    await conn.close();
  }
});

test("data read in passive mode but not yet received is delivered after switching to active", async () => {
  const conn = await connect("http", "127.0.0.1", server.port, { mode: "passive" });
  try {
    const ref = conn.request("GET", "/late", [], null);
    const first = await conn.recv(5, 2000); // "HTTP/" only: no part yet
    assert.deepEqual(first, []);
    conn.setMode("active");
    const r = responseOf(await collectActive(conn, [ref]), ref);
    assert.equal(r.body.toString(), "GET /late ");
  } finally {
    await conn.close();
  }
});

test("recv timeout leaves the connection usable", async () => {
  const stall = await startScriptedServer([]);
  const conn = await connect("http", "127.0.0.1", stall.port, { mode: "passive" });
  try {
    conn.request("GET", "/", [], null);
    const started = Date.now();
    await assert.rejects(conn.recv(0, 100), (e: unknown) => e instanceof TransportError && e.reason === "timeout");
    assert.ok(Date.now() - started < 2000);
    assert.equal(conn.isOpen(), true);
    stall.sockets.forEach((s) => s.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"));
    const parts = await conn.recv(0, 2000);
    assert.equal(parts[0]?.type, "status");
  } finally {
    await conn.close();
    await stall.close();
  }
});

test("the peer closing mid-response fails the request with closed; completed ones are kept", async () => {
  const raw = await startScriptedServer(
    ["HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok", "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc"],
    (socket) => socket.end(),
  );
  const conn = await connect("http", "127.0.0.1", raw.port);
  const closed = new Promise<Error | undefined>((resolve) => conn.on("closed", resolve));
  const a = conn.request("GET", "/a", [], null);
  const b = conn.request("GET", "/b", [], null);
  const parts: import("../../src/index.js").ResponsePart[] = [];
  conn.on("parts", (ps) => parts.push(...ps));
  const err = await closed;
  assert.equal(responseOf(parts, a).done, true);
  assert.equal(responseOf(parts, a).body.toString(), "ok");
  assert.ok(err instanceof TransportError);
  assert.equal(err.reason, "closed");
  assert.equal(conn.isOpen(), false);
  assert.equal(conn.getSocket().destroyed, true);
  assert.throws(() => conn.request("GET", "/", [], null), (e: unknown) => e instanceof HTTPError && e.reason === "closed");
  void b;
  await raw.close();
});

test("a malformed response reaches the caller as HTTPError and closes the socket", async () => {
  const raw = await startScriptedServer(["HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokXTTP/1.1 999 nope\r\n\r\n"]);
  const conn = await connect("http", "127.0.0.1", raw.port, { mode: "passive" });
  try {
    const a = conn.request("GET", "/a", [], null);
    let error: unknown;
    const parts: import("../../src/index.js").ResponsePart[] = [];
    try {
      for (;;) parts.push(...(await conn.recv(0, 2000)));
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof HTTPError, String(error));
    assert.equal(error.reason, "unexpected_data");
    const all = [...parts, ...(error.parts ?? [])];
    assert.equal(responseOf(all, a).body.toString(), "ok");
    assert.equal(conn.getSocket().destroyed, true);
    await assert.rejects(conn.recv(0, 100), HTTPError);
  } finally {
    await conn.close();
    await raw.close();
  }
});

test("connection: close ends the connection after the response", async () => {
  const raw = await startScriptedServer(["HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok"]);
  const conn = await connect("http", "127.0.0.1", raw.port);
  const closed = new Promise<Error | undefined>((resolve) => conn.on("closed", resolve));
  const ref = conn.request("GET", "/", [], null);
  const parts = await collectActive(conn, [ref]);
  assert.equal(responseOf(parts, ref).body.toString(), "ok");
  assert.equal(await closed, undefined);
  assert.equal(conn.isOpen(), false);
  await conn.close();
  await raw.close();
});

test("connect errors are TransportErrors with lowercase socket codes", async () => {
  const probe = await startHTTPServer(() => {});
  const port = probe.port;
  await probe.close();
  await assert.rejects(connect("http", "127.0.0.1", port), (e: unknown) => e instanceof TransportError && e.reason === "econnrefused" && /127\.0\.0\.1/.test(e.message));
  await assert.rejects(
    connect("http", "127.0.0.1", server.port, { transportOpts: { timeout: 0 } }),
    (e: unknown) => e instanceof TransportError && e.reason === "timeout",
  );
  await assert.rejects(connect("http", "no-such-host.invalid", 80), (e: unknown) => e instanceof TransportError && /^e/.test(e.reason));
});

test("option misuse is a TypeError", async () => {
  await assert.rejects(connect("ftp" as "http", "127.0.0.1", 1), TypeError);
  await assert.rejects(connect("http", "127.0.0.1", server.port, { mode: "sideways" as "active" }), TypeError);
  await assert.rejects(connect("http", "127.0.0.1", server.port, { protocols: ["http3" as "http1"] }), TypeError);
  await assert.rejects(connect("http", { path: "/tmp/x.sock" }, 0), /hostname/);
  await assert.rejects(connect("http", "127.0.0.1", server.port, { transportOpts: { mode: "binary" } }), /mode/);
});

test("log: a function receives the connection's traffic", async () => {
  const lines: string[] = [];
  const conn = await connect("http", "127.0.0.1", server.port, { log: (l) => lines.push(l) });
  const ref = conn.request("GET", "/logged", [], null);
  await collectActive(conn, [ref]);
  assert.ok(lines.some((l) => l.includes("GET /logged")), lines.join("\n"));
  const before = lines.length;
  conn.putLog(false);
  const ref2 = conn.request("GET", "/quiet", [], null);
  await collectActive(conn, [ref2]);
  assert.equal(lines.length, before);
  await conn.close();
});

test("closed is emitted once and no error event is ever emitted", async () => {
  const raw = await startScriptedServer([], (s) => s.destroy());
  const conn = await connect("http", "127.0.0.1", raw.port);
  let closedCount = 0;
  conn.on("closed", () => closedCount++);
  conn.request("GET", "/", [], null);
  raw.sockets.forEach((s) => s.destroy());
  await new Promise((r) => setTimeout(r, 100));
  await conn.close();
  assert.equal(closedCount, 1);
  assert.equal(conn.listenerCount("error"), 0);
  await raw.close();
});

test("passive mode: a request on a socket that failed before recv() saw it throws TransportError closed", async () => {
  const raw = await startScriptedServer([], () => {});
  const conn = await connect("http", "127.0.0.1", raw.port, { mode: "passive" });
  try {
    conn.request("GET", "/first", [], null);
    await new Promise((r) => setTimeout(r, 50));
    raw.sockets.forEach((s) => s.resetAndDestroy());
    const deadline = Date.now() + 3000;
    while (!conn.getSocket().destroyed && Date.now() < deadline) {
      try {
        conn.request("GET", "/again", [], null); // a write to the reset socket makes it fail
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(conn.getSocket().destroyed, true);
    assert.throws(() => conn.request("GET", "/late", [], null), (e: unknown) => e instanceof TransportError && e.reason === "closed");
    await assert.rejects(conn.recv(0, 1000), (e: unknown) => e instanceof TransportError);
  } finally {
    await conn.close();
    await raw.close();
  }
});
