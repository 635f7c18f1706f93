import { test } from "node:test";
import assert from "node:assert/strict";
import { EOF, STREAM } from "../../src/types.js";
import { HTTPError } from "../../src/errors.js";
import { VERSION } from "../../src/version.js";
import { createHTTP1Engine } from "../../src/core/http1/index.js";
import { engine, text } from "../support/http1-responses.js";

function sent(e: ReturnType<typeof engine>): string {
  return text(e.takeOutgoing());
}

function httpError(reason: string, details?: Record<string, unknown>) {
  return (err: unknown) => {
    assert.ok(err instanceof HTTPError, `expected HTTPError, got ${String(err)}`);
    assert.equal(err.protocol, "http1");
    assert.equal(err.reason, reason);
    if (details !== undefined) assert.deepEqual(err.details, details);
    return true;
  };
}

test("GET: request line, host first, lowercase names, default user-agent, no body headers", () => {
  const e = engine({ authority: "example.com:8080" });
  e.request("GET", "/path?q=1", [["Accept", "*/*"], ["X-Two", "a b"]], null);
  assert.equal(sent(e),
    "GET /path?q=1 HTTP/1.1\r\nhost: example.com:8080\r\naccept: */*\r\nx-two: a b\r\n" +
    `user-agent: mint-http/${VERSION}\r\n\r\n`);
  assert.deepEqual(e.takeOutgoing(), []);
});

test("the caller's host and user-agent win (any casing)", () => {
  const e = engine({ authority: "example.com" });
  e.request("GET", "/", [["HOST", "other:81"], ["User-Agent", "me/1"]], null);
  assert.equal(sent(e), "GET / HTTP/1.1\r\nhost: other:81\r\nuser-agent: me/1\r\n\r\n");
});

test("userAgent option replaces the default", () => {
  const e = engine({ userAgent: "custom/2" });
  e.request("GET", "/", [], null);
  assert.match(sent(e), /\r\nuser-agent: custom\/2\r\n/);
});

test("caseSensitiveHeaders keeps the caller's casing", () => {
  const e = engine({ caseSensitiveHeaders: true });
  e.request("GET", "/", [["X-CamelCase", "v"], ["Host", "h"]], null);
  assert.equal(sent(e), `GET / HTTP/1.1\r\nX-CamelCase: v\r\nHost: h\r\nuser-agent: mint-http/${VERSION}\r\n\r\n`);
});

test("string body: UTF-8 bytes and content-length in bytes", () => {
  const e = engine();
  e.request("POST", "/", [], "héllo €");
  const out = e.takeOutgoing();
  assert.equal(out.length, 1);
  const body = new TextEncoder().encode("héllo €");
  const s = text(out);
  assert.ok(s.includes(`content-length: ${body.length}\r\n\r\n`));
  assert.deepEqual([...out[0]!.subarray(out[0]!.length - body.length)], [...body]);
});

test("Uint8Array body, empty body and a large body kept as its own chunk", () => {
  const e = engine();
  e.request("PUT", "/", [], Uint8Array.of(1, 2, 3));
  assert.ok(sent(e).endsWith("content-length: 3\r\n\r\n\x01\x02\x03"));
  e.request("PUT", "/", [], "");
  assert.ok(sent(e).endsWith("content-length: 0\r\n\r\n"));
  const big = new Uint8Array(100_000).fill(7);
  e.request("PUT", "/", [], big);
  const out = e.takeOutgoing();
  assert.equal(out.length, 2);
  assert.equal(out[1], big, "a large body is not copied");
  assert.ok(text(out[0]!).endsWith("content-length: 100000\r\n\r\n"));
});

test("a caller content-length that matches is kept, a mismatch is refused before any byte", () => {
  const e = engine();
  e.request("POST", "/", [["Content-Length", "3"]], "abc");
  assert.equal((sent(e).match(/content-length/g) ?? []).length, 1);
  assert.throws(() => e.request("POST", "/", [["content-length", "4"]], "abc"),
    httpError("content_length_mismatch", { expected: "4", actual: 3 }));
  assert.throws(() => e.request("POST", "/", [["content-length", "x"]], "abc"), httpError("content_length_mismatch"));
  assert.throws(() => e.request("POST", "/", [["content-length", "5"]], null),
    httpError("content_length_mismatch", { expected: "5", actual: 0 }));
  e.request("POST", "/", [["content-length", "0"]], null);
  assert.deepEqual(e.takeOutgoing().length, 1);
  assert.equal(e.openRequestCount(), 2);
});

test("content-length with transfer-encoding is refused", () => {
  const e = engine();
  assert.throws(() => e.request("POST", "/", [["content-length", "3"], ["transfer-encoding", "chunked"]], STREAM),
    httpError("transfer_encoding_and_content_length"));
  assert.deepEqual(e.takeOutgoing(), []);
});

test("invalid methods are refused (token, no CRLF injection)", () => {
  const e = engine();
  for (const m of ["", "GET /x HTTP/1.1\r\nX: y", "GE T", "GET\r", "G\u00e9T", "GET\0"]) {
    assert.throws(() => e.request(m, "/", [], null), httpError("invalid_request_method", { method: m }));
  }
  assert.deepEqual(e.takeOutgoing(), []);
  e.request("M-SEARCH", "*", [], null);
  assert.ok(sent(e).startsWith("M-SEARCH * HTTP/1.1\r\n"));
});

test("request targets: RFC 3986 characters and %XX only, empty refused", () => {
  const e = engine();
  for (const t of ["", "/a b", "/a\r\nb", "/%zz", "/%4", "/é", "/a\"b", "/<x>", "/a\\b", "/{x}"]) {
    assert.throws(() => e.request("GET", t, [], null), httpError("invalid_request_target", { target: t }));
  }
  e.request("GET", "/a%20b/c?d=e&f=%2F#frag[1]@!$'()*+,;=:~-._", [], null);
  assert.ok(sent(e).startsWith("GET /a%20b/c?d=e&f=%2F#frag[1]@!$'()*+,;=:~-._ HTTP/1.1\r\n"));
});

test("skipTargetValidation sends other characters (non-ASCII as UTF-8) but never CR, LF, NUL, SP", () => {
  const e = engine({ skipTargetValidation: true });
  e.request("GET", "/a|b{c}é", [], null);
  assert.ok(sent(e).startsWith("GET /a|b{c}\xc3\xa9 HTTP/1.1\r\n"));
  for (const t of ["", "/a b", "/a\rb", "/a\nb", "/a\0b", "/a\tb"]) {
    assert.throws(() => e.request("GET", t, [], null), httpError("invalid_request_target", { target: t }));
  }
});

test("header names must be tokens; values refuse CR, LF, NUL, controls and non-latin1", () => {
  const e = engine();
  for (const n of ["", "a b", "a:b", "x\r\ny", "é"]) {
    assert.throws(() => e.request("GET", "/", [[n, "v"]], null), httpError("invalid_header_name", { name: n }));
  }
  for (const v of ["a\r\nb", "a\nb", "a\0b", "a\x7fb", "a\x01", "€"]) {
    assert.throws(() => e.request("GET", "/", [["x-h", v]], null), httpError("invalid_header_value", { name: "x-h", value: v }));
  }
  assert.deepEqual(e.takeOutgoing(), []);
  e.request("GET", "/", [["x-latin", "caf\u00e9\tok"]], null);
  const out = e.takeOutgoing();
  assert.ok(text(out).includes("x-latin: caf\xe9\tok\r\n"), "obs-text is sent as one latin1 byte");
});

test("wrong JS types are TypeErrors", () => {
  const e = engine();
  const bad = e as unknown as { request: (...a: unknown[]) => string };
  assert.throws(() => bad.request(1, "/", [], null), TypeError);
  assert.throws(() => bad.request("GET", null, [], null), TypeError);
  assert.throws(() => bad.request("GET", "/", {}, null), TypeError);
  assert.throws(() => bad.request("GET", "/", [["a"]], null), TypeError);
  assert.throws(() => bad.request("GET", "/", [["a", 1]], null), TypeError);
  assert.throws(() => bad.request("GET", "/", [], 42), TypeError);
  assert.throws(() => bad.request("GET", "/", [], { x: 1 }), TypeError);
  assert.equal(e.openRequestCount(), 0);
});

test("streamed body without framing headers: chunked encoding, exact bytes", () => {
  const e = engine();
  const ref = e.request("POST", "/up", [], STREAM);
  assert.equal(sent(e), `POST /up HTTP/1.1\r\nhost: example.com\r\nuser-agent: mint-http/${VERSION}\r\ntransfer-encoding: chunked\r\n\r\n`);
  assert.equal(e.requestBodyWindow(ref), Infinity);
  e.streamRequestBody(ref, "hello");
  e.streamRequestBody(ref, "");
  e.streamRequestBody(ref, new Uint8Array(0));
  e.streamRequestBody(ref, new Uint8Array(26).fill(0x61));
  e.streamRequestBody(ref, "é");
  e.streamRequestBody(ref, EOF);
  assert.equal(sent(e), "5\r\nhello\r\n1a\r\n" + "a".repeat(26) + "\r\n2\r\n\xc3\xa9\r\n0\r\n\r\n");
  assert.throws(() => e.requestBodyWindow(ref), TypeError);
});

test("a large streamed chunk is framed without copying it", () => {
  const e = engine();
  const ref = e.request("POST", "/", [], STREAM);
  e.takeOutgoing();
  const big = new Uint8Array(70_000);
  e.streamRequestBody(ref, big);
  const out = e.takeOutgoing();
  assert.equal(out.length, 3);
  assert.equal(text(out[0]!), "11170\r\n");
  assert.equal(out[1], big);
  assert.equal(text(out[2]!), "\r\n");
});

test("streamed chunked body with trailers; forbidden and invalid trailers refused", () => {
  const e = engine();
  const ref = e.request("POST", "/", [["trailer", "x-sum"]], STREAM);
  e.takeOutgoing();
  e.streamRequestBody(ref, "ab");
  assert.throws(() => e.streamRequestBody(ref, { eof: true, trailers: [["Content-Length", "2"]] }),
    httpError("unallowed_trailing_header", { name: "content-length" }));
  assert.throws(() => e.streamRequestBody(ref, { eof: true, trailers: [["x-bad", "a\r\nb"]] }),
    httpError("invalid_header_value", { name: "x-bad", value: "a\r\nb" }));
  assert.throws(() => e.streamRequestBody(ref, { eof: true, trailers: [["bad name", "v"]] }),
    httpError("invalid_header_name", { name: "bad name" }));
  assert.equal(sent(e), "2\r\nab\r\n");
  e.streamRequestBody(ref, { eof: true, trailers: [["X-Sum", "42"]] });
  assert.equal(sent(e), "0\r\nx-sum: 42\r\n\r\n");
});

test("streaming with content-length: identity, overflow and short EOF refused", () => {
  const e = engine();
  const ref = e.request("PUT", "/", [["content-length", "5"]], STREAM);
  assert.ok(!sent(e).includes("transfer-encoding"));
  e.streamRequestBody(ref, "abc");
  assert.throws(() => e.streamRequestBody(ref, "def"),
    httpError("body_exceeds_content_length", { contentLength: 5, attempted: 6 }));
  assert.throws(() => e.streamRequestBody(ref, EOF), httpError("content_length_mismatch", { expected: "5", actual: 3 }));
  assert.throws(() => e.streamRequestBody(ref, { eof: true, trailers: [] }), httpError("trailing_headers_but_not_chunked_encoding"));
  e.streamRequestBody(ref, "de");
  e.streamRequestBody(ref, EOF);
  assert.equal(sent(e), "abcde");
  assert.throws(() => e.request("PUT", "/", [["content-length", "x"]], STREAM), httpError("invalid_content_length_header", { value: "x" }));
});

test("streaming with caller transfer-encoding: chunked/identity passthrough, other codings get ,chunked", () => {
  const e = engine();
  const a = e.request("POST", "/", [["Transfer-Encoding", "chunked"]], STREAM);
  assert.match(sent(e), /\r\ntransfer-encoding: chunked\r\n/);
  e.streamRequestBody(a, "3\r\nabc\r\n");
  e.streamRequestBody(a, EOF);
  assert.equal(sent(e), "3\r\nabc\r\n", "the caller frames the body; EOF writes nothing");

  const b = e.request("POST", "/", [["transfer-encoding", "gzip"]], STREAM);
  const head = sent(e);
  assert.match(head, /\r\ntransfer-encoding: gzip,chunked\r\n/);
  assert.equal((head.match(/transfer-encoding/g) ?? []).length, 1);
  e.streamRequestBody(b, "xy");
  e.streamRequestBody(b, EOF);
  assert.equal(sent(e), "2\r\nxy\r\n0\r\n\r\n");

  assert.throws(() => e.request("POST", "/", [["transfer-encoding", ""]], STREAM), httpError("empty_token_list"));
  assert.throws(() => e.request("POST", "/", [["transfer-encoding", "a b"]], STREAM), httpError("invalid_token_list", { value: "a b" }));
});

test("one streaming body at a time; wrong refs and chunk types are TypeErrors", () => {
  const e = engine();
  const ref = e.request("POST", "/", [], STREAM);
  assert.throws(() => e.request("GET", "/", [], null), httpError("request_body_is_streaming"));
  assert.throws(() => e.streamRequestBody("nope", "x"), TypeError);
  assert.throws(() => e.requestBodyWindow("nope"), TypeError);
  assert.throws(() => e.streamRequestBody(ref, 5 as unknown as string), TypeError);
  e.streamRequestBody(ref, EOF);
  assert.throws(() => e.streamRequestBody(ref, "late"), TypeError);
  e.request("GET", "/", [], null);
  assert.equal(e.openRequestCount(), 2);
});

test("a closed engine refuses requests and chunks with HTTPError closed", () => {
  const e = engine();
  const ref = e.request("POST", "/", [], STREAM);
  e.close();
  assert.equal(e.isOpen("write"), false);
  assert.equal(e.isOpen("read"), false);
  assert.throws(() => e.request("GET", "/", [], null), httpError("closed"));
  assert.throws(() => e.streamRequestBody(ref, "x"), httpError("closed"));
  assert.throws(() => e.receive(Uint8Array.of(1)), httpError("closed"));
  assert.deepEqual(e.receiveEof(), []);
  assert.deepEqual(e.fail(new Error("x")), []);
});

test("extraHeaders are appended to every request; absoluteTargetPrefix makes absolute-form", () => {
  const e = engine({
    authority: "origin.test:8080",
    extraHeaders: [["Proxy-Authorization", "Basic eA=="]],
    absoluteTargetPrefix: "http://origin.test:8080",
  });
  e.request("GET", "/x?y", [["accept", "*/*"]], null);
  assert.equal(sent(e),
    "GET http://origin.test:8080/x?y HTTP/1.1\r\nhost: origin.test:8080\r\naccept: */*\r\n" +
    `user-agent: mint-http/${VERSION}\r\nproxy-authorization: Basic eA==\r\n\r\n`);
  e.request("OPTIONS", "*", [], null);
  assert.ok(sent(e).startsWith("OPTIONS * HTTP/1.1\r\n"));
  assert.throws(() => engine({ extraHeaders: [["bad name", "v"]] }), httpError("invalid_header_name"));
});

test("option checks are TypeErrors", () => {
  assert.throws(() => createHTTP1Engine({ scheme: "http", authority: "" }), TypeError);
  assert.throws(() => createHTTP1Engine({ scheme: "http", authority: "a\r\nb" }), TypeError);
  assert.throws(() => engine({ optionalResponses: ["other" as "status_reason"] }), TypeError);
  assert.throws(() => engine({ maxHeaderListSize: 0 }), TypeError);
  assert.throws(() => engine({ caseSensitiveHeaders: "yes" as unknown as boolean }), TypeError);
  assert.equal(engine().protocol, "http1");
});
