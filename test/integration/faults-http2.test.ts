// HTTP/2 connections (h2c prior knowledge) against a raw server that misbehaves at the
// socket level: it closes at every byte of two responses (mid-frame included), after a
// GOAWAY, resets the TCP connection, vanishes, or stalls. Completed responses are kept,
// requests in flight fail, nothing hangs, and the socket is released.

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, HTTPError, MintError, TransportError, type ResponsePart } from "../../src/index.js";
import { startFaultServer, watch, type FaultServer } from "../support/fault-server.js";
import { settleSockets, socketHandleCount, describeResources } from "../support/handles.js";
import * as H from "../fuzz/h2-frames.js";

const isClosed = (e: unknown): boolean => e instanceof MintError && e.reason === "closed";

async function withServer(fn: (server: FaultServer) => Promise<void>): Promise<void> {
  const baseline = socketHandleCount();
  const server = await startFaultServer();
  try {
    await fn(server);
  } finally {
    await server.close();
    const left = await settleSockets(baseline);
    assert.ok(left <= baseline, `socket handles: ${left} after, ${baseline} before (${describeResources()})`);
  }
}

/** Connects over h2c, opens GET /1 and GET /3, and does the server side of the preface. */
async function exchange(server: FaultServer, mode: "active" | "passive" = "active") {
  const conn = await connect("http", "127.0.0.1", server.port, { protocols: ["http2"], mode });
  const w = mode === "active" ? watch(conn) : undefined;
  const peer = await server.nextPeer();
  const a = conn.request("GET", "/1", [], null);
  const b = conn.request("GET", "/3", [], null);
  await peer.h2Handshake();
  await peer.waitForFrame((f) => f.type === H.T.HEADERS && f.streamId === 3, "both requests");
  return { conn, w, peer, a, b };
}

/** Stream 1 answered in full, then stream 3's HEADERS and two DATA frames. */
const RESPONSES = Buffer.concat([
  H.headers(1, H.STATUS_200), H.data(1, Buffer.from("hello"), true),
  H.headers(3, H.STATUS_200), H.data(3, Buffer.from("wor")), H.data(3, Buffer.from("ld"), true),
]);
const END_OF_1 = H.headers(1, H.STATUS_200).length + H.data(1, Buffer.from("hello"), true).length;

test("HTTP/2: the server closes at every byte of two responses (mid-frame included)", async () => {
  await withServer(async (server) => {
    for (let cut = 0; cut <= RESPONSES.length; cut++) {
      const { conn, w, peer, a, b } = await exchange(server);
      if (cut > 0) await peer.write(RESPONSES.subarray(0, cut));
      if (cut % 2 === 0) peer.end();
      else peer.destroy();
      const err = await w!.untilClosed();
      const where = `cut ${cut}/${RESPONSES.length}`;
      const aDone = cut >= END_OF_1;
      const bDone = cut === RESPONSES.length;
      assert.equal(w!.end(a)?.type, aDone ? "done" : "error", `${where}: /1`);
      if (aDone) assert.equal(w!.body(a).toString(), "hello");
      assert.equal(w!.end(b)?.type, bDone ? "done" : "error", `${where}: /3`);
      for (const ref of [a, b]) {
        const end = w!.end(ref);
        if (end?.type === "error") assert.ok(isClosed(end.error) && end.error instanceof TransportError, `${where}: ${end.error.reason}`);
      }
      if (bDone) assert.equal(err, undefined, `${where}: clean close expected, got ${String(err)}`);
      else assert.ok(isClosed(err), `${where}: closed with ${String(err)}`);
      assert.equal(conn.isOpen(), false);
      assert.throws(() => conn.request("GET", "/", [], null), isClosed);
      assert.ok(conn.getSocket().destroyed, `${where}: socket kept`);
    }
  });
});

test("HTTP/2: GOAWAY(last=1, NO_ERROR): /3 is unprocessed, /1 completes, then the connection ends", async () => {
  await withServer(async (server) => {
    const { conn, w, peer, a, b } = await exchange(server);
    await peer.write(H.goaway(1, 0, "maintenance"));
    await w!.untilEnded([b]);
    const bEnd = w!.end(b);
    assert.ok(bEnd?.type === "error" && bEnd.error instanceof HTTPError && bEnd.error.reason === "unprocessed");
    assert.throws(() => conn.request("GET", "/new", [], null), (e: unknown) => e instanceof HTTPError);
    await peer.write(Buffer.concat([H.headers(1, H.STATUS_200), H.data(1, Buffer.from("hello"), true)]));
    const err = await w!.untilClosed();
    assert.equal(err, undefined);
    assert.equal(w!.end(a)?.type, "done");
    assert.equal(w!.body(a).toString(), "hello");
    assert.ok(conn.getSocket().destroyed);
    await peer.waitForEnd();
  });
});

test("HTTP/2: the server closes after GOAWAY(last=3) without answering: both requests fail with closed", async () => {
  await withServer(async (server) => {
    const { conn, w, peer, a, b } = await exchange(server);
    await peer.write(Buffer.concat([H.goaway(3, 0), H.headers(1, H.STATUS_200)]));
    peer.end();
    const err = await w!.untilClosed();
    assert.ok(isClosed(err), String(err));
    for (const ref of [a, b]) {
      const end = w!.end(ref);
      assert.ok(end?.type === "error" && isClosed(end.error), `${ref}: ${end?.type}`);
    }
    assert.ok(conn.getSocket().destroyed);
  });
});

test("HTTP/2: GOAWAY with an error code closes the connection with server_closed_connection", async () => {
  await withServer(async (server) => {
    const { conn, w, peer, b } = await exchange(server);
    await peer.write(H.goaway(1, 11, "calm down"));
    const err = await w!.untilClosed();
    assert.ok(err instanceof HTTPError && err.reason === "server_closed_connection", String(err));
    assert.equal(err.details?.["errorCode"], "enhance_your_calm");
    assert.equal(err.details?.["debugData"], "calm down");
    const bEnd = w!.end(b);
    assert.ok(bEnd?.type === "error" && bEnd.error.reason === "unprocessed");
    assert.ok(conn.getSocket().destroyed);
    assert.throws(() => conn.request("GET", "/", [], null), isClosed);
  });
});

test("HTTP/2: a TCP reset mid-stream fails the requests in flight with a TransportError", async () => {
  await withServer(async (server) => {
    const { conn, w, peer, a, b } = await exchange(server);
    await peer.write(RESPONSES.subarray(0, END_OF_1 + 12));
    await w!.untilEnded([a]);
    peer.reset();
    const err = await w!.untilClosed();
    assert.ok(err instanceof TransportError && ["econnreset", "closed"].includes(err.reason), String(err));
    assert.equal(w!.end(a)?.type, "done");
    const bEnd = w!.end(b);
    assert.ok(bEnd?.type === "error" && bEnd.error instanceof TransportError);
    assert.ok(conn.getSocket().destroyed);
  });
});

test("HTTP/2: the server vanishes right after the preface; a later request fails with closed", async () => {
  await withServer(async (server) => {
    const conn = await connect("http", "127.0.0.1", server.port, { protocols: ["http2"] });
    const w = watch(conn);
    const peer = await server.nextPeer();
    await peer.h2Handshake();
    peer.end();
    assert.equal(await w.untilClosed(), undefined);
    assert.throws(() => conn.request("GET", "/", [], null), isClosed);
    assert.throws(() => conn.ping(), isClosed);
    assert.ok(conn.getSocket().destroyed);
  });
});

test("HTTP/2 passive: a stalled server makes recv time out; the connection stays usable", async () => {
  await withServer(async (server) => {
    const { conn, peer, a, b } = await exchange(server, "passive");
    const drain = async (until: (p: ResponsePart[]) => boolean): Promise<ResponsePart[]> => {
      const parts: ResponsePart[] = [];
      while (!until(parts)) parts.push(...(await conn.recv(0, 1000)));
      return parts;
    };
    // The server's preface is waiting; read it, then nothing more comes.
    await conn.recv(0, 500);
    await assert.rejects(conn.recv(0, 100), (e: unknown) => e instanceof TransportError && e.reason === "timeout");
    assert.equal(conn.isOpen(), true);
    // Half a frame, then a stall: still a timeout, nothing lost.
    await peer.write(RESPONSES.subarray(0, 5));
    await conn.recv(0, 500);
    await assert.rejects(conn.recv(0, 100), (e: unknown) => e instanceof TransportError && e.reason === "timeout");
    await peer.write(RESPONSES.subarray(5));
    const parts = await drain((ps) => ps.filter((p) => p.type === "done").length === 2);
    assert.deepEqual(parts.filter((p) => p.type === "done").map((p) => p.ref), [a, b]);
    // A PING still works on the same connection.
    const ping = conn.ping();
    await peer.waitForFrame((f) => f.type === H.T.PING && (f.flags & 1) === 0, "the PING");
    const sent = peer.frames().find((f) => f.type === H.T.PING)!;
    await peer.write(H.ping(new Uint8Array(sent.payload), true));
    const pong = await drain((ps) => ps.some((p) => p.type === "pong"));
    assert.equal(pong.find((p) => p.type === "pong")?.ref, ping);
    await conn.close();
    assert.ok(conn.getSocket().destroyed);
  });
});


test("HTTP/2: a CONTINUATION flood through connect ends with GOAWAY PROTOCOL_ERROR and a released socket", async () => {
  await withServer(async (server) => {
    const { conn, w, peer } = await exchange(server);
    await peer.write(H.headers(1, H.STATUS_200, 0));
    const cont = H.continuation(1, Buffer.alloc(16384, 0x82));
    for (let i = 0; i < 40 && !w!.closed; i++) await peer.write(Buffer.concat([cont, cont, cont, cont]));
    const err = await w!.untilClosed();
    assert.ok(err instanceof HTTPError && err.reason === "protocol_error", String(err));
    await peer.waitForFrame((f) => f.type === H.T.GOAWAY, "the GOAWAY");
    const g = H.sentGoaway(peer.frames());
    assert.equal(g?.code, "PROTOCOL_ERROR");
    assert.ok(conn.getSocket().destroyed);
  });
});

test("HTTP/2: a paced PING flood through connect is answered and leaves the connection open", async () => {
  await withServer(async (server) => {
    const { conn, w, peer } = await exchange(server);
    const batch = Buffer.concat(Array.from({ length: 100 }, () => H.ping()));
    const acks = (): number => peer.frames().filter((f) => f.type === H.T.PING && (f.flags & 1) === 1).length;
    // Paced by the answers, so the client never reads more than one batch at once.
    for (let i = 1; i <= 100; i++) {
      await peer.write(batch);
      await peer.waitFor(() => acks() >= i * 100, 5000, `${i * 100} PING ACKs`);
    }
    assert.equal(w!.closed, undefined);
    assert.equal(conn.isOpen(), true);
    assert.ok(conn.getSocket().writableLength < 1024 * 1024, `client write buffer ${conn.getSocket().writableLength}`);
    await conn.close();
  });
});
