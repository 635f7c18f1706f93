// HTTP/2 requests are checked as the HTTP/1 engine checks its request line and Host
// (RFC 9113 §8.3.1): token methods, RFC 3986 paths starting with "/" (or "*" for OPTIONS),
// authorities without userinfo, no CR/LF/NUL/SP, and the same for caller pseudo-headers.
// A refused request leaves no trace: nothing is queued and no stream id is used.

import { test } from "node:test";
import assert from "node:assert/strict";
import { HTTPError } from "../../src/errors.js";
import { createHTTP2Engine } from "../../src/core/http2/index.js";
import type { Headers } from "../../src/types.js";
import { FakeServer } from "../support/h2-fake-server.js";

function expectRefused(method: string, path: string, headers: Headers, reason: string): void {
  const s = FakeServer.ready();
  assert.throws(() => s.engine.request(method, path, headers, null), (e: unknown) => {
    assert.ok(e instanceof HTTPError, String(e));
    assert.equal(e.reason, reason, `${method} ${JSON.stringify(path)} ${JSON.stringify(headers)}: ${e.message}`);
    return true;
  });
  assert.deepEqual(s.written(), [], "nothing queued");
  assert.equal(s.engine.openRequestCount(), 0);
  s.engine.request("GET", "/", [], null);
  assert.equal(s.written()[0]!.streamId, 1, "the stream id was not used");
}

test("methods are tokens, given as an argument or as :method", () => {
  for (const m of ["", "GE T", "GET\r\n", "G\0T", "GÉT", "GET/"]) {
    expectRefused(m, "/", [], "invalid_request_method");
    expectRefused("GET", "/", [[":method", m]], "invalid_request_method");
  }
});

test("paths use RFC 3986 characters and start with / (or are * for OPTIONS)", () => {
  for (const p of ["", "a/b", "/a b", "/a\r\nx: y", "/\0", "/\t", "/é", "http://other/", "*"]) {
    expectRefused("GET", p, [], "invalid_request_target");
    expectRefused("GET", "/", [[":path", p]], "invalid_request_target");
  }
  const s = FakeServer.ready();
  s.engine.request("OPTIONS", "*", [], null);
  s.engine.request("GET", "/a%20b?c=d&e=/f#g", [], null);
  assert.deepEqual(s.written().map((f) => f.headers!.find(([n]) => n === ":path")![1]), ["*", "/a%20b?c=d&e=/f#g"]);
});

test("host and :authority are host[:port] without userinfo, and agree", () => {
  for (const a of ["", "user@example.com", "user:pw@example.com", "exa mple.com", "example.com\r\nx: y", "example.com/path", "ex\0ample"]) {
    if (a !== "") expectRefused("GET", "/", [["host", a]], "invalid_header_value");
    expectRefused("GET", "/", [[":authority", a]], "invalid_header_value");
  }
  expectRefused("GET", "/", [[":authority", "a.example"], ["host", "b.example"]], "invalid_header_value");
  expectRefused("GET", "/", [["host", "a.example"], ["host", "b.example"]], "invalid_header_value");
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [[":authority", "a.example:8443"], ["host", "a.example:8443"]], null);
  s.engine.request("GET", "/", [["host", "[::1]:8080"]], null);
  assert.deepEqual(s.written().map((f) => f.headers!.find(([n]) => n === ":authority")![1]), ["a.example:8443", "[::1]:8080"]);
});

test(":scheme is a URI scheme, :protocol a token, CONNECT a host:port authority", () => {
  for (const v of ["", "ht tp", "1http", "http\r\n", "ht:tp"]) expectRefused("GET", "/", [[":scheme", v]], "invalid_header_value");
  for (const v of ["web socket", "ws\r\n", "a/b"]) expectRefused("CONNECT", "/chat", [[":protocol", v]], "invalid_header_value");
  for (const t of ["", "user@host:443", "host:443/x", "host 443"]) expectRefused("CONNECT", t, [], "invalid_request_target");
  expectRefused("GET", "/", [[":status", "200"]], "invalid_header_name");
  expectRefused("GET", "/", [[":path", "/a"], [":path", "/b"]], "invalid_header_name");
  const s = FakeServer.ready();
  s.engine.request("CONNECT", "proxy.example:443", [], null);
  s.engine.request("CONNECT", "/chat", [[":protocol", "websocket"]], null);
  const [a, b] = s.written();
  assert.deepEqual(a!.headers!.slice(0, 2), [[":method", "CONNECT"], [":authority", "proxy.example:443"]]);
  assert.deepEqual(b!.headers!.slice(0, 5), [[":method", "CONNECT"], [":scheme", "https"], [":authority", "example.com"], [":path", "/chat"], [":protocol", "websocket"]]);
});

test("a caller's :method decides HEAD handling", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [[":method", "HEAD"]], null);
  s.written();
  const parts = s.send(s.frames().headers(1, [[":status", "200"], ["content-length", "3"]]).data(1, "abc", { endStream: true }));
  const end = parts.find((p) => p.type === "error");
  assert.ok(end?.type === "error" && end.ref === ref && end.error.reason === "content_not_allowed");
});

test("the engine's authority is checked when it is created", () => {
  for (const authority of ["", "user@example.com", "exa mple.com", "example.com\r\n"]) {
    assert.throws(() => createHTTP2Engine({ scheme: "https", authority }), TypeError, JSON.stringify(authority));
  }
  assert.doesNotThrow(() => createHTTP2Engine({ scheme: "https", authority: "[::1]:8443" }));
});
