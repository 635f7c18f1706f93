// How a connection's writes meet the server: when one read ends several requests, the
// requests the caller sends in their place inside the "parts" handler leave in one write,
// so the server reads the whole burst at once instead of the first request alone. The
// client socket's writes are counted where Node hands them to the kernel (_write, _writev).

import { test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { connect, type ResponsePart } from "../../src/index.js";

const BURST = 10;
const RESPONSE = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

/** Answers each burst of BURST requests with one write. */
async function burstServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => {
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (text.split("\r\n\r\n").length - 1 < BURST) return;
      text = "";
      socket.write(RESPONSE.repeat(BURST));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Counts the writes handed to the kernel by sockets connected to `port`, per call (requests in each). */
function countWrites(port: number): { writes: number[]; restore: () => void } {
  const proto = net.Socket.prototype as unknown as Record<"_write" | "_writev", (...args: unknown[]) => unknown>;
  const write = proto._write;
  const writev = proto._writev;
  const writes: number[] = [];
  const requests = (data: unknown) => Buffer.from(data as Uint8Array).toString("latin1").split("\r\n\r\n").length - 1;
  proto._write = function (this: net.Socket, ...args: unknown[]) {
    if (this.remotePort === port) writes.push(requests(args[0]));
    return write.apply(this, args);
  };
  proto._writev = function (this: net.Socket, ...args: unknown[]) {
    if (this.remotePort === port) writes.push((args[0] as Array<{ chunk: unknown }>).reduce((n, c) => n + requests(c.chunk), 0));
    return writev.apply(this, args);
  };
  return { writes, restore: () => Object.assign(proto, { _write: write, _writev: writev }) };
}

test("requests sent from the parts of a read that ended several leave in one write", async () => {
  const srv = await burstServer();
  const counted = countWrites(srv.port);
  const conn = await connect("http", "127.0.0.1", srv.port, { protocols: ["http1"] });
  let done = 0;
  const finished = new Promise<void>((resolve, reject) => {
    conn.on("parts", (parts: ResponsePart[]) => {
      for (const p of parts) {
        if (p.type === "error") reject(p.error);
        if (p.type !== "done") continue;
        done++;
        if (done <= 3 * BURST) conn.request("GET", "/", [], null);
        if (done === 4 * BURST) resolve();
      }
    });
  });
  for (let i = 0; i < BURST; i++) conn.request("GET", "/", [], null);
  try {
    await finished;
  } finally {
    counted.restore();
    await conn.close();
    await srv.close();
  }
  // The first burst, sent from outside any handler: the first request at once, the rest gathered.
  assert.deepEqual(counted.writes.slice(0, 2), [1, BURST - 1]);
  // Each burst sent from the parts of a read that ended a whole burst: one write.
  assert.deepEqual(counted.writes.slice(2), [BURST, BURST, BURST]);
});
