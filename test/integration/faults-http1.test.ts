// HTTP/1 connections against a raw server that misbehaves at the socket level: it closes
// at every byte of a pipelined exchange, resets, vanishes before a request is written,
// half-closes, or stalls. Requests in flight fail with `closed`, completed ones are kept,
// nothing hangs, no "error" event is emitted, and the socket is released.

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, HTTPError, MintError, TransportError, type Connection, type RequestRef, type ResponsePart } from "../../src/index.js";
import { startFaultServer, watch, type FaultServer, type Peer } from "../support/fault-server.js";
import { settleSockets, socketHandleCount, describeResources } from "../support/handles.js";

const R1 = "HTTP/1.1 200 OK\r\ncontent-length: 5\r\nx-a: b\r\n\r\nhello";
const R2 = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nworld\r\n3;x=y\r\n!!!\r\n0\r\nx-t: 1\r\n\r\n";
const ALL = R1 + R2;

function isClosedError(e: unknown): boolean {
  return e instanceof MintError && e.reason === "closed";
}

async function withServer<T>(fn: (server: FaultServer) => Promise<T>): Promise<T> {
  const baseline = socketHandleCount();
  const server = await startFaultServer();
  try {
    return await fn(server);
  } finally {
    await server.close();
    const left = await settleSockets(baseline);
    assert.ok(left <= baseline, `socket handles: ${left} after, ${baseline} before (${describeResources()})`);
  }
}

/** Take the server side of `conn`, send GET /a and GET /b pipelined, and wait until the server has read both. */
async function twoPipelinedGets(server: FaultServer, conn: Connection): Promise<{ peer: Peer; a: RequestRef; b: RequestRef }> {
  const peer = await server.nextPeer();
  const a = conn.request("GET", "/a", [], null);
  const b = conn.request("GET", "/b", [], null);
  await peer.waitForHeads(2);
  return { peer, a, b };
}

/** One exchange: two pipelined GETs, the server writes `ALL[0, cut)` then closes its side. */
async function cutAt(server: FaultServer, cut: number, how: "end" | "destroy"): Promise<void> {
  const conn = await connect("http", "127.0.0.1", server.port);
  const w = watch(conn);
  const { peer, a, b } = await twoPipelinedGets(server, conn);
  if (cut > 0) await peer.write(ALL.slice(0, cut));
  if (how === "end") peer.end();
  else peer.destroy();
  const err = await w.untilClosed(3000);
  const where = `cut ${cut}/${ALL.length} (${how})`;

  const aDone = cut >= R1.length;
  const bDone = cut >= ALL.length;
  for (const [ref, done, body] of [[a, aDone, "hello"], [b, bDone, "world!!!"]] as const) {
    const end = w.end(ref);
    assert.ok(end !== undefined, `${where}: request ${ref} never ended`);
    if (done) {
      assert.equal(end.type, "done", `${where}: completed request lost: ${end.type === "error" ? end.error.message : ""}`);
      assert.equal(w.body(ref).toString(), body, where);
    } else {
      assert.equal(end.type, "error", where);
      assert.ok(end.type === "error" && isClosedError(end.error), `${where}: ${end.type === "error" ? `${end.error.name} ${end.error.reason}` : ""}`);
      assert.ok(end.type === "error" && end.error instanceof TransportError);
    }
  }
  // A clean close after both responses reports no error; otherwise the connection error is `closed`.
  if (bDone) assert.equal(err, undefined, where);
  else assert.ok(isClosedError(err), `${where}: closed with ${String(err)}`);
  assert.equal(conn.isOpen(), false, where);
  assert.equal(conn.isOpen("read"), false, where);
  assert.throws(() => conn.request("GET", "/c", [], null), isClosedError, `${where}: request after close`);
  assert.ok(conn.getSocket().destroyed, `${where}: socket not destroyed`);
  await conn.close();
}

test("HTTP/1: the server closes at every byte of two pipelined responses (FIN)", async () => {
  await withServer(async (server) => {
    for (let cut = 0; cut <= ALL.length; cut++) await cutAt(server, cut, "end");
  });
});

test("HTTP/1: the server destroys the socket at points in the status line, headers, body, chunk, trailers", async () => {
  const points = [3, 12, 20, 40, R1.length - 2, R1.length, R1.length + 10, R1.length + 50, R1.length + 55, R1.length + 63, ALL.length - 3, ALL.length];
  await withServer(async (server) => {
    for (const cut of points) await cutAt(server, cut, "destroy");
  });
});

test("HTTP/1 passive: the server closes mid-body; recv rejects with closed and keeps the parts parsed before", async () => {
  await withServer(async (server) => {
    const conn = await connect("http", "127.0.0.1", server.port, { mode: "passive" });
    const { peer, a, b } = await twoPipelinedGets(server, conn);
    await peer.write(R1 + R2.slice(0, 60));
    peer.end();
    const seen: ResponsePart[] = [];
    let failure: unknown;
    for (;;) {
      try {
        seen.push(...(await conn.recv(0, 3000)));
      } catch (err) {
        failure = err;
        break;
      }
    }
    assert.ok(isClosedError(failure), String(failure));
    const all = [...seen, ...((failure as MintError).parts ?? [])];
    assert.ok(all.some((p) => p.type === "done" && p.ref === a));
    const bEnd = all.find((p) => p.ref === b && (p.type === "error" || p.type === "done"));
    assert.ok(bEnd?.type === "error" && isClosedError(bEnd.error));
    assert.ok(all.some((p) => p.type === "data" && p.ref === b), "the part of b's body that arrived is delivered");
    await assert.rejects(conn.recv(0, 100), (e: unknown) => e instanceof MintError);
    assert.ok(conn.getSocket().destroyed);
  });
});

test("HTTP/1: connection reset (RST) mid-response fails the requests in flight with a TransportError", async () => {
  await withServer(async (server) => {
    for (const cut of [0, 10, R1.length, R1.length + 30]) {
      const conn = await connect("http", "127.0.0.1", server.port);
      const w = watch(conn);
      const { peer, a, b } = await twoPipelinedGets(server, conn);
      if (cut > 0) await peer.write(ALL.slice(0, cut));
      await new Promise((r) => setTimeout(r, 10));
      peer.reset();
      const err = await w.untilClosed();
      assert.ok(err instanceof TransportError, `cut ${cut}: closed with ${String(err)}`);
      assert.ok(["econnreset", "closed"].includes(err.reason), err.reason);
      for (const ref of cut >= R1.length ? [b] : [a, b]) {
        const end = w.end(ref);
        assert.ok(end?.type === "error" && end.error instanceof TransportError, `cut ${cut}: ${ref} ended with ${end?.type}`);
      }
      if (cut >= R1.length) assert.equal(w.end(a)?.type, "done");
      assert.ok(conn.getSocket().destroyed);
    }
  });
});

test("HTTP/1: request() after the server ended fails with closed; no crash, no 'error' event", async () => {
  await withServer(async (server) => {
    // The server closes as soon as it accepts; the client notices first.
    const conn = await connect("http", "127.0.0.1", server.port);
    const w = watch(conn);
    (await server.nextPeer()).end();
    assert.equal(await w.untilClosed(), undefined, "a clean close with nothing in flight");
    assert.throws(() => conn.request("GET", "/", [], null), (e: unknown) => isClosedError(e) && e instanceof HTTPError);
    assert.equal(conn.listenerCount("error"), 0);

    // Race: the server vanishes while the request is being written.
    for (let i = 0; i < 15; i++) {
      const c = await connect("http", "127.0.0.1", server.port);
      const cw = watch(c);
      const peer = await server.nextPeer();
      if (i % 3 === 0) peer.reset();
      else peer.destroy();
      await new Promise((r) => setTimeout(r, i % 5));
      let ref: RequestRef | undefined;
      try {
        ref = c.request("POST", "/", [], "x".repeat(1000 * i));
      } catch (err) {
        assert.ok(err instanceof MintError, String(err));
      }
      await cw.untilClosed();
      if (ref !== undefined) {
        const end = cw.end(ref);
        assert.ok(end?.type === "error" && end.error instanceof TransportError, `race ${i}: request ended with ${end?.type}`);
      }
      assert.ok(c.getSocket().destroyed);
    }
  });
});

test("HTTP/1: a half-closed server (FIN, still reading) completes an until-close body", async () => {
  await withServer(async (server) => {
    const conn = await connect("http", "127.0.0.1", server.port);
    const w = watch(conn);
    const peer = await server.nextPeer();
    const ref = conn.request("GET", "/", [], null);
    await peer.waitForHeads(1);
    await peer.write("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\npart one, ");
    await peer.write("part two");
    peer.end();
    assert.equal(await w.untilClosed(), undefined);
    assert.equal(w.end(ref)?.type, "done");
    assert.equal(w.body(ref).toString(), "part one, part two");
    // The client closes its side too, so the server sees the end.
    await peer.waitForEnd();
    assert.ok(conn.getSocket().destroyed);
  });
});

test("HTTP/1: a stalled server makes recv time out; the connection stays usable", async () => {
  await withServer(async (server) => {
    const conn = await connect("http", "127.0.0.1", server.port, { mode: "passive" });
    const peer = await server.nextPeer();
    const ref = conn.request("GET", "/", [], null);
    await peer.waitForHeads(1);
    await assert.rejects(conn.recv(0, 100), (e: unknown) => e instanceof TransportError && e.reason === "timeout");
    assert.equal(conn.isOpen(), true);
    await peer.write("HTTP/1.1 200 OK\r\ncontent-le");
    const parts: ResponsePart[] = await conn.recv(0, 1000);
    assert.ok(!parts.some((p) => p.type !== "status"), "only the status line is complete");
    await assert.rejects(conn.recv(0, 100), (e: unknown) => e instanceof TransportError && e.reason === "timeout");
    await peer.write("ngth: 2\r\n\r\nok");
    while (!parts.some((p) => p.type === "done")) parts.push(...(await conn.recv(0, 1000)));
    assert.deepEqual(parts.map((p) => p.type), ["status", "headers", "data", "done"]);
    assert.equal(parts[0]?.ref, ref);
    // Still usable: a second exchange on the same socket.
    const ref2 = conn.request("GET", "/2", [], null);
    await peer.waitForHeads(2);
    await peer.write("HTTP/1.1 204 No Content\r\n\r\n");
    const more: ResponsePart[] = [];
    while (!more.some((p) => p.type === "done")) more.push(...(await conn.recv(0, 1000)));
    assert.equal(more.at(-1)?.ref, ref2);
    await conn.close();
    assert.ok(conn.getSocket().destroyed);
  });
});
