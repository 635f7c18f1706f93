// PUSH_PROMISE requests that are not complete, safe, cacheable, without content, for this
// connection's origin (RFC 9113 §8.4) are refused with RST_STREAM(PROTOCOL_ERROR) on the
// promised stream and never surfaced; SETTINGS_ENABLE_PUSH other than 0 from a server is a
// connection error (RFC 9113 §6.5.2).

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Headers } from "../../src/types.js";
import { FakeServer } from "../support/h2-fake-server.js";

const GOOD: Headers = [[":method", "GET"], [":scheme", "https"], [":authority", "example.com"], [":path", "/style.css"]];

function ready(authority = "example.com"): FakeServer {
  return FakeServer.ready({ authority });
}

function without(name: string): Headers {
  return GOOD.filter(([n]) => n !== name);
}

function withValue(name: string, value: string): Headers {
  return GOOD.map(([n, v]) => [n, n === name ? value : v]);
}

/** The promise is refused: no push_promise part, RST_STREAM(2, PROTOCOL_ERROR), the request goes on. */
function expectRefused(promised: Headers, authority = "example.com"): void {
  const s = ready(authority);
  const ref = s.engine.request("GET", "/", [], null);
  s.written();
  const parts = s.send(s.frames().pushPromise(1, 2, promised));
  assert.deepEqual(parts, [], `refused without a part: ${JSON.stringify(promised)}`);
  assert.deepEqual(s.written(), [{ type: "rst_stream", streamId: 2, errorCode: 1 }], JSON.stringify(promised));
  // Frames the server still sends on the refused stream are dropped; the request completes.
  const after = s.send(s.frames().response(2, 200, [], "pushed").response(1, 200, [], "page"));
  assert.deepEqual(after.map((p) => [p.type, p.ref]), [["status", ref], ["headers", ref], ["data", ref], ["done", ref]]);
}

function expectAccepted(promised: Headers, authority = "example.com"): void {
  const s = ready(authority);
  s.engine.request("GET", "/", [], null);
  s.written();
  const parts = s.send(s.frames().pushPromise(1, 2, promised));
  assert.equal(parts.length, 1, JSON.stringify(promised));
  assert.equal(parts[0]!.type, "push_promise");
  assert.deepEqual(s.written(), []);
}

test("a promised request must carry :method, :scheme, :path and :authority, once each", () => {
  for (const name of [":method", ":scheme", ":path", ":authority"]) expectRefused(without(name));
  expectRefused([...GOOD, [":path", "/other"]]);
  expectRefused([...GOOD, [":status", "200"]]);
  expectRefused([...GOOD, [":protocol", "websocket"]]);
  expectRefused([[":method", "GET"], ["accept", "*/*"], [":scheme", "https"], [":authority", "example.com"], [":path", "/"]]);
});

test("a promised request must be safe and cacheable: GET or HEAD", () => {
  for (const method of ["POST", "PUT", "DELETE", "OPTIONS", "CONNECT", "get"]) expectRefused(withValue(":method", method));
  expectAccepted(withValue(":method", "HEAD"));
});

test("a promised request must be for this connection's origin", () => {
  for (const authority of ["evil.example", "example.com:8443", "user@example.com", "example.com.evil", "exa mple.com", ""]) {
    expectRefused(withValue(":authority", authority));
  }
  expectRefused(withValue(":scheme", "http"));
  // Hosts compare without case; the default port may be written out.
  expectAccepted(withValue(":authority", "EXAMPLE.com"));
  expectAccepted(withValue(":authority", "example.com:443"));
  expectAccepted(withValue(":authority", "127.0.0.1:8443"), "127.0.0.1:8443");
  expectRefused(withValue(":authority", "127.0.0.1"), "127.0.0.1:8443");
  expectAccepted(withValue(":authority", "[::1]:8443"), "[::1]:8443");
});

test("a promised request has no content, a valid path and valid fields", () => {
  expectRefused([...GOOD, ["content-length", "5"]]);
  expectAccepted([...GOOD, ["content-length", "0"]]);
  for (const path of ["", "style.css", "*", " /a"]) expectRefused(withValue(":path", path));
  expectRefused([...GOOD, ["Accept", "*/*"]]);
  expectRefused([...GOOD, ["accept", "a\r\nb"]]);
  expectRefused([...GOOD, ["connection", "close"]]);
});

test("a pushed response to HEAD cannot carry DATA", () => {
  const s = ready();
  s.engine.request("GET", "/", [], null);
  const [pp] = s.send(s.frames().pushPromise(1, 2, withValue(":method", "HEAD")));
  assert.ok(pp?.type === "push_promise");
  s.written();
  const parts = s.send(s.frames().response(2, 200, [["content-length", "4"]], "body"));
  const end = parts.find((p) => p.type === "error");
  assert.ok(end?.type === "error" && end.ref === pp.promisedRef && end.error.reason === "content_not_allowed");
  assert.deepEqual(s.written(), [{ type: "rst_stream", streamId: 2, errorCode: 1 }]);
});

test("SETTINGS_ENABLE_PUSH from a server: 0 is fine, anything else is a connection PROTOCOL_ERROR", () => {
  const ok = new FakeServer();
  ok.handshake([[2, 0]]);
  assert.equal(ok.engine.getServerSetting("enablePush"), false);
  for (const value of [1, 2, 2 ** 32 - 1]) {
    const s = new FakeServer();
    s.engine.request("GET", "/", [], null);
    s.written();
    const err = s.sendExpectingError(s.frames().settings([[2, value]]));
    assert.equal(err.reason, "protocol_error", String(value));
    assert.match(err.message, /SETTINGS_ENABLE_PUSH/);
    const goaway = s.written().find((f) => f.type === "goaway");
    assert.ok(goaway?.type === "goaway" && goaway.errorCode === 1);
    assert.equal(err.parts?.some((p) => p.type === "error"), true, "the request in flight fails");
  }
});
