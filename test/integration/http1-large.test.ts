// A 64 MiB download through passive recv stays within bounded memory, and a Unix socket
// carries HTTP/1 like TCP.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "../../src/index.js";
import { collectActive, responseOf } from "../support/collect.js";
import { startHTTPServer } from "../support/servers.js";

const SIZE = 64 * 1024 * 1024;

test("64 MiB download through recv grows memory by less than 48 MiB", async () => {
  const block = Buffer.alloc(64 * 1024, 7);
  const server = await startHTTPServer((_req, res) => {
    res.writeHead(200, { "content-length": String(SIZE) });
    let sent = 0;
    const pump = (): void => {
      while (sent < SIZE) {
        sent += block.length;
        if (!res.write(block)) {
          res.once("drain", pump);
          return;
        }
      }
      res.end();
    };
    pump();
  });
  const conn = await connect("http", "127.0.0.1", server.port, { mode: "passive" });
  try {
    const mem = (): number => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const base = mem();
    let peak = 0;
    let received = 0;
    let done = false;
    const ref = conn.request("GET", "/big", [], null);
    while (!done) {
      for (const p of await conn.recv(0, 10_000)) {
        if (p.ref !== ref) continue;
        if (p.type === "data") received += p.data.length;
        if (p.type === "done") done = true;
      }
      peak = Math.max(peak, mem() - base);
    }
    assert.equal(received, SIZE);
    assert.ok(peak < 48 * 1024 * 1024, `memory grew by ${(peak / 1048576).toFixed(1)} MiB`);
  } finally {
    await conn.close();
    await server.close();
  }
});

test("HTTP/1 over a Unix domain socket uses hostname for Host", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mint-unix-"));
  const path = join(dir, "s.sock");
  let host: string | undefined;
  const server = http.createServer((req, res) => {
    host = req.headers.host;
    res.end("unix");
  });
  await new Promise<void>((r) => server.listen(path, r));
  const conn = await connect("http", { path }, 0, { hostname: "example.local" });
  try {
    const ref = conn.request("GET", "/", [], null);
    const r = responseOf(await collectActive(conn, [ref]), ref);
    assert.equal(r.body.toString(), "unix");
    assert.equal(host, "example.local");
  } finally {
    await conn.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});
