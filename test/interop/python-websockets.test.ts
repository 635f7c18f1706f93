// Interop with python3-websockets (Debian's package, 10.x) as a WebSocket server over
// HTTP/1.1: the echo server in support/websockets_echo.py with permessage-deflate and two
// subprotocols. Echoes are checked byte for byte (text, binary, large and fragmented by
// compression), the negotiated subprotocol and extension as both sides see them, server
// close codes with their reasons, and our close codes reaching the server.
// Without python3-websockets these tests fail under CI and are skipped (with the reason) otherwise.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectWebSocket, type WebSocket } from "../../src/websocket/index.js";
import { freePort, interopPython, startChild, waitForPorts, type Child } from "./support/process.js";

const { bin, missing } = interopPython(["websockets"], "apt-get install python3-websockets");
const script = join(dirname(fileURLToPath(import.meta.url)), "support", "websockets_echo.py");

function nextMessage(ws: WebSocket): Promise<string | Uint8Array> {
  return new Promise((resolve) => ws.once("message", (d: string | Uint8Array) => resolve(d)));
}

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >>> 11)) & 0xff;
  return b;
}

describe("python3-websockets echo server (HTTP/1.1)", { skip: missing }, () => {
  let child: Child;
  let port = 0;

  before(async () => {
    port = await freePort();
    child = startChild(bin!, [script, String(port)], dirname(script));
    await waitForPorts("python3-websockets", [port], child);
  });
  after(async () => {
    await child?.stop();
  });

  test("permessage-deflate and a subprotocol are agreed; text and binary echo byte for byte", async () => {
    const ws = await connectWebSocket(`ws://127.0.0.1:${port}/echo?room=1`, { protocols: ["nope", "chat.v1"] });
    assert.equal(ws.httpVersion, "http1");
    assert.equal(ws.protocol, "chat.v1");
    // websockets limits both windows to 12 bits: our compressor must keep to client_max_window_bits=12.
    assert.equal(ws.extensions, "permessage-deflate; server_max_window_bits=12; client_max_window_bits=12");
    ws.send("whoami");
    assert.equal(await nextMessage(ws), "/echo?room=1 chat.v1 permessage-deflate");
    const texts = ["", "héllo wörld ✓ 🎉", "compress me ".repeat(100_000)];
    for (const t of texts) {
      ws.send(t);
      assert.equal(await nextMessage(ws), t);
    }
    for (const n of [0, 1, 125, 126, 65_535, 65_536, 3 * 1024 * 1024 + 5]) {
      const b = pattern(n);
      ws.send(b);
      const got = await nextMessage(ws);
      assert.ok(got instanceof Uint8Array, `binary echo of ${n} bytes is binary`);
      assert.ok(Buffer.from(got).equals(Buffer.from(b)), `binary echo of ${n} bytes is byte-exact`);
    }
    const info = await ws.close(1000, "done");
    assert.deepEqual(info, { code: 1000, reason: "done", wasClean: true });
  });

  test("many messages in flight come back in order, with and without context takeover", async () => {
    for (const perMessageDeflate of [true, { clientNoContextTakeover: true, serverNoContextTakeover: true }, false] as const) {
      const ws = await connectWebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate });
      if (perMessageDeflate === false) assert.equal(ws.extensions, "");
      else assert.match(ws.extensions, /permessage-deflate/);
      if (typeof perMessageDeflate === "object") {
        assert.match(ws.extensions, /server_no_context_takeover/);
        assert.match(ws.extensions, /client_no_context_takeover/);
      }
      const got: string[] = [];
      const all = new Promise<void>((resolve) =>
        ws.on("message", (d: string) => {
          got.push(d);
          if (got.length === 200) resolve();
        }),
      );
      const sent = Array.from({ length: 200 }, (_, i) => `message ${i} `.repeat(i % 17));
      for (const m of sent) ws.send(m);
      await all;
      assert.deepEqual(got, sent);
      assert.equal((await ws.close()).wasClean, true);
    }
  });

  test("a close from the server: its code and reason, wasClean", async () => {
    const ws = await connectWebSocket(`ws://127.0.0.1:${port}/`, { mode: "passive" });
    ws.send("close 4001 going away now");
    const events = await ws.recv(5000);
    assert.deepEqual(events, [{ type: "close", code: 4001, reason: "going away now", wasClean: true }]);
  });

  test("our close code reaches the server and comes back in its close frame", async () => {
    const ws = await connectWebSocket(`ws://127.0.0.1:${port}/`);
    ws.send("still open");
    assert.equal(await nextMessage(ws), "still open");
    const info = await ws.close(3001, "app says bye");
    assert.deepEqual(info, { code: 3001, reason: "app says bye", wasClean: true });
  });

  test("ping gets its pong with the same payload", async () => {
    const ws = await connectWebSocket(`ws://127.0.0.1:${port}/`);
    const payload = new Uint8Array([1, 2, 3, 250]);
    const pong = new Promise<Uint8Array>((resolve) => ws.once("pong", resolve));
    ws.ping(payload);
    assert.deepEqual([...(await pong)], [...payload]);
    await ws.close();
  });
});
