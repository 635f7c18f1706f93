// HTTP/1 framing and request-side injection through connect(), against a scripted raw
// server: a response whose length cannot be trusted is the last one read (the pipelined
// requests behind it fail, the socket closes after it, and a response hidden in its body
// never reaches a later request); a caller's transfer-encoding is framed on the wire; a
// request carrying `connection: close` is the last one written and the socket closes
// after its response.

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, HTTPError, TransportError, type Connection } from "../../src/index.js";
import { startFaultServer, watch, type FaultServer } from "../support/fault-server.js";
import { settleSockets, socketHandleCount, describeResources } from "../support/handles.js";

const SMUGGLED = "HTTP/1.1 200 OK\r\ncontent-length: 7\r\n\r\nspoofed";

async function withConn(fn: (server: FaultServer, conn: Connection) => Promise<void>): Promise<void> {
  const baseline = socketHandleCount();
  const server = await startFaultServer();
  const conn = await connect("http", "127.0.0.1", server.port);
  try {
    await fn(server, conn);
  } finally {
    await conn.close();
    await server.close();
    const left = await settleSockets(baseline);
    assert.ok(left <= baseline, `socket handles: ${left} after, ${baseline} before (${describeResources()})`);
  }
}

function assertUntrustedFailure(err: unknown): void {
  assert.ok(err instanceof TransportError, String(err));
  assert.equal(err.reason, "closed");
  assert.equal(err.details?.["why"], "untrusted_length");
}

test("connect(): a response read until close swallows the response hidden in it; pipelined requests fail", async () => {
  await withConn(async (server, conn) => {
    const w = watch(conn);
    const peer = await server.nextPeer();
    const a = conn.request("GET", "/a", [], null);
    const b = conn.request("GET", "/b", [], null);
    await peer.waitForHeads(2);
    await peer.write(`HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`);
    await w.untilEnded([b]);
    const end = w.end(b);
    assert.ok(end?.type === "error");
    assertUntrustedFailure(end.error);
    assert.equal(conn.isOpen("write"), false);
    assert.equal(conn.isOpen("read"), true);
    assert.throws(() => conn.request("GET", "/c", [], null), (e: unknown) => e instanceof HTTPError && e.reason === "closed" && e.details?.["why"] === "untrusted_length");
    peer.end();
    assert.equal(await w.untilClosed(), undefined);
    assert.equal(w.end(a)?.type, "done");
    assert.equal(w.body(a).toString("latin1"), `0\r\n\r\n${SMUGGLED}`);
    assert.ok(!w.parts.some((p) => p.ref === b && p.type !== "error"), "nothing of the hidden response reached b");
    assert.equal(peer.received().toString("latin1").split("GET /").length, 3, "/c was never written");
  });
});

test("connect(): a 204 with transfer-encoding ends its request, fails the next and closes the socket", async () => {
  await withConn(async (server, conn) => {
    const w = watch(conn);
    const peer = await server.nextPeer();
    const a = conn.request("GET", "/a", [], null);
    const b = conn.request("GET", "/b", [], null);
    await peer.waitForHeads(2);
    await peer.write(`HTTP/1.1 204 No Content\r\ntransfer-encoding: chunked\r\n\r\n${SMUGGLED}`);
    assert.equal(await w.untilClosed(), undefined);
    assert.equal(w.end(a)?.type, "done");
    const end = w.end(b);
    assert.ok(end?.type === "error");
    assertUntrustedFailure(end.error);
    await peer.waitForEnd();
    assert.equal(conn.getSocket().destroyed, true);
  });
});

test("connect(): transfer-encoding: chunked with a string body is framed on the wire; the connection stays usable", async () => {
  await withConn(async (server, conn) => {
    const w = watch(conn);
    const peer = await server.nextPeer();
    const a = conn.request("POST", "/a", [["transfer-encoding", "chunked"]], "hello");
    const b = conn.request("GET", "/b", [], null);
    await peer.waitForHeads(3); // a's head, the last chunk's CRLF CRLF, b's head
    const got = peer.received().toString("latin1");
    assert.match(got, /^POST \/a HTTP\/1\.1\r\n[^]*?transfer-encoding: chunked\r\n[^]*?\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET \/b /);
    assert.ok(!/content-length/i.test(got));
    assert.throws(() => conn.request("POST", "/", [["transfer-encoding", "gzip"]], "x"),
      (e: unknown) => e instanceof HTTPError && e.reason === "invalid_transfer_encoding");
    await peer.write("HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\naHTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nb");
    await w.untilEnded([a, b]);
    assert.equal(w.end(a)?.type, "done");
    assert.equal(w.end(b)?.type, "done");
    assert.equal(conn.isOpen(), true);
  });
});

test("connect(): connection: close is the last request written; the socket closes after its response", async () => {
  await withConn(async (server, conn) => {
    const w = watch(conn);
    const peer = await server.nextPeer();
    const a = conn.request("GET", "/a", [["connection", "close"]], null);
    assert.equal(conn.isOpen("write"), false);
    assert.throws(() => conn.request("GET", "/b", [], null), (e: unknown) => {
      assert.ok(e instanceof HTTPError);
      assert.equal(e.reason, "closed");
      assert.equal(e.details?.["why"], "connection_close_requested");
      return true;
    });
    await peer.waitForHeads(1);
    // the server answers as if it would keep the connection: the client closes it anyway
    await peer.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
    assert.equal(await w.untilClosed(), undefined);
    assert.equal(w.end(a)?.type, "done");
    assert.equal(w.body(a).toString(), "ok");
    await peer.waitForEnd();
    assert.equal(peer.received().toString("latin1").split("GET /").length, 2, "only /a was written");
  });
});
