// Frame-level tests of the sans-IO WebSocket codec: hex frames from a server (RFC 6455
// examples and violations), client<->server codec pairs, limits and the closing handshake.

import { test } from "node:test";
import assert from "node:assert/strict";
import { randomFillSync } from "node:crypto";
import { type CodecEvent, WebSocketCodec } from "../../src/core/websocket/index.js";
import { HTTPError } from "../../src/index.js";

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const cat = (chunks: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(chunks));

function client(opts: { maxMessageSize?: number; maxFragments?: number } = {}): WebSocketCodec {
  return new WebSocketCodec({ role: "client", randomFill: (b) => void randomFillSync(b), ...opts });
}
const server = (): WebSocketCodec => new WebSocketCodec({ role: "server" });

/** The frames a client codec sent, decoded by a server codec. */
function sentBy(c: WebSocketCodec): CodecEvent[] {
  return server().receive(cat(c.takeOutgoing()));
}

/** Close frame payload (code) the client sent, read by a server codec, or null. */
function closeCodeSent(c: WebSocketCodec): number | null {
  const s = server();
  s.receive(cat(c.takeOutgoing()));
  const info = s.closeInfo;
  return info === null ? null : info.code;
}

test("RFC 6455 §5.7 examples: single-frame and fragmented unmasked text", () => {
  const c = client();
  assert.deepEqual(c.receive(hex("810548656c6c6f")), [{ type: "text", data: "Hello" }]);
  assert.deepEqual(c.receive(hex("010348656c")), []);
  assert.deepEqual(c.receive(hex("80026c6f")), [{ type: "text", data: "Hello" }]);
});

test("16-bit and 64-bit lengths", () => {
  const c = client();
  const p256 = new Uint8Array(256).fill(7);
  assert.deepEqual(c.receive(cat([hex("827e0100"), p256])), [{ type: "binary", data: p256 }]);
  const p64k = new Uint8Array(65536).fill(9);
  const ev = c.receive(cat([hex("827f0000000000010000"), p64k]));
  assert.equal(ev.length, 1);
  assert.deepEqual((ev[0] as { data: Uint8Array }).data, p64k);
});

test("every client frame is masked with a fresh key", () => {
  const c = client();
  c.send("Hello");
  c.send("Hello");
  const [a, b] = c.takeOutgoing();
  assert.equal(a![0], 0x81);
  assert.equal(a![1], 0x85, "mask bit set, length 5");
  assert.notDeepEqual(a!.subarray(2, 6), b!.subarray(2, 6), "two frames, two keys");
  const unmasked = a!.subarray(6).map((x, i) => x ^ a![2 + (i % 4)]!);
  assert.equal(Buffer.from(unmasked).toString(), "Hello");
});

test("client<->server pair: text, binary, fragmentation, ping/pong", () => {
  const c = client();
  const s = server();
  c.send("héllo wörld", 3);
  c.send(new Uint8Array([1, 2, 3]));
  c.ping(hex("abcd"));
  const out = c.takeOutgoing();
  assert.equal(out.length, 5 + 1 + 1, "13 UTF-8 bytes in 3-byte fragments, a binary, a ping");
  const ev = s.receive(cat(out));
  assert.deepEqual(ev, [
    { type: "text", data: "héllo wörld" },
    { type: "binary", data: new Uint8Array([1, 2, 3]) },
    { type: "ping", data: hex("abcd") },
  ]);
  // The server answered the ping by itself; the client sees the pong.
  assert.deepEqual(c.receive(cat(s.takeOutgoing())), [{ type: "pong", data: hex("abcd") }]);
});

test("a ping between fragments is answered at once and the message still assembles", () => {
  const c = client();
  const ev = c.receive(hex("010348656c 890170 80026c6f"));
  assert.deepEqual(ev, [{ type: "ping", data: hex("70") }, { type: "text", data: "Hello" }]);
  assert.deepEqual(sentBy(c), [{ type: "pong", data: hex("70") }], "the client answered with a masked pong");
  c.receive(hex("8900"));
  const frames = c.takeOutgoing();
  assert.equal(frames.length, 1);
  assert.equal(frames[0]![0], 0x8a, "a pong");
});

/** Feeds a violating server frame; checks the close code sent and the close event. */
function violation(bytes: Uint8Array, code: number, opts: { maxMessageSize?: number; maxFragments?: number } = {}): WebSocketCodec {
  const c = client(opts);
  assert.deepEqual(c.receive(bytes).filter((e) => e.type === "close"), [], "no close event before the transport ends");
  assert.equal(c.state, "closed-wait");
  assert.equal(c.shouldEndTransport(), true);
  assert.equal(closeCodeSent(c), code);
  const ev = c.receiveEof();
  assert.equal(ev.length, 1);
  const close = ev[0] as Extract<CodecEvent, { type: "close" }>;
  assert.equal(close.type, "close");
  assert.equal(close.code, code);
  assert.equal(close.wasClean, false);
  assert.deepEqual(c.receive(hex("810161")), [], "nothing is read after a failure");
  return c;
}

test("RFC 6455 §5.1: a masked frame from the server -> 1002", () => void violation(hex("818537fa213d7f9f4d5158"), 1002));
test("RFC 6455 §5.5: a control frame over 125 bytes -> 1002", () => void violation(cat([hex("897e007e"), new Uint8Array(126)]), 1002));
test("RFC 6455 §5.5: a fragmented control frame -> 1002", () => void violation(hex("0900"), 1002));
test("RFC 6455 §5.2: RSV1 without a negotiated extension -> 1002", () => void violation(hex("c10161"), 1002));
test("RFC 6455 §5.2: RSV2/RSV3 -> 1002", () => {
  violation(hex("a10161"), 1002);
  violation(hex("910161"), 1002);
});
test("RFC 6455 §5.2: reserved opcodes -> 1002", () => {
  for (const op of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) violation(Uint8Array.of(0x80 | op, 0), 1002);
});
test("RFC 6455 §5.4: continuation without a message, or a new message inside one -> 1002", () => {
  violation(hex("800161"), 1002);
  violation(hex("010161 810162"), 1002);
});
test("RFC 6455 §5.2: a 64-bit length with the top bit set -> 1002", () => void violation(hex("827f8000000000000001"), 1002));
test("RFC 6455 §8.1: invalid UTF-8 in a text message -> 1007", () => void violation(hex("8102c328"), 1007));
test("RFC 6455 §8.1: UTF-8 fails fast, at the bad byte, before the frame ends", () => {
  const c = client();
  // A 100-byte text frame whose 3rd byte is invalid; only 4 bytes of it arrive.
  c.receive(hex("8164 6162ff63"));
  assert.equal(c.state, "closed-wait");
  assert.equal(closeCodeSent(c), 1007);
});
test("RFC 6455 §8.1: UTF-8 fails fast inside a fragmented message, and across frame splits", () => {
  const c = client();
  // "é" = c3 a9 split across two fragments is fine.
  assert.deepEqual(c.receive(hex("0101c3 8001a9")), [{ type: "text", data: "é" }]);
  c.receive(hex("0102 6162"));
  assert.equal(c.state, "open");
  c.receive(hex("0002 63")); // the second fragment starts; its first byte is fine
  assert.equal(c.state, "open");
  c.receive(hex("c0")); // c0 can never appear in UTF-8
  assert.equal(c.state, "closed-wait");
  assert.equal(closeCodeSent(c), 1007);
});
test("RFC 6455 §8.1: a text message ending inside a code point -> 1007", () => void violation(hex("8101c3"), 1007));
test("UTF-8: overlongs, surrogates and code points past U+10FFFF -> 1007", () => {
  for (const bad of ["c0af", "e080af", "eda080", "f4908080", "f5808080"]) {
    violation(cat([Uint8Array.of(0x81, bad.length / 2), hex(bad)]), 1007);
  }
});
test("RFC 6455 §7.4: close codes 1005/1006/1015/999/1004/2999/5000 on the wire -> 1002", () => {
  for (const code of [999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
    violation(Uint8Array.of(0x88, 2, code >> 8, code & 0xff), 1002);
  }
});
test("RFC 6455 §5.5.1: a 1-byte close payload -> 1002", () => void violation(hex("880103"), 1002));
test("RFC 6455 §5.5.1: a close reason that is not UTF-8 -> 1007", () => void violation(hex("880403e8ff61"), 1007));
test("maxMessageSize counts the assembled message, not a frame -> 1009", () => {
  const c = violation(hex("0106616161616161 0006616161616161"), 1009, { maxMessageSize: 10 });
  assert.equal(c.closeInfo!.code, 1009);
  // One frame under the cap in a codec with room passes.
  assert.deepEqual(client({ maxMessageSize: 12 }).receive(hex("0106616161616161 8006616161616161")), [{ type: "text", data: "aaaaaaaaaaaa" }]);
});
test("a frame announcing more than maxMessageSize fails before its payload arrives -> 1009", () => void violation(hex("827f0000000100000000"), 1009));
test("maxFragments per message -> 1009", () => void violation(hex("020161 000162 000163 800164"), 1009, { maxFragments: 3 }));

test("valid close codes are accepted and echoed", () => {
  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999]) {
    const c = client();
    c.receive(Uint8Array.of(0x88, 2, code >> 8, code & 0xff));
    assert.equal(closeCodeSent(c), code);
    const [ev] = c.receiveEof();
    assert.deepEqual(ev, { type: "close", code, reason: "", wasClean: true });
  }
});

test("closing handshake started by the client", () => {
  const c = client();
  const s = server();
  c.close(1000, "bye");
  assert.equal(c.state, "closing");
  assert.equal(c.closeExpected(), true);
  assert.throws(() => c.send("late"), (e: unknown) => e instanceof HTTPError && e.reason === "closed");
  s.receive(cat(c.takeOutgoing()));
  assert.deepEqual(s.closeInfo, { code: 1000, reason: "bye", wasClean: true });
  assert.equal(s.shouldEndTransport(), true, "the server closes TCP first");
  // Data the server sent before its close frame still arrives.
  assert.deepEqual(c.receive(hex("810161")), [{ type: "text", data: "a" }]);
  c.receive(cat(s.takeOutgoing()));
  assert.equal(c.state, "closed-wait");
  assert.equal(c.shouldEndTransport(), false, "the client waits for the server's TCP close (RFC 6455 §7.1.1)");
  assert.deepEqual(c.takeOutgoing(), [], "no second close frame");
  assert.deepEqual(c.receiveEof(), [{ type: "close", code: 1000, reason: "", wasClean: true }]);
  assert.equal(c.state, "closed");
  assert.deepEqual(c.receiveEof(), [], "close is reported once");
});

test("closing handshake started by the server; data after its close frame is ignored", () => {
  const c = client();
  c.receive(cat([hex("880703e9"), Buffer.from("going"), hex("810161")]));
  assert.equal(closeCodeSent(c), 1001);
  assert.deepEqual(c.receiveEof(), [{ type: "close", code: 1001, reason: "going", wasClean: true }]);
});

test("a close frame without a code: answered without one, reported as 1005", () => {
  const c = client();
  c.receive(hex("8800"));
  const out = cat(c.takeOutgoing());
  assert.equal(out[0], 0x88);
  assert.equal(out[1], 0x80, "masked, empty");
  assert.deepEqual(c.receiveEof(), [{ type: "close", code: 1005, reason: "", wasClean: true }]);
});

test("no answer to our close: the shell's timer ends it with 1006", () => {
  const c = client();
  c.close(1000);
  assert.deepEqual(c.timeout(), [{ type: "close", code: 1006, reason: "", wasClean: false }]);
});

test("the transport ending without a closing handshake -> 1006", () => {
  const c = client();
  c.receive(hex("8103616263"));
  assert.deepEqual(c.receiveEof(), [{ type: "close", code: 1006, reason: "", wasClean: false }]);
});

test("close() argument checks: codes that may not be sent, long reasons", () => {
  const c = client();
  for (const code of [1005, 1006, 1015, 999, 5000]) assert.throws(() => c.close(code), TypeError);
  assert.throws(() => c.close(1000, "x".repeat(124)), TypeError);
  assert.throws(() => c.ping(new Uint8Array(126)), TypeError);
  assert.equal(c.state, "open");
});
