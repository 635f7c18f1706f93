// The opening handshake helpers (RFC 6455 §4, RFC 8441 §4-§5): key and accept with an
// injected SHA-1, the request headers, and every check on the server's answer.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { acceptFor, checkResponse, createKey, http1Headers, http2Headers, type HandshakeOffer } from "../../src/core/websocket/index.js";
import { HTTPError } from "../../src/index.js";

const sha1 = (d: Uint8Array): Uint8Array => createHash("sha1").update(d).digest();
const offer = (o: Partial<HandshakeOffer> = {}): HandshakeOffer => ({ protocols: [], deflate: null, headers: [], ...o });
const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

function reason(fn: () => unknown): string {
  try {
    fn();
    return "accepted";
  } catch (e) {
    assert.ok(e instanceof HTTPError && e.protocol === "websocket", String(e));
    return e.reason;
  }
}

test("RFC 6455 §1.3 example: the accept value of the sample key", () => {
  assert.equal(acceptFor(KEY, sha1), ACCEPT);
});

test("RFC 6455 §4.1: a fresh 16-byte key each time", () => {
  let n = 0;
  const fill = (b: Uint8Array): void => void b.fill(++n);
  const a = createKey(fill);
  const b = createKey(fill);
  assert.equal(Buffer.from(a, "base64").length, 16);
  assert.notEqual(a, b);
  assert.equal(a, Buffer.alloc(16, 1).toString("base64"));
});

test("HTTP/1.1 request headers: capitalised Upgrade/Connection, version 13, offers, caller's headers last", () => {
  const h = http1Headers(KEY, offer({ protocols: ["chat", "superchat"], deflate: {}, headers: [["Origin", "http://x"]] }));
  assert.deepEqual(h, [
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
    ["Sec-WebSocket-Key", KEY],
    ["Sec-WebSocket-Version", "13"],
    ["Sec-WebSocket-Protocol", "chat, superchat"],
    ["Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"],
    ["Origin", "http://x"],
  ]);
  assert.throws(() => http1Headers(KEY, offer({ protocols: ["bad proto"] })), TypeError);
  assert.throws(() => http1Headers(KEY, offer({ protocols: ["a", "a"] })), TypeError);
});

test("RFC 8441 §4-§5: HTTP/2 headers carry :protocol, no key, no Upgrade/Connection", () => {
  assert.deepEqual(http2Headers(offer({ protocols: ["chat"] })), [
    [":protocol", "websocket"],
    ["sec-websocket-version", "13"],
    ["sec-websocket-protocol", "chat"],
  ]);
});

const ok101 = (extra: Array<[string, string]> = []) => ({
  status: 101,
  headers: [["upgrade", "WebSocket"], ["connection", "keep-alive, Upgrade"], ["sec-websocket-accept", ACCEPT], ...extra] as Array<[string, string]>,
  body: new Uint8Array(0),
});

test("response checks over HTTP/1.1", () => {
  assert.deepEqual(checkResponse(ok101(), KEY, offer(), sha1), { protocol: "", extensions: "", deflate: null });
  assert.equal(reason(() => checkResponse({ ...ok101(), status: 200 }, KEY, offer(), sha1)), "upgrade_failed");
  assert.equal(reason(() => checkResponse({ ...ok101(), headers: ok101().headers.filter(([n]) => n !== "upgrade") }, KEY, offer(), sha1)), "upgrade_failed");
  assert.equal(reason(() => checkResponse({ ...ok101(), headers: ok101().headers.filter(([n]) => n !== "connection") }, KEY, offer(), sha1)), "upgrade_failed");
  assert.equal(reason(() => checkResponse({ ...ok101(), headers: ok101().headers.filter(([n]) => n !== "sec-websocket-accept") }, KEY, offer(), sha1)), "invalid_accept");
  assert.equal(reason(() => checkResponse(ok101([["sec-websocket-accept", ACCEPT]]), KEY, offer(), sha1)), "invalid_accept", "two accept fields");
  assert.equal(reason(() => checkResponse(ok101(), "AAAAAAAAAAAAAAAAAAAAAA==", offer(), sha1)), "invalid_accept");
  assert.equal(checkResponse(ok101([["sec-websocket-protocol", "chat"]]), KEY, offer({ protocols: ["x", "chat"] }), sha1).protocol, "chat");
  assert.equal(reason(() => checkResponse(ok101([["sec-websocket-protocol", "other"]]), KEY, offer({ protocols: ["chat"] }), sha1)), "unrequested_protocol");
  assert.equal(reason(() => checkResponse(ok101([["sec-websocket-protocol", "chat, x"]]), KEY, offer({ protocols: ["chat", "x"] }), sha1)), "unrequested_protocol");
  assert.equal(reason(() => checkResponse(ok101([["sec-websocket-extensions", "permessage-deflate"]]), KEY, offer(), sha1)), "unrequested_extension");
  assert.equal(reason(() => checkResponse(ok101([["sec-websocket-extensions", "permessage-deflate, permessage-deflate"]]), KEY, offer({ deflate: {} }), sha1)), "unrequested_extension");
  const agreed = checkResponse(ok101([["sec-websocket-extensions", "permessage-deflate; server_no_context_takeover"]]), KEY, offer({ deflate: {} }), sha1);
  assert.equal(agreed.extensions, "permessage-deflate; server_no_context_takeover");
  assert.equal(agreed.deflate!.serverNoContextTakeover, true);
});

test("upgrade_failed keeps status, headers and body", () => {
  try {
    checkResponse({ status: 403, headers: [["x", "y"]], body: new Uint8Array([104, 105]) }, KEY, offer(), sha1);
    assert.fail("accepted");
  } catch (e) {
    assert.ok(e instanceof HTTPError);
    assert.deepEqual(e.details, { status: 403, headers: [["x", "y"]], body: new Uint8Array([104, 105]) });
  }
});

test("response checks over HTTP/2: any 2xx, no accept", () => {
  assert.equal(checkResponse({ status: 200, headers: [], body: new Uint8Array(0) }, null, offer(), sha1).protocol, "");
  assert.equal(reason(() => checkResponse({ status: 404, headers: [], body: new Uint8Array(0) }, null, offer(), sha1)), "upgrade_failed");
});
