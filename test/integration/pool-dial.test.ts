// Happy Eyeballs end to end: dial() with the real connect() against servers on ::1 and
// 127.0.0.1 that share a port, the name resolved by an injected resolver (no real DNS), and
// once through the system resolver for "localhost" (/etc/hosts).

import assert from "node:assert/strict";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { dial, dialWith, type LookupFamily } from "../../src/pool/dial.js";
import { TransportError, type Connection } from "../../src/index.js";
import { testCerts } from "../support/certs.js";
import { collectActive, header, responseOf } from "../support/collect.js";
import { socketHandleCount, settleSockets } from "../support/handles.js";

const certs = testCerts();

/** Can this machine bind the IPv6 loopback? */
async function canBindV6(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(0, "::1", () => s.close(() => resolve(true)));
  });
}
const V6 = await canBindV6();
const SKIP_V6 = V6 ? false : "::1 cannot be bound on this machine: the dual-stack cases do not run";

type Listener = net.Server;

function listen(server: Listener, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** `v4` on 127.0.0.1 and `v6` on ::1, bound to the same port (retrying on a port clash). */
async function samePort(v4: () => Listener, v6: () => Listener): Promise<{ port: number; servers: Listener[] }> {
  for (let i = 0; i < 20; i++) {
    const a = v4();
    const port = await listen(a, "127.0.0.1", 0);
    const b = v6();
    try {
      await listen(b, "::1", port);
      return { port, servers: [a, b] };
    } catch {
      await new Promise<void>((r) => a.close(() => r()));
    }
  }
  throw new Error("could not bind 127.0.0.1 and ::1 to one port");
}

function closeAll(servers: Listener[], sockets: Set<net.Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => {});
}

/** Every server socket, so close() can drop them. */
function track(server: Listener, sockets: Set<net.Socket>): Listener {
  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return server;
}

const dualStack: LookupFamily = async (_host, family) => (family === 6 ? ["::1"] : ["127.0.0.1"]);

/** GET / and return the body and the Host header the server saw (echoed). */
async function get(conn: Connection): Promise<{ body: string; host?: string }> {
  const ref = conn.request("GET", "/", [], null);
  const r = responseOf(await collectActive(conn, [ref]), ref);
  if (r.error) throw r.error;
  return { body: r.body.toString(), host: header(r.headers, "x-host") };
}

const whoAnswers: http.RequestListener = (req, res) => {
  res.setHeader("x-host", req.headers.host ?? "");
  res.end(req.socket.localAddress === "::1" ? "v6" : "v4");
};

describe("dial with both families reachable", { skip: SKIP_V6 }, () => {
  const sockets = new Set<net.Socket>();
  let port = 0;
  let servers: Listener[] = [];
  before(async () => {
    ({ port, servers } = await samePort(() => track(http.createServer(whoAnswers), sockets), () => track(http.createServer(whoAnswers), sockets)));
  });
  after(() => closeAll(servers, sockets));

  test("IPv6 is tried first and wins; the Host header carries the name", async () => {
    const conn = await dialWith({ lookup: dualStack }, { scheme: "http", host: "dual.test", port }, {});
    try {
      assert.deepEqual(await get(conn), { body: "v6", host: `dual.test:${port}` });
    } finally {
      await conn.close();
    }
  });
});

describe("dial when the IPv6 address accepts TCP but never completes TLS", { skip: SKIP_V6 }, () => {
  const sockets = new Set<net.Socket>();
  let port = 0;
  let servers: Listener[] = [];
  let stalled: net.Socket[] = [];
  before(async () => {
    ({ port, servers } = await samePort(
      () => track(https.createServer({ cert: certs.valid.cert, key: certs.valid.key }, whoAnswers), sockets),
      // A black hole on ::1: the TCP handshake completes, then nothing is ever said.
      () => track(net.createServer((s) => { stalled.push(s); s.on("error", () => {}); s.resume(); }), sockets),
    ));
  });
  after(() => closeAll(servers, sockets));

  test("the IPv4 attempt starts 250 ms later and wins; the stalled IPv6 attempt is closed", async () => {
    stalled = [];
    const baseline = socketHandleCount();
    const t0 = Date.now();
    // The connect timeout bounds the losing attempt, which connect() cannot cancel.
    const conn = await dialWith({ lookup: dualStack }, { scheme: "https", host: "localhost", port }, { transportOpts: { cacerts: [certs.rootCA.cert], timeout: 1500 } });
    const elapsed = Date.now() - t0;
    try {
      assert.ok(elapsed >= 240 && elapsed < 1200, `IPv4 won after ${elapsed} ms, expected about 250`);
      assert.equal(stalled.length, 1, "one IPv6 attempt reached the black hole");
      assert.deepEqual(await get(conn), { body: "v4", host: `localhost:${port}` });
    } finally {
      await conn.close();
    }
    // The loser gives up at its connect timeout and its socket is gone.
    await new Promise<void>((resolve) => (stalled[0]!.destroyed ? resolve() : stalled[0]!.once("close", () => resolve())));
    assert.ok(Date.now() - t0 < 3000);
    assert.ok(await settleSockets(baseline) <= baseline, "no socket left behind");
  });
});

describe("dial when nothing listens on the IPv6 address", { skip: SKIP_V6 }, () => {
  const sockets = new Set<net.Socket>();
  let port = 0;
  let servers: Listener[] = [];
  before(async () => {
    // Bind both, then free ::1 so its port refuses.
    ({ port, servers } = await samePort(() => track(http.createServer(whoAnswers), sockets), () => net.createServer()));
    await new Promise<void>((r) => servers[1]!.close(() => r()));
    servers = [servers[0]!];
  });
  after(() => closeAll(servers, sockets));

  test("a refused IPv6 attempt hands over to IPv4 at once", async () => {
    const t0 = Date.now();
    const conn = await dialWith({ lookup: dualStack }, { scheme: "http", host: "dual.test", port }, {});
    try {
      assert.ok(Date.now() - t0 < 200, `took ${Date.now() - t0} ms`);
      assert.equal((await get(conn)).body, "v4");
    } finally {
      await conn.close();
    }
  });

  test("both refused: the error lists both addresses", async () => {
    const free = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    await assert.rejects(dialWith({ lookup: dualStack }, { scheme: "http", host: "dual.test", port: free }, {}), (e: unknown) => {
      assert.ok(e instanceof TransportError);
      assert.equal(e.reason, "econnrefused");
      const attempts = e.details?.attempts as Array<{ address: string }>;
      assert.deepEqual(attempts.map((a) => a.address), ["::1", "127.0.0.1"]);
      assert.match(e.message, /tried 2 addresses of dual\.test:\d+: ::1 \(econnrefused\), 127\.0\.0\.1 \(econnrefused\)/);
      return true;
    });
  });
});

test("dial through the system resolver: localhost from /etc/hosts", async () => {
  const sockets = new Set<net.Socket>();
  const server = track(http.createServer(whoAnswers), sockets);
  const port = await listen(server, "127.0.0.1", 0);
  try {
    const conn = await dial({ scheme: "http", host: "localhost", port }, {});
    try {
      assert.deepEqual(await get(conn), { body: "v4", host: `localhost:${port}` });
    } finally {
      await conn.close();
    }
  } finally {
    await closeAll([server], sockets);
  }
});
