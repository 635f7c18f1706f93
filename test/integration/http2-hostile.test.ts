// Hostile HTTP/2 servers through connect() (h2c prior knowledge, scripted raw server):
// malformed responses fail only their request with RST_STREAM (RFC 9113 §8.1.1, §8.2,
// RFC 9110 §6.4.1, §15), RST_STREAM(NO_ERROR) before a complete response is an error (§8.1),
// bad pushes are refused (§8.4), SETTINGS_ENABLE_PUSH=1 closes the connection (§6.5.2),
// refused requests leave no trace (§8.3.1), a PING/SETTINGS burst is answered (flood limits
// count unsent work), and holdReceiveWindow holds one stream back.

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, HTTPError, type Connection } from "../../src/index.js";
import type { Headers, ResponsePart } from "../../src/types.js";
import { startFaultServer, watch, type FaultServer, type Peer, type Watched } from "../support/fault-server.js";
import { FrameBuilder } from "../support/h2-frames.js";
import { settleSockets, socketHandleCount, describeResources } from "../support/handles.js";
import * as H from "../fuzz/h2-frames.js";

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

interface Exchange { conn: Connection; w: Watched; peer: Peer; frames: () => FrameBuilder }

/** h2c connection with its server side preface done; `frames()` shares one HPACK encoder per connection. */
async function open(server: FaultServer, opts: Parameters<typeof connect>[3] = {}, serverSettings?: Uint8Array): Promise<Exchange> {
  const conn = await connect("http", "127.0.0.1", server.port, { protocols: ["http2"], ...opts });
  const w = watch(conn);
  const peer = await server.nextPeer();
  await peer.h2Handshake(serverSettings);
  const b = new FrameBuilder();
  return { conn, w, peer, frames: () => new FrameBuilder(b.encoder) };
}

const rstOf = (peer: Peer, streamId: number) =>
  peer.frames().filter((f) => f.type === H.T.RST_STREAM && f.streamId === streamId).map((f) => f.payload.readUInt32BE(0));

const MALFORMED: Array<{ reason: string; method?: string; bad: (f: FrameBuilder) => FrameBuilder }> = [
  { reason: "invalid_header_value", bad: (f) => f.headers(1, [[":status", "200"], ["x-split", "a\r\nset-cookie: stolen=1"]], { endStream: true }) },
  { reason: "invalid_header_value", bad: (f) => f.headers(1, [[":status", "200"], ["x-nul", "a\0b"]], { endStream: true }) },
  { reason: "invalid_header_value", bad: (f) => f.headers(1, [[":status", "200"], ["x-space", " padded"]], { endStream: true }) },
  { reason: "invalid_header_name", bad: (f) => f.headers(1, [[":status", "200"], ["bad name", "v"]], { endStream: true }) },
  { reason: "invalid_header", bad: (f) => f.headers(1, [[":status", "200"], ["transfer-encoding", "chunked"]], { endStream: true }) },
  { reason: "invalid_header", bad: (f) => f.headers(1, [[":status", "200"], ["connection", "close"]], { endStream: true }) },
  { reason: "invalid_status_header", bad: (f) => f.headers(1, [[":status", "600"]], { endStream: true }) },
  { reason: "invalid_status_header", bad: (f) => f.headers(1, [[":status", "099"]]) },
  { reason: "invalid_pseudo_header", bad: (f) => f.headers(1, [[":status", "200"], [":path", "/"]], { endStream: true }) },
  { reason: "invalid_header_value", bad: (f) => f.headers(1, [[":status", "200"]]).data(1, "x").headers(1, [["grpc-message", "a\nb"]], { endStream: true }) },
  { reason: "content_not_allowed", method: "HEAD", bad: (f) => f.headers(1, [[":status", "200"]]).data(1, "smuggled", { endStream: true }) },
  { reason: "content_not_allowed", bad: (f) => f.headers(1, [[":status", "204"]]).data(1, "smuggled", { endStream: true }) },
  { reason: "content_not_allowed", bad: (f) => f.headers(1, [[":status", "304"]]).data(1, "smuggled", { endStream: true }) },
  { reason: "server_closed_request", bad: (f) => f.rst(1, 0) },
  { reason: "server_closed_request", bad: (f) => f.headers(1, [[":status", "200"], ["content-length", "10"]]).data(1, "short").rst(1, 0) },
];

test("HTTP/2 malformed responses fail only their request, with RST_STREAM(PROTOCOL_ERROR); the other request completes", async () => {
  await withServer(async (server) => {
    for (const c of MALFORMED) {
      const { conn, w, peer, frames } = await open(server);
      const a = conn.request(c.method ?? "GET", "/a", [], null);
      const b = conn.request("GET", "/b", [], null);
      await peer.waitForFrame((f) => f.type === H.T.HEADERS && f.streamId === 3, "both requests");
      await peer.write(c.bad(frames()).response(3, 200, [["x-ok", "1"]], "fine").bytes());
      await w.untilEnded([a, b]);
      const end = w.end(a);
      const what = `${c.reason} (${c.bad.toString().slice(12, 90)})`;
      assert.ok(end?.type === "error" && end.error instanceof HTTPError, what);
      assert.equal(end.error.reason, c.reason, `${what}: ${end.error.message}`);
      assert.equal(w.end(b)?.type, "done", what);
      assert.equal(w.body(b).toString(), "fine");
      if (c.reason !== "server_closed_request") {
        await peer.waitForFrame((f) => f.type === H.T.RST_STREAM && f.streamId === 1, "the RST_STREAM");
        assert.deepEqual(rstOf(peer, 1), [1], `${what}: RST_STREAM PROTOCOL_ERROR`);
      }
      assert.ok(!w.parts.some((p) => p.ref === a && p.type === "data" && Buffer.from(p.data).toString() === "smuggled"), what);
      assert.equal(conn.isOpen(), true, what);
      await conn.close();
    }
  });
});

test("HTTP/2 PUSH_PROMISE for another origin or an unsafe method is refused on the promised stream and never surfaced", async () => {
  await withServer(async (server) => {
    const { conn, w, peer, frames } = await open(server);
    const authority = `127.0.0.1:${server.port}`;
    const a = conn.request("GET", "/", [], null);
    await peer.waitForFrame((f) => f.type === H.T.HEADERS && f.streamId === 1, "the request");
    const promise = (method: string, auth: string): Headers => [[":method", method], [":scheme", "http"], [":authority", auth], [":path", "/p"]];
    await peer.write(frames()
      .pushPromise(1, 2, promise("GET", "evil.example"))
      .pushPromise(1, 4, promise("POST", authority))
      .pushPromise(1, 6, promise("GET", `127.0.0.1:${server.port + 1}`))
      .pushPromise(1, 8, promise("GET", authority))
      .response(1, 200, [], "page").bytes());
    await w.untilEnded([a]);
    await peer.waitForFrame((f) => f.type === H.T.RST_STREAM && f.streamId === 6, "the refusals");
    assert.deepEqual([2, 4, 6].map((id) => rstOf(peer, id)), [[1], [1], [1]]);
    assert.deepEqual(rstOf(peer, 8), []);
    const pushes = w.parts.filter((p) => p.type === "push_promise");
    assert.equal(pushes.length, 1, "only the valid promise is surfaced");
    assert.ok(pushes[0]?.type === "push_promise" && pushes[0].headers.some(([n, v]) => n === ":authority" && v === authority));
    assert.equal(w.end(a)?.type, "done");
    await conn.close();
  });
});

test("HTTP/2 SETTINGS_ENABLE_PUSH=1 from the server closes the connection with GOAWAY PROTOCOL_ERROR", async () => {
  await withServer(async (server) => {
    const { conn, w, peer } = await open(server);
    const a = conn.request("GET", "/", [], null);
    await peer.write(H.settings([[2, 1]]));
    const err = await w.untilClosed();
    assert.ok(err instanceof HTTPError && err.reason === "protocol_error", String(err));
    assert.match(err.message, /SETTINGS_ENABLE_PUSH/);
    assert.equal(w.end(a)?.type, "error");
    await peer.waitForFrame((f) => f.type === H.T.GOAWAY, "the GOAWAY");
    assert.equal(H.sentGoaway(peer.frames())?.code, "PROTOCOL_ERROR");
    assert.ok(conn.getSocket().destroyed);
  });
});

test("HTTP/2 requests with injected pseudo-headers, authority or path are refused before a byte is sent", async () => {
  await withServer(async (server) => {
    const { conn, w, peer, frames } = await open(server);
    const refused: Array<[string, string, Headers, string]> = [
      ["GET", "/", [[":authority", "user@evil.example"]], "invalid_header_value"],
      ["GET", "/", [["host", "evil.example\r\nx-injected: 1"]], "invalid_header_value"],
      ["GET", "/", [[":method", "GET /admin"]], "invalid_request_method"],
      ["GET\r\n", "/", [], "invalid_request_method"],
      ["GET", "/a b", [], "invalid_request_target"],
      ["GET", "no-slash", [], "invalid_request_target"],
      ["GET", "/", [[":path", "/x\r\n"]], "invalid_request_target"],
      ["GET", "/", [[":scheme", "ht tp"]], "invalid_header_value"],
      ["CONNECT", "/", [[":protocol", "web socket"]], "invalid_header_value"],
    ];
    await peer.waitForFrame((f) => f.type === H.T.SETTINGS && (f.flags & 1) === 1, "the client's SETTINGS ACK");
    const before = peer.receivedLength;
    for (const [method, path, headers, reason] of refused) {
      assert.throws(() => conn.request(method, path, headers, null), (e: unknown) => e instanceof HTTPError && e.reason === reason, `${method} ${path} ${JSON.stringify(headers)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(peer.receivedLength, before, "nothing was sent for the refused requests");
    const ok = conn.request("GET", "/ok", [], null);
    await peer.waitForFrame((f) => f.type === H.T.HEADERS, "the good request");
    assert.deepEqual(peer.frames().filter((f) => f.type === H.T.HEADERS).map((f) => f.streamId), [1], "the first stream id is used by the good request");
    await peer.write(frames().response(1, 200).bytes());
    await w.untilEnded([ok]);
    assert.equal(w.end(ok)?.type, "done");
    await conn.close();
  });
});

test("connect() refuses a hostname that cannot be a Host or :authority, before any socket opens", async () => {
  await withServer(async (server) => {
    for (const hostname of ["user@evil.example", "evil.example\r\nx: y", "a b"]) {
      await assert.rejects(connect("http", "127.0.0.1", server.port, { protocols: ["http2"], hostname }), TypeError, hostname);
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.peers.length, 0);
  });
});

test("HTTP/2: 50000 PINGs and 50000 SETTINGS from a server that reads our ACKs are all answered and the request completes", async () => {
  await withServer(async (server) => {
    const { conn, w, peer, frames } = await open(server);
    const a = conn.request("GET", "/", [], null);
    await peer.waitForFrame((f) => f.type === H.T.HEADERS && f.streamId === 1, "the request");
    const base = peer.receivedLength;
    const one = Buffer.concat([H.ping(), H.settings([])]);
    const burst = Buffer.alloc(one.length * 50_000);
    for (let i = 0; i < 50_000; i++) one.copy(burst, i * one.length);
    await peer.write(Buffer.concat([frames().headers(1, [[":status", "200"]]).bytes(), burst]));
    const ackBytes = 50_000 * (17 + 9);
    await peer.waitFor(() => peer.receivedLength - base >= ackBytes, 20_000, "the ACKs");
    await peer.write(frames().data(1, "after the burst", { endStream: true }).bytes());
    await w.untilEnded([a], 5000);
    assert.equal(w.end(a)?.type, "done");
    assert.equal(w.body(a).toString(), "after the burst");
    assert.equal(w.closed, undefined, "the connection stays open");
    const acks = peer.frames().filter((f) => (f.flags & 1) === 1 && (f.type === H.T.PING || f.type === H.T.SETTINGS));
    assert.equal(acks.filter((f) => f.type === H.T.PING).length, 50_000);
    assert.equal(acks.filter((f) => f.type === H.T.SETTINGS).length, 50_000 + 1, "plus the ACK of the preface SETTINGS");
    assert.equal(H.sentGoaway(peer.frames()), undefined);
    await conn.close();
  });
});

test("HTTP/2 passive: one recv() of 50000 PINGs (850 KB) is fed in socket-read slices, so every PING is answered", async () => {
  await withServer(async (server) => {
    const { conn, peer, frames } = await open(server, { mode: "passive" });
    await conn.recv(0, 1000); // the server's preface
    const a = conn.request("GET", "/", [], null);
    await peer.waitForFrame((f) => f.type === H.T.HEADERS && f.streamId === 1, "the request");
    const base = peer.receivedLength;
    const ping = H.ping();
    const burst = Buffer.alloc(ping.length * 50_000);
    for (let i = 0; i < 50_000; i++) burst.set(ping, i * ping.length);
    await peer.write(burst);
    const parts = await conn.recv(burst.length, 10_000);
    assert.deepEqual(parts, []);
    await peer.waitFor(() => peer.receivedLength - base >= 50_000 * 17, 10_000, "the PING ACKs");
    await peer.write(frames().response(1, 200, [], "ok").bytes());
    const rest: ResponsePart[] = [];
    while (!rest.some((p) => p.type === "done")) rest.push(...(await conn.recv(0, 2000)));
    assert.equal(rest.find((p) => p.type === "done")?.ref, a);
    assert.equal(conn.isOpen(), true);
    await conn.close();
  });
});

test("HTTP/2 holdReceiveWindow: the held stream stops at its window while the other completes; release lets it finish", async () => {
  await withServer(async (server) => {
    const { conn, w, peer, frames } = await open(server, { clientSettings: { initialWindowSize: 100_000 }, receiveWindowUpdateThreshold: 50_000 });
    const a = conn.request("GET", "/held", [], null);
    const b = conn.request("GET", "/free", [], null);
    conn.holdReceiveWindow(a, true);
    await peer.waitForFrame((f) => f.type === H.T.HEADERS && f.streamId === 3, "both requests");
    const chunk = Buffer.alloc(10_000, 0x61);
    const f = frames().headers(1, [[":status", "200"]]).headers(3, [[":status", "200"]]);
    for (let i = 0; i < 10; i++) f.data(1, chunk).data(3, chunk);
    await peer.write(f.bytes());
    // Stream 3 gets its refill; stream 1 (held) does not.
    await peer.waitForFrame((fr) => fr.type === H.T.WINDOW_UPDATE && fr.streamId === 3, "stream 3's WINDOW_UPDATE");
    await peer.write(frames().data(3, "end", { endStream: true }).bytes());
    await w.untilEnded([b]);
    assert.equal(w.end(b)?.type, "done");
    assert.equal(w.body(b).length, 100_003);
    await new Promise((r) => setTimeout(r, 100));
    const updates = () => peer.frames().filter((fr) => fr.type === H.T.WINDOW_UPDATE && fr.streamId === 1);
    assert.deepEqual(updates(), [], "no WINDOW_UPDATE for the held stream");
    assert.equal(w.body(a).length, 100_000);
    assert.equal(w.end(a), undefined);
    conn.holdReceiveWindow(a, false);
    await peer.waitForFrame((fr) => fr.type === H.T.WINDOW_UPDATE && fr.streamId === 1, "stream 1's WINDOW_UPDATE on release");
    assert.equal(updates()[0]!.payload.readUInt32BE(0), 100_000);
    await peer.write(frames().data(1, chunk, { endStream: true }).bytes());
    await w.untilEnded([a]);
    assert.equal(w.end(a)?.type, "done");
    assert.equal(w.body(a).length, 110_000);
    conn.holdReceiveWindow(a, true);
    await conn.close();
  });
});

test("holdReceiveWindow is HTTP/2 only and takes a boolean", async () => {
  await withServer(async (server) => {
    const h1 = await connect("http", "127.0.0.1", server.port, { protocols: ["http1"] });
    assert.throws(() => h1.holdReceiveWindow("#1", true), TypeError);
    await h1.close();
    await server.nextPeer();
    const { conn } = await open(server);
    const a = conn.request("GET", "/", [], null);
    assert.throws(() => conn.holdReceiveWindow(a, 1 as unknown as boolean), TypeError);
    await conn.close();
  });
});
