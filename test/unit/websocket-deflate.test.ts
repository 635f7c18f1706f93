// permessage-deflate (RFC 7692): negotiation of the four parameters, RSV1 handling in the
// codec, the RFC's own examples through the node:zlib backend, and the size cap applied
// while inflating (a compressed bomb closes 1009).

import { test } from "node:test";
import assert from "node:assert/strict";
import { randomFillSync } from "node:crypto";
import * as zlib from "node:zlib";
import { type CodecEvent, PerMessageDeflate, WebSocketCodec, acceptDeflate, offerDeflate, parseExtensions } from "../../src/core/websocket/index.js";
import { zlibDeflateBackend } from "../../src/websocket/deflate.js";
import { HTTPError } from "../../src/index.js";

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const DEFAULTS = { clientNoContextTakeover: false, serverNoContextTakeover: false, clientMaxWindowBits: 15, serverMaxWindowBits: 15 };

function deflateClient(params = DEFAULTS, maxMessageSize?: number): WebSocketCodec {
  const ext = new PerMessageDeflate(params, zlibDeflateBackend(params), 0);
  return new WebSocketCodec({ role: "client", randomFill: (b) => void randomFillSync(b), extensions: [ext], ...(maxMessageSize ? { maxMessageSize } : {}) });
}

/** Feeds bytes and waits for asynchronous inflating to finish. */
async function feed(c: WebSocketCodec, bytes: Uint8Array): Promise<CodecEvent[]> {
  const out = c.receive(bytes);
  while (c.pending !== null) {
    await c.pending;
    out.push(...c.receive(new Uint8Array(0)));
  }
  return out;
}

test("offer and answer parsing", () => {
  assert.equal(offerDeflate({}), "permessage-deflate; client_max_window_bits");
  assert.equal(
    offerDeflate({ clientNoContextTakeover: true, serverNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 12 }),
    "permessage-deflate; client_no_context_takeover; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12",
  );
  assert.throws(() => offerDeflate({ clientMaxWindowBits: 16 }), TypeError);
  assert.deepEqual(parseExtensions('permessage-deflate; server_max_window_bits="10" , x-foo'), [
    { name: "permessage-deflate", params: [["server_max_window_bits", "10"]] },
    { name: "x-foo", params: [] },
  ]);
  assert.equal(parseExtensions("permessage-deflate; a=b c"), null);
});

test("RFC 7692 §7.1: the server's parameters are checked", () => {
  const item = (s: string) => parseExtensions(s)![0]!;
  assert.deepEqual(acceptDeflate(item("permessage-deflate; server_no_context_takeover; client_max_window_bits=10"), {}), {
    clientNoContextTakeover: false, serverNoContextTakeover: true, clientMaxWindowBits: 10, serverMaxWindowBits: 15,
  });
  const reason = (s: string, offer = {}): string => {
    try {
      acceptDeflate(item(s), offer);
      return "accepted";
    } catch (e) {
      assert.ok(e instanceof HTTPError && e.protocol === "websocket");
      return e.reason;
    }
  };
  assert.equal(reason("permessage-deflate; foo"), "unrequested_extension");
  assert.equal(reason("permessage-deflate; server_no_context_takeover; server_no_context_takeover"), "invalid_extension");
  assert.equal(reason("permessage-deflate; server_max_window_bits=7"), "invalid_extension");
  assert.equal(reason("permessage-deflate; server_max_window_bits=08"), "invalid_extension");
  assert.equal(reason("permessage-deflate; client_no_context_takeover=1"), "invalid_extension");
  assert.equal(reason("permessage-deflate; server_max_window_bits=12", { serverMaxWindowBits: 10 }), "invalid_extension");
  assert.equal(reason("permessage-deflate", { serverMaxWindowBits: 10 }), "invalid_extension");
  assert.equal(reason("permessage-deflate", { serverNoContextTakeover: true }), "invalid_extension");
});

test("RFC 7692 §7.2.3.1/§7.2.3.2 examples: compressed Hello, twice with context takeover", async () => {
  const c = deflateClient();
  assert.deepEqual(await feed(c, hex("c107f248cdc9c90700")), [{ type: "text", data: "Hello" }]);
  assert.deepEqual(await feed(c, hex("c105f200110000")), [{ type: "text", data: "Hello" }]);
});

test("RFC 7692 §7.2.3.3: a compressed message in fragments (RSV1 on the first only)", async () => {
  const c = deflateClient();
  assert.deepEqual(await feed(c, hex("4103f248cd 8004c9c90700")), [{ type: "text", data: "Hello" }]);
});

test("RFC 7692 §6.1: RSV1 on a continuation or control frame -> 1002", async () => {
  for (const bytes of ["4103f248cd c004c9c90700", "c900"]) {
    const c = deflateClient();
    await feed(c, hex(bytes));
    assert.equal(c.state, "closed-wait");
    assert.equal(c.closeInfo!.code, 1002);
  }
});

test("messages after a compressed one keep their order while it inflates", async () => {
  const c = deflateClient();
  const ev = await feed(c, hex("c107f248cdc9c90700 810161 890178"));
  assert.deepEqual(ev, [{ type: "text", data: "Hello" }, { type: "text", data: "a" }, { type: "ping", data: hex("78") }]);
});

test("client -> server: what the client compresses inflates to the message (RSV1 set)", async () => {
  const params = DEFAULTS;
  const ext = new PerMessageDeflate(params, zlibDeflateBackend(params), 0);
  const encoded = await ext.encode(new TextEncoder().encode("Hello Hello Hello"));
  assert.equal(encoded.rsv, 0x40);
  const raw = zlib.inflateRawSync(Buffer.concat([encoded.data, hex("0000ffff")]), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  assert.equal(raw.toString(), "Hello Hello Hello");
  const small = new PerMessageDeflate(params, zlibDeflateBackend(params));
  assert.deepEqual(await small.encode(new Uint8Array(10)), { data: new Uint8Array(10), rsv: 0 }, "below the threshold: sent as is");
  ext.close();
  small.close();
});

test("a compressed bomb past maxMessageSize closes 1009 without inflating it whole", async () => {
  const bomb = zlib.deflateRawSync(Buffer.alloc(64 * 1024 * 1024), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4);
  assert.ok(bomb.length < 128 * 1024);
  const header = Buffer.alloc(10);
  header[0] = 0xc2;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(bomb.length), 2);
  const c = deflateClient(DEFAULTS, 1024 * 1024);
  const before = process.memoryUsage().arrayBuffers;
  const started = Date.now();
  await feed(c, Buffer.concat([header, bomb]));
  assert.equal(c.state, "closed-wait");
  assert.equal(c.closeInfo!.code, 1009);
  assert.equal(c.closeInfo!.wasClean, false);
  assert.ok(process.memoryUsage().arrayBuffers - before < 32 * 1024 * 1024, "did not hold the 64 MiB");
  assert.ok(Date.now() - started < 2000);
  c.receiveEof();
});

test("corrupt compressed data -> 1007", async () => {
  const c = deflateClient();
  await feed(c, hex("c103ffffff"));
  assert.equal(c.state, "closed-wait");
  assert.equal(c.closeInfo!.code, 1007);
});

function compressedFrame(opcode: number, data: Buffer): Buffer {
  const body = zlib.deflateRawSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4);
  const header = Buffer.alloc(10);
  header[0] = 0xc0 | opcode;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(body.length), 2);
  return Buffer.concat([header, body]);
}

test("RFC 6455 §8.1: compressed text that is not UTF-8 -> 1007, checked while inflating", async () => {
  const ok = deflateClient();
  assert.deepEqual(await feed(ok, compressedFrame(1, Buffer.from("héllo ".repeat(1000)))), [{ type: "text", data: "héllo ".repeat(1000) }]);
  const bad = deflateClient();
  await feed(bad, compressedFrame(1, Buffer.from([0x61, 0xc3])));
  assert.equal(bad.closeInfo!.code, 1007, "ends inside a code point");
  // 48 MiB of text whose first bytes are invalid: refused without inflating it all.
  const big = Buffer.alloc(48 * 1024 * 1024, 0x61);
  big[10] = 0xff;
  const c = deflateClient();
  const before = process.memoryUsage().arrayBuffers;
  await feed(c, compressedFrame(1, big));
  assert.equal(c.closeInfo!.code, 1007);
  assert.ok(process.memoryUsage().arrayBuffers - before < 24 * 1024 * 1024, "stopped at the first bad piece");
  // The same bytes as a binary message are fine.
  const bin = deflateClient();
  const ev = await feed(bin, compressedFrame(2, Buffer.from([0xff, 0xfe])));
  assert.deepEqual(ev.map((e) => e.type), ["binary"]);
});
