// close() is the end of a connection: "closed" is emitted once, before close() returns, and
// no event ("parts", "window", "closed") fires after it — whether close() is called from
// outside, from a "parts", "window" or "closed" handler, in active or passive mode, or while
// bytes read in passive mode are replayed after setMode("active"); HTTP/1 and HTTP/2 (h2c)
// against a scripted raw server that keeps sending.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { connect, HTTPError, type Connection, type ResponsePart } from "../../src/index.js";
import { Encoder } from "../../src/hpack/index.js";
import { startFaultServer, type FaultServer, type Peer } from "../support/fault-server.js";
import { FrameBuilder } from "../support/h2-frames.js";

type Protocol = "http1" | "http2";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Setup {
  server: FaultServer;
  conn: Connection;
  peer: Peer;
  events: string[];
  /** The response head (and, on HTTP/2, a connection WINDOW_UPDATE) plus part of a body. */
  head: Uint8Array;
  /** More of the body, for after the close. */
  more: Uint8Array;
}

/** Records every event, in order. */
function record(conn: Connection): string[] {
  const events: string[] = [];
  conn.on("parts", (parts: ResponsePart[]) => events.push(`parts:${parts.map((p) => p.type).join(",")}`));
  conn.on("window", () => events.push("window"));
  conn.on("closed", (err?: { reason?: string }) => events.push(`closed:${err?.reason ?? "none"}`));
  return events;
}

async function setup(protocol: Protocol, mode: "active" | "passive"): Promise<Setup> {
  const server = await startFaultServer();
  const conn = await connect("http", "127.0.0.1", server.port, { protocols: [protocol], mode });
  const peer = await server.nextPeer();
  const events = record(conn);
  if (protocol === "http2") {
    await peer.h2Handshake();
    if (mode === "passive") await conn.recv(0, 2000); // the server's SETTINGS and ACK
    else await sleep(20);
  }
  conn.request("GET", "/", [], null);
  if (protocol === "http1") {
    await peer.waitForHeads(1);
    return { server, conn, peer, events, head: Buffer.from("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nhello"), more: Buffer.from("world".repeat(5)) };
  }
  await peer.waitForFrame((f) => f.type === 1, "HEADERS");
  const b = new FrameBuilder(new Encoder());
  const head = b.headers(1, [[":status", "200"]]).windowUpdate(0, 1000).data(1, "hello").bytes();
  const more = new FrameBuilder(new Encoder()).data(1, "world").windowUpdate(0, 1000).goaway(1, 0).bytes();
  return { server, conn, peer, events, head, more };
}

async function teardown(s: Setup): Promise<void> {
  await s.conn.close();
  await s.server.close();
}

/** Writes more to the client after the close and waits: nothing may be reported. */
async function assertSilentAfter(s: Setup, snapshot: string[]): Promise<void> {
  await s.peer.write(s.more);
  s.peer.end();
  await sleep(100);
  assert.deepEqual(s.events, snapshot, "no event after close()");
}

for (const protocol of ["http1", "http2"] as const) {
  describe(`${protocol}: no event after close()`, () => {
    test("active: close() with a response in flight emits \"closed\" once before returning, then nothing", async () => {
      const s = await setup(protocol, "active");
      try {
        await s.peer.write(s.head);
        for (let i = 0; i < 100 && s.events.length === 0; i++) await sleep(5);
        assert.match(s.events[0] ?? "", /^parts:status,headers/);
        const p = s.conn.close();
        s.events.push("close-returned");
        const snapshot = [...s.events];
        assert.deepEqual(snapshot.slice(-2), ["closed:none", "close-returned"]);
        await p;
        await assertSilentAfter(s, snapshot);
        assert.equal(s.events.filter((e) => e.startsWith("closed")).length, 1);
      } finally {
        await teardown(s);
      }
    });

    test("passive: close() emits \"closed\" once; recv then rejects with closed; nothing after", async () => {
      const s = await setup(protocol, "passive");
      try {
        await s.peer.write(s.head);
        await sleep(30);
        await s.conn.close();
        assert.deepEqual(s.events, ["closed:none"]);
        await assert.rejects(s.conn.recv(0, 500), (e: unknown) => e instanceof HTTPError && e.reason === "closed");
        await assertSilentAfter(s, ["closed:none"]);
      } finally {
        await teardown(s);
      }
    });

    test("passive: a recv waiting when close() is called rejects with closed; no event after", async () => {
      const s = await setup(protocol, "passive");
      try {
        const pending = s.conn.recv(0, 5000);
        const settled = assert.rejects(pending, (e: unknown) => e instanceof HTTPError && e.reason === "closed");
        await sleep(10);
        await s.conn.close();
        await settled;
        assert.deepEqual(s.events, ["closed:none"]);
        await assertSilentAfter(s, ["closed:none"]);
      } finally {
        await teardown(s);
      }
    });

    test("close() inside a \"parts\" handler: \"closed\" inside it, then nothing (no \"window\", no error parts)", async () => {
      const s = await setup(protocol, "active");
      try {
        let closing: Promise<void> | undefined;
        s.conn.once("parts", () => {
          closing = s.conn.close();
          s.events.push("close-returned");
        });
        await s.peer.write(s.head);
        for (let i = 0; i < 100 && closing === undefined; i++) await sleep(5);
        await closing;
        const snapshot = [...s.events];
        assert.match(snapshot[0]!, /^parts:/);
        assert.deepEqual(snapshot.slice(1), ["closed:none", "close-returned"]);
        await assertSilentAfter(s, snapshot);
      } finally {
        await teardown(s);
      }
    });

    test("close() inside a \"closed\" handler (the server ended the connection): \"closed\" once", async () => {
      const s = await setup(protocol, "active");
      try {
        let inner: Promise<void> | undefined;
        s.conn.once("closed", () => {
          inner = s.conn.close();
        });
        await s.peer.write(s.head);
        s.peer.end();
        for (let i = 0; i < 200 && inner === undefined; i++) await sleep(5);
        await inner;
        await sleep(50);
        assert.equal(s.events.filter((e) => e.startsWith("closed")).length, 1, s.events.join(" "));
        assert.match(s.events.at(-1)!, /^closed:/);
      } finally {
        await teardown(s);
      }
    });

    test("setMode(\"active\") with unread bytes, then close() at once: the bytes are never delivered", async () => {
      const s = await setup(protocol, "passive");
      try {
        await s.peer.write(s.head);
        await sleep(30);
        // Five bytes are read; the rest of the chunk waits in the connection's inbox.
        assert.deepEqual(await s.conn.recv(5, 2000), []);
        s.conn.setMode("active");
        await s.conn.close();
        assert.deepEqual(s.events, ["closed:none"]);
        await assertSilentAfter(s, ["closed:none"]);
      } finally {
        await teardown(s);
      }
    });

    test("setMode(\"active\") replays unread bytes; close() in the replay's \"parts\" handler stops everything", async () => {
      const s = await setup(protocol, "passive");
      try {
        await s.peer.write(s.head);
        await sleep(30);
        assert.deepEqual(await s.conn.recv(5, 2000), []);
        let closing: Promise<void> | undefined;
        s.conn.once("parts", () => {
          closing = s.conn.close();
          s.events.push("close-returned");
        });
        s.conn.setMode("active");
        for (let i = 0; i < 100 && closing === undefined; i++) await sleep(5);
        await closing;
        const snapshot = [...s.events];
        assert.match(snapshot[0]!, /^parts:status,headers/);
        assert.deepEqual(snapshot.slice(1), ["closed:none", "close-returned"]);
        await assertSilentAfter(s, snapshot);
      } finally {
        await teardown(s);
      }
    });

    test("setMode(\"active\") then back to \"passive\" before the replay: no event, recv gets the bytes in order", async () => {
      const s = await setup(protocol, "passive");
      try {
        await s.peer.write(s.head);
        await sleep(30);
        assert.deepEqual(await s.conn.recv(5, 2000), []);
        s.conn.setMode("active");
        s.conn.setMode("passive");
        await sleep(20);
        assert.deepEqual(s.events, []);
        const parts = await s.conn.recv(0, 2000);
        assert.deepEqual(parts.map((p) => p.type).slice(0, 2), ["status", "headers"]);
        const data = parts.find((p) => p.type === "data");
        assert.equal(data && Buffer.from((data as { data: Uint8Array }).data).toString(), "hello");
      } finally {
        await teardown(s);
      }
    });
  });
}

test("http2: close() inside a \"window\" handler: \"closed\" inside it, then nothing", async () => {
  const s = await setup("http2", "active");
  try {
    let closing: Promise<void> | undefined;
    s.conn.once("window", () => {
      closing = s.conn.close();
      s.events.push("close-returned");
    });
    await s.peer.write(s.head);
    for (let i = 0; i < 100 && closing === undefined; i++) await sleep(5);
    await closing;
    const snapshot = [...s.events];
    assert.deepEqual(snapshot.slice(-3), ["window", "closed:none", "close-returned"]);
    await assertSilentAfter(s, snapshot);
  } finally {
    await teardown(s);
  }
});

test("close() releases the socket in both modes and both protocols", async () => {
  for (const protocol of ["http1", "http2"] as const) {
    for (const mode of ["active", "passive"] as const) {
      const server = await startFaultServer();
      try {
        const conn = await connect("http", "127.0.0.1", server.port, { protocols: [protocol], mode });
        await server.nextPeer();
        await conn.close();
        // close() resolves once the socket is closed: its handle is released.
        assert.equal(conn.getSocket().destroyed, true, `${protocol} ${mode}`);
        assert.equal(conn.getSocket().closed, true, `${protocol} ${mode}`);
        assert.equal(conn.isOpen("read"), false);
      } finally {
        await server.close();
      }
    }
  }
});
