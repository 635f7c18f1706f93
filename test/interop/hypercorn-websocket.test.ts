// Interop with hypercorn (Debian's python3-hypercorn) serving the ASGI app in
// support/hypercorn_app.py: WebSockets over HTTP/2 by RFC 8441 extended CONNECT, over h2c
// (prior knowledge) and h2 over TLS. hypercorn sends SETTINGS_ENABLE_CONNECT_PROTOCOL=1 and
// negotiates permessage-deflate (wsproto) on RFC 8441 streams as on HTTP/1.1, so the
// extension is checked here too. The connection serves an ordinary request while the
// WebSocket is open; echoes are byte-exact; close codes go both ways.
// hypercorn 0.13 forgets a WebSocket stream once it has handled the close frames and then
// drops the whole connection when the END_STREAM that ends that stream arrives (RFC 8441
// §5 asks for it), so requests after a WebSocket's close are tested against node:http2 only.
// Without hypercorn these tests fail under CI and are skipped (with the reason) otherwise.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect, type Connection } from "../../src/index.js";
import { connectWebSocket, upgrade, type WebSocket } from "../../src/websocket/index.js";
import { testCerts } from "../support/certs.js";
import { collectActive, responseOf } from "../support/collect.js";
import { freePort, interopBinary, startChild, waitForPorts, type Child } from "./support/process.js";

const { bin, missing } = interopBinary("hypercorn", "apt-get install python3-hypercorn");
const supportDir = join(dirname(fileURLToPath(import.meta.url)), "support");
const certs = testCerts();
const tls = { transportOpts: { cacerts: [certs.rootCA.cert] } };

function nextMessage(ws: WebSocket): Promise<string | Uint8Array> {
  return new Promise((resolve) => ws.once("message", (d: string | Uint8Array) => resolve(d)));
}

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 13 + (i >>> 9)) & 0xff;
  return b;
}

async function get(conn: Connection, path: string): Promise<string> {
  const ref = conn.request("GET", path, [], null);
  const res = responseOf(await collectActive(conn, [ref]), ref);
  assert.equal(res.status, 200, `GET ${path}: ${String(res.error)}`);
  return Buffer.from(res.body).toString();
}

/** Echo checks over one WebSocket: whoami, text, binary above the stream windows, compressible text. */
async function echoes(ws: WebSocket, path: string): Promise<void> {
  ws.send("whoami");
  assert.equal(await nextMessage(ws), `HTTP/2 ${path}`);
  for (const t of ["", "héllo ✓ 🎉", "compress me ".repeat(200_000)]) {
    ws.send(t);
    assert.equal(await nextMessage(ws), t);
  }
  for (const n of [1, 70_000, 3 * 1024 * 1024 + 3]) {
    const b = pattern(n);
    ws.send(b);
    const got = await nextMessage(ws);
    assert.ok(got instanceof Uint8Array);
    assert.ok(Buffer.from(got).equals(Buffer.from(b)), `binary echo of ${n} bytes is byte-exact`);
  }
}

describe("hypercorn: WebSocket over HTTP/2 (RFC 8441)", { skip: missing }, () => {
  let child: Child;
  let plain = 0;
  let secure = 0;

  before(async () => {
    plain = await freePort();
    secure = await freePort();
    const args = ["--certfile", certs.valid.certPath, "--keyfile", certs.valid.keyPath, "--bind", `127.0.0.1:${secure}`, "--insecure-bind", `127.0.0.1:${plain}`, "hypercorn_app:app"];
    child = startChild(bin!, args, supportDir);
    await waitForPorts("hypercorn", [plain, secure], child);
  });
  after(async () => {
    await child?.stop();
  });

  test("h2c: extended CONNECT with permessage-deflate and a subprotocol; a request on the same connection meanwhile", async () => {
    const conn = await connect("http", "127.0.0.1", plain, { protocols: ["http2"] });
    assert.equal(conn.protocol, "http2");
    const ws = await upgrade(conn, "/ws/h2c", { protocols: ["chat.v0", "chat.v1"] });
    assert.equal(ws.httpVersion, "http2");
    assert.equal(ws.protocol, "chat.v1");
    // hypercorn (wsproto) answers a bare offer with client_max_window_bits=15.
    assert.equal(ws.extensions, "permessage-deflate; client_max_window_bits=15");
    ws.send("before the request");
    const pending = nextMessage(ws);
    assert.equal(await get(conn, "/plain"), "hello from /plain over HTTP/2");
    assert.equal(await pending, "before the request");
    await echoes(ws, "/ws/h2c");
    const info = await ws.close(1000, "bye");
    assert.deepEqual(info, { code: 1000, reason: "bye", wasClean: true });
    await conn.close();
  });

  test("h2 over TLS: \"prefer\" takes RFC 8441 when ALPN gives h2; without deflate the extension is not agreed", async () => {
    const ws = await connectWebSocket(`wss://127.0.0.1:${secure}/ws/tls`, { connect: tls });
    assert.equal(ws.httpVersion, "http2");
    assert.match(ws.extensions, /^permessage-deflate/);
    await echoes(ws, "/ws/tls");
    assert.equal((await ws.close()).wasClean, true);

    const raw = await connectWebSocket(`wss://127.0.0.1:${secure}/ws/raw`, { connect: tls, perMessageDeflate: false });
    assert.equal(raw.httpVersion, "http2");
    assert.equal(raw.extensions, "");
    assert.equal(raw.protocol, "");
    await echoes(raw, "/ws/raw");
    assert.deepEqual(await raw.close(3002, "custom"), { code: 3002, reason: "custom", wasClean: true });
  });

  test("permessage-deflate parameters: no context takeover and small windows, as offered", async () => {
    const perMessageDeflate = { clientNoContextTakeover: true, serverNoContextTakeover: true, clientMaxWindowBits: 10, serverMaxWindowBits: 11 };
    const ws = await connectWebSocket(`ws://127.0.0.1:${plain}/ws/params`, { http2: "require", perMessageDeflate });
    assert.equal(ws.httpVersion, "http2");
    assert.equal(ws.extensions, "permessage-deflate; client_no_context_takeover; server_no_context_takeover; client_max_window_bits=10; server_max_window_bits=11");
    for (let i = 0; i < 4; i++) {
      // Repeats farther apart than 1 KiB: a compressor using a larger window than agreed would break the server's inflater.
      const text = Array.from({ length: 3000 }, (_, j) => `${j % 97}:${"abcdefghij".repeat(1 + (j % 13))}`).join("|") + i;
      ws.send(text);
      assert.equal(await nextMessage(ws), text);
    }
    assert.equal((await ws.close(1000)).wasClean, true);
  });

  test("a request on the TLS connection while the WebSocket is open", async () => {
    const conn = await connect("https", "127.0.0.1", secure, tls);
    assert.equal(conn.protocol, "http2");
    const ws = await upgrade(conn, "/ws/shared");
    const messages: Array<string | Uint8Array> = [];
    ws.on("message", (d: string | Uint8Array) => messages.push(d));
    for (let i = 0; i < 5; i++) ws.send(`m${i}`);
    const bodies = await Promise.all([get(conn, "/a"), get(conn, "/b")]);
    assert.deepEqual(bodies, ["hello from /a over HTTP/2", "hello from /b over HTTP/2"]);
    while (messages.length < 5) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(messages, ["m0", "m1", "m2", "m3", "m4"]);
    await ws.close();
    await conn.close();
  });

  test("the server closes with a code and reason: close event, wasClean; passive mode", async () => {
    const conn = await connect("http", "127.0.0.1", plain, { protocols: ["http2"] });
    const ws = await upgrade(conn, "/ws/closing", { mode: "passive" });
    assert.equal(ws.httpVersion, "http2");
    ws.send("echo first");
    ws.send("close 4002 server had enough");
    const events: Awaited<ReturnType<WebSocket["recv"]>> = [];
    while (!events.some((e) => e.type === "close")) events.push(...(await ws.recv(5000)));
    assert.deepEqual(events, [
      { type: "text", data: "echo first" },
      { type: "close", code: 4002, reason: "server had enough", wasClean: true },
    ]);
    await conn.close();
  });
});
