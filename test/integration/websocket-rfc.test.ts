// One scripted raw server per RFC 6455 rule: the server answers the handshake and sends a
// violating frame; the test checks the close code the client sent on the wire and the
// CloseInfo the caller got (wasClean false, never an exception or "error" event). Also the
// request the client sends (RFC 6455 §4.1) and the response checks of the handshake.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { type Peer, startFaultServer, type FaultServer } from "../support/fault-server.js";
import { WebSocketCodec } from "../../src/core/websocket/index.js";
import { connectWebSocket, type CloseInfo, type WebSocket } from "../../src/websocket/index.js";
import { HTTPError, TransportError } from "../../src/index.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");
const accept = (key: string): string => createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");

/** Reads the request head; returns it and the key. */
async function readRequest(peer: Peer): Promise<{ head: string; key: string }> {
  await peer.waitFor((b) => b.includes("\r\n\r\n"), 3000, "the upgrade request");
  const head = peer.received().toString("latin1").split("\r\n\r\n")[0]!;
  const key = /^sec-websocket-key: *(.*)$/im.exec(head)![1]!.trim();
  return { head, key };
}

function response101(key: string, extra = ""): string {
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\n${extra}\r\n`;
}

/** What the client sent after its request head, read by a server-role codec. */
function clientSent(peer: Peer): WebSocketCodec {
  const all = peer.received();
  const at = all.indexOf("\r\n\r\n") + 4;
  const codec = new WebSocketCodec({ role: "server" });
  codec.receive(all.subarray(at));
  return codec;
}

let server: FaultServer;
let script: (peer: Peer) => Promise<void> = async () => {};
after(() => server?.close());

async function open(opts = {}): Promise<WebSocket> {
  server ??= await startFaultServer((peer) => script(peer));
  return connectWebSocket(`ws://127.0.0.1:${server.port}/chat?room=1`, { perMessageDeflate: false, closeTimeout: 3000, ...opts });
}

function closed(ws: WebSocket): Promise<CloseInfo> {
  return new Promise((resolve) => ws.once("close", resolve));
}

/** The server sends `frames` right after its 101 (same write); the client must fail with `code`. */
async function rule(frames: Buffer, code: number): Promise<void> {
  let peerRef!: Peer;
  script = async (peer) => {
    peerRef = peer;
    const { key } = await readRequest(peer);
    // The server stays silent afterwards: the client must not wait for it.
    await peer.write(Buffer.concat([Buffer.from(response101(key), "latin1"), frames]));
  };
  const ws = await open();
  const errors: unknown[] = [];
  ws.on("error", (e) => errors.push(e));
  const started = Date.now();
  const info = await closed(ws);
  assert.ok(Date.now() - started < 1000, "the close is reported at once, not after the close timer");
  assert.equal(info.code, code);
  assert.equal(info.wasClean, false);
  // RFC 6455 §7.1.7: the close frame goes out, then the client closes the TCP connection.
  await peerRef.waitFor(() => clientSent(peerRef).closeInfo !== null && peerRef.ended, 3000, "the client's close frame and FIN");
  assert.equal(clientSent(peerRef).closeInfo!.code, code, "the close code on the wire");
  assert.deepEqual(errors, []);
}

test("RFC 6455 §4.1: the upgrade request", async () => {
  let seen = "";
  script = async (peer) => {
    const { head, key } = await readRequest(peer);
    seen = head;
    await peer.write(response101(key));
    await peer.waitFor(() => clientSent(peer).closeInfo !== null);
    await peer.write(hex("8800")); // a close without a code
    peer.end();
  };
  const ws = await open({ protocols: ["a", "b"], headers: [["X-Extra", "1"]], perMessageDeflate: true });
  assert.match(seen, /^GET \/chat\?room=1 HTTP\/1\.1\r\n/);
  assert.match(seen, /\r\nUpgrade: websocket\r\n/);
  assert.match(seen, /\r\nConnection: Upgrade\r\n/);
  assert.match(seen, /\r\nSec-WebSocket-Version: 13\r\n/);
  assert.match(seen, /\r\nSec-WebSocket-Protocol: a, b\r\n/);
  assert.match(seen, /\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n/);
  assert.match(seen, /\r\nX-Extra: 1\r\n/);
  assert.match(seen, /\r\n[Hh]ost: 127\.0\.0\.1:\d+\r\n/);
  const key = /Sec-WebSocket-Key: (.*)/.exec(seen)![1]!.trim();
  assert.equal(Buffer.from(key, "base64").length, 16);
  assert.equal(ws.extensions, "");
  assert.deepEqual(await ws.close(), { code: 1005, reason: "", wasClean: true });
});

test("RFC 6455 §8.1: invalid UTF-8 -> 1007", () => rule(hex("8102c328"), 1007));
test("RFC 6455 §8.1: invalid UTF-8 inside a fragmented message -> 1007", () => rule(hex("010161 0001ff"), 1007));
test("RFC 6455 §5.1: a masked frame from the server -> 1002", () => rule(hex("818537fa213d7f9f4d5158"), 1002));
test("RFC 6455 §5.5: a control frame over 125 bytes -> 1002", () => rule(Buffer.concat([hex("897e007e"), Buffer.alloc(126)]), 1002));
test("RFC 6455 §5.5: a fragmented control frame -> 1002", () => rule(hex("0900"), 1002));
test("RFC 6455 §7.4: a bad close code -> 1002", () => rule(hex("880203ed"), 1002));
test("RFC 6455 §5.5.1: a 1-byte close payload -> 1002", () => rule(hex("880103"), 1002));
test("RFC 6455 §5.2: RSV1 without a negotiated extension -> 1002", () => rule(hex("c10161"), 1002));
test("RFC 6455 §5.2: an unknown opcode -> 1002", () => rule(hex("830161"), 1002));
test("RFC 6455 §5.4: a continuation frame with no message -> 1002", () => rule(hex("800161"), 1002));
test("RFC 6455 §10.4: a message over maxMessageSize -> 1009", () => rule(hex("827f0000000100000000"), 1009));

test("pings are answered with pongs automatically, also between fragments", async () => {
  let peerRef!: Peer;
  script = async (peer) => {
    peerRef = peer;
    const { key } = await readRequest(peer);
    await peer.write(Buffer.concat([Buffer.from(response101(key), "latin1"), hex("010248 65 890161 8003 6c6c6f")]));
    await peer.waitFor(() => clientSent(peer).closeInfo !== null);
    await peer.write(hex("880203e8"));
    peer.end();
  };
  const ws = await open();
  const pings: Uint8Array[] = [];
  ws.on("ping", (d) => pings.push(d));
  const [msg] = await new Promise<[string]>((r) => ws.once("message", (d) => r([d])));
  assert.equal(msg, "Hello");
  assert.deepEqual(pings.map((p) => Buffer.from(p).toString()), ["a"]);
  const info = await ws.close(1000);
  assert.deepEqual(info, { code: 1000, reason: "", wasClean: true });
  // The server's codec read: the pong, then the close.
  const sent = new WebSocketCodec({ role: "server" });
  const all = peerRef.received();
  const events = sent.receive(all.subarray(all.indexOf("\r\n\r\n") + 4));
  assert.deepEqual(events, [{ type: "pong", data: new Uint8Array([0x61]) }]);
});

test("RFC 6455 §7.1.1: after the closing handshake the client waits for the server's TCP close, with a timer", async () => {
  script = async (peer) => {
    const { key } = await readRequest(peer);
    await peer.write(response101(key));
    await peer.waitFor(() => clientSent(peer).closeInfo !== null);
    await peer.write(hex("880203e8")); // answer the close but never close TCP
  };
  const ws = await open({ closeTimeout: 200 });
  const started = Date.now();
  const info = await ws.close(1000);
  assert.ok(Date.now() - started >= 150, "waited for the server's end");
  assert.deepEqual(info, { code: 1000, reason: "", wasClean: true });
});

test("no answer to our close: 1006 after the close timer", async () => {
  script = async (peer) => {
    const { key } = await readRequest(peer);
    await peer.write(response101(key));
  };
  const ws = await open({ closeTimeout: 100 });
  assert.deepEqual(await ws.close(1000), { code: 1006, reason: "", wasClean: false });
});

async function handshakeError(extra: string, reason: string, opts = {}, status = "101 Switching Protocols", acceptValue?: string): Promise<void> {
  script = async (peer) => {
    const { key } = await readRequest(peer);
    const a = acceptValue ?? accept(key);
    await peer.write(`HTTP/1.1 ${status}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${a}\r\n${extra}content-length: 0\r\n\r\n`);
  };
  await assert.rejects(open(opts), (e: unknown) => e instanceof HTTPError && e.protocol === "websocket" && e.reason === reason);
}

test("RFC 6455 §4.1: a wrong Sec-WebSocket-Accept -> invalid_accept", () => handshakeError("", "invalid_accept", {}, undefined, "dGhlIHNhbXBsZSBub25jZQ=="));
test("RFC 6455 §4.1: a subprotocol not offered -> unrequested_protocol", () => handshakeError("Sec-WebSocket-Protocol: other\r\n", "unrequested_protocol", { protocols: ["chat"] }));
test("RFC 6455 §4.1: an extension not offered -> unrequested_extension", () => handshakeError("Sec-WebSocket-Extensions: permessage-deflate\r\n", "unrequested_extension"));
test("RFC 6455 §4.1: an unknown extension -> unrequested_extension", () => handshakeError("Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n", "unrequested_extension", { perMessageDeflate: true }));
test("RFC 6455 §4.1: a 200 instead of 101 -> upgrade_failed", () => handshakeError("", "upgrade_failed", {}, "200 OK"));

test("handshakeTimeout: a server that never answers -> TransportError timeout, socket closed", async () => {
  let peerRef!: Peer;
  script = async (peer) => {
    peerRef = peer;
  };
  const started = Date.now();
  await assert.rejects(open({ handshakeTimeout: 150 }), (e: unknown) => e instanceof TransportError && e.reason === "timeout");
  assert.ok(Date.now() - started < 2000);
  await peerRef.waitFor(() => peerRef.ended || peerRef.closed, 2000, "the client's close");
});
