// connect() publishes each connection it opens on the diagnostics channel
// `mint-http:connection:open`, the pool's included; a failed connect publishes nothing.

import assert from "node:assert/strict";
import diagnosticsChannel from "node:diagnostics_channel";
import { test } from "node:test";
import { connect, CONNECTION_OPEN_CHANNEL, type Connection } from "../../src/index.js";
import { Pool } from "../../src/pool/index.js";
import { startHTTPServer } from "../support/servers.js";

test("every opened connection is published with where it goes; failures are not", async () => {
  const server = await startHTTPServer((_req, res) => res.end("ok"));
  const seen: Array<{ connection: Connection; scheme: string; address: unknown; port: number; hostname: string | undefined }> = [];
  const listener = (message: unknown): void => {
    seen.push(message as (typeof seen)[number]);
  };
  diagnosticsChannel.subscribe(CONNECTION_OPEN_CHANNEL, listener);
  try {
    assert.equal(CONNECTION_OPEN_CHANNEL, "mint-http:connection:open");
    const conn = await connect("http", "127.0.0.1", server.port, { hostname: "example.test" });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.connection, conn);
    assert.equal(seen[0]!.scheme, "http");
    assert.equal(seen[0]!.address, "127.0.0.1");
    assert.equal(seen[0]!.port, server.port);
    assert.equal(seen[0]!.hostname, "example.test");
    await conn.close();

    await assert.rejects(connect("http", "127.0.0.1", 1), { reason: "econnrefused" });
    assert.equal(seen.length, 1);

    const pool = new Pool(`http://127.0.0.1:${server.port}`);
    const res = await pool.request("/");
    assert.equal(await res.body.text(), "ok");
    assert.equal(seen.length, 2);
    assert.equal(seen[1]!.connection.protocol, "http1");
    await pool.close();
  } finally {
    diagnosticsChannel.unsubscribe(CONNECTION_OPEN_CHANNEL, listener);
    await server.close();
  }
});
