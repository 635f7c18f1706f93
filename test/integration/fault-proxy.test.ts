// The soak's test servers checked on their own: the fault-injecting proxy (pass, reset,
// truncate, idle close, stall, seeded plans) and the echo origins (ids, POST receipts,
// GOAWAY every N streams).

import assert from "node:assert/strict";
import * as http2 from "node:http2";
import { after, before, describe, test } from "node:test";
import { connect, type Connection } from "../../src/index.js";
import { collectActive, responseOf, type Response } from "../support/collect.js";
import { echoBody, startEchoHTTP1, startGoawayH2, type EchoOrigin } from "../support/echo-origins.js";
import { randomPlan, startFaultProxy, type Fault } from "../support/fault-proxy.js";

async function get(conn: Connection, id: string, path = "/", method = "GET"): Promise<Response> {
  const ref = conn.request(method, path, [["x-request-id", id]], method === "POST" ? "body" : null);
  return responseOf(await collectActive(conn, [ref], 5000).catch((e: Error & { parts?: [] }) => e.parts ?? []), ref);
}

describe("fault proxy in front of the HTTP/1 echo origin", () => {
  let origin: EchoOrigin;
  before(async () => {
    origin = await startEchoHTTP1();
  });
  after(() => origin.close());

  async function through(fault: Fault, fn: (conn: Connection) => Promise<void>): Promise<{ fired: Record<string, number>; connections: number }> {
    const proxy = await startFaultProxy(origin.port, () => fault);
    try {
      const conn = await connect("http", "127.0.0.1", proxy.port);
      try {
        await fn(conn);
      } finally {
        await conn.close();
      }
      return { fired: { ...proxy.fired }, connections: proxy.connections };
    } finally {
      await proxy.close();
    }
  }

  test("pass: responses arrive whole, the echo carries the id, POSTs are counted", async () => {
    const r = await through({ kind: "pass" }, async (conn) => {
      assert.equal((await get(conn, "a1", "/?size=3000")).body.toString(), echoBody("a1", 3000));
      assert.equal((await get(conn, "p1", "/", "POST")).body.toString(), echoBody("p1"));
    });
    assert.equal(r.connections, 1);
    assert.equal(origin.posts.get("p1"), 1);
  });

  test("truncate: the client gets the first N bytes then FIN", async () => {
    const r = await through({ kind: "truncate", afterBytes: 20 }, async (conn) => {
      const res = await get(conn, "t1", "/?size=500");
      assert.ok(res.error !== undefined || !res.done, "a truncated response does not complete");
      assert.equal(res.done, false);
    });
    assert.equal(r.fired.truncate, 1);
  });

  test("reset before anything and after some bytes: the request fails", async () => {
    const proxy = await startFaultProxy(origin.port, () => ({ kind: "reset", afterBytes: -1 }));
    try {
      const conn = await connect("http", "127.0.0.1", proxy.port).catch((e: unknown) => e as Error);
      if (!(conn instanceof Error)) {
        const res = await get(conn, "r0");
        assert.equal(res.done, false);
        await conn.close();
      }
      assert.equal(proxy.fired.reset, 1);
    } finally {
      await proxy.close();
    }
    const r = await through({ kind: "reset", afterBytes: 30 }, async (conn) => {
      const res = await get(conn, "r1", "/?size=500");
      assert.equal(res.done, false);
    });
    assert.equal(r.fired.reset, 1);
  });

  test("idle-close: a quiet connection is closed", async () => {
    await through({ kind: "idle-close", idleMs: 300 }, async (conn) => {
      assert.equal((await get(conn, "i1")).done, true);
      await new Promise<void>((resolve) => conn.once("closed", () => resolve()));
      assert.equal(conn.isOpen(), false);
    });
  });

  test("stall: the response is held, then arrives whole", async () => {
    await through({ kind: "stall", afterBytes: 10, ms: 200 }, async (conn) => {
      const t0 = Date.now();
      const res = await get(conn, "s1", "/?size=100");
      assert.ok(Date.now() - t0 >= 190, `took ${Date.now() - t0} ms`);
      assert.equal(res.body.toString(), echoBody("s1", 100));
    });
  });

  test("a seeded plan replays the same faults", () => {
    const weights = { pass: 5, reset: 1, truncate: 1, "idle-close": 1, stall: 1 };
    const a = randomPlan(42, { weights });
    const b = randomPlan(42, { weights });
    const seqA = Array.from({ length: 50 }, (_, i) => a(i));
    assert.deepEqual(seqA, Array.from({ length: 50 }, (_, i) => b(i)));
    assert.equal(new Set(seqA.map((f) => f.kind)).size, 5, "every kind is drawn");
  });
});

test("the HTTP/2 origin sends a graceful GOAWAY after every N streams", async () => {
  const origin = await startGoawayH2(3);
  const client = http2.connect(`http://127.0.0.1:${origin.port}`);
  try {
    const goaway = new Promise<number>((resolve) => client.once("goaway", (_code, last) => resolve(last)));
    const ask = (id: string) =>
      new Promise<string>((resolve, reject) => {
        const s = client.request({ ":path": "/", "x-request-id": id });
        let body = "";
        s.setEncoding("utf8");
        s.on("data", (c: string) => (body += c));
        s.on("end", () => resolve(body));
        s.on("error", reject);
      });
    const bodies = await Promise.all([ask("g1"), ask("g2"), ask("g3")]);
    assert.deepEqual(bodies, ["g1\n", "g2\n", "g3\n"]);
    assert.equal(await goaway, 5, "last_stream_id is the third stream");
    assert.equal(origin.goaways, 1);
  } finally {
    client.destroy();
    await origin.close();
  }
});
