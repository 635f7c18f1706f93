// Responses whose length the client cannot trust (RFC 9112 §6.1, §6.3; RFC 9110 §8.6) and
// the line-level rules of RFC 9112 §2.2 and §5: no byte of an untrusted response is ever
// read as the response to a later pipelined request. Each case would fail if its check
// were removed: the smuggled response inside the body would reach the next request.

import { test } from "node:test";
import assert from "node:assert/strict";
import { HTTPError, TransportError } from "../../src/errors.js";
import type { Engine } from "../../src/core/engine.js";
import type { RequestRef, ResponsePart } from "../../src/types.js";
import { byteByByte, bytes, engine, feed, normalize } from "../support/http1-responses.js";

/** A complete response that would be taken as the answer to the next request. */
const SMUGGLED = "HTTP/1.1 200 OK\r\ncontent-length: 7\r\n\r\nspoofed";

function three(): { e: Engine; a: RequestRef; b: RequestRef; c: RequestRef } {
  const e = engine();
  const a = e.request("GET", "/a", [], null);
  const b = e.request("GET", "/b", [], null);
  const c = e.request("GET", "/c", [], null);
  e.takeOutgoing();
  return { e, a, b, c };
}

/** The requests behind fail with TransportError closed, why untrusted_length. */
function assertFailedBehind(parts: ResponsePart[], refs: RequestRef[]): void {
  for (const ref of refs) {
    const p = parts.find((x) => x.ref === ref);
    assert.ok(p !== undefined && p.type === "error", `request ${ref} should have failed`);
    assert.ok(p.error instanceof TransportError);
    assert.equal(p.error.reason, "closed");
    assert.equal(p.error.details?.["why"], "untrusted_length");
    assert.match(p.error.message, /not answered/);
    assert.equal(parts.filter((x) => x.ref === ref).length, 1, "only the error part");
  }
}

function assertNoMoreRequests(e: Engine): void {
  assert.equal(e.isOpen("write"), false);
  assert.throws(() => e.request("GET", "/d", [], null), (x: unknown) => {
    assert.ok(x instanceof HTTPError);
    assert.equal(x.reason, "closed");
    assert.equal(x.details?.["why"], "untrusted_length");
    assert.match(x.message, /open a new connection/);
    return true;
  });
  assert.deepEqual(e.takeOutgoing(), [], "nothing queued");
}

// RFC 9112 §6.3 (4), (8): the body of these responses ends only when the server closes.
const UNTIL_CLOSE: Array<[string, string]> = [
  ["no content-length nor transfer-encoding", "HTTP/1.1 200 OK\r\n\r\n"],
  ["transfer-encoding whose final coding is not chunked", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked, gzip\r\n\r\n"],
  ["transfer-encoding: identity", "HTTP/1.1 200 OK\r\ntransfer-encoding: identity\r\n\r\n"],
  // RFC 9112 §6.1: transfer-encoding in HTTP/1.0 is faulty framing, keep-alive or not
  ["HTTP/1.0 with transfer-encoding: chunked and keep-alive", "HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ntransfer-encoding: chunked\r\n\r\n"],
  ["HTTP/1.0 with transfer-encoding: chunked", "HTTP/1.0 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"],
];

for (const [name, head] of UNTIL_CLOSE) {
  test(`untrusted length (${name}): read until close, requests behind fail at the head`, () => {
    for (const split of [false, true]) {
      const { e, a, b, c } = three();
      const body = `5\r\nhello\r\n0\r\n\r\n${SMUGGLED}${SMUGGLED}`;
      const input = bytes(head + body);
      const r = feed(e, split ? byteByByte(input) : [input]);
      assert.equal(r.error, undefined);
      assertFailedBehind(r.parts, [b, c]);
      const plain = normalize(r.parts.filter((p) => p.ref === a));
      assert.deepEqual(plain.filter((p) => p.type === "data"), [{ type: "data", ref: a, data: body }], "every byte is the first response's body");
      assert.equal(e.isOpen("read"), true, "still reading the body");
      assertNoMoreRequests(e);
      assert.equal(e.openRequestCount(), 1);
      assert.deepEqual(e.receiveEof(), [{ type: "done", ref: a }]);
      assert.equal(e.isOpen("read"), false);
    }
  });
}

test("untrusted length with nothing behind: the connection still takes no more requests", () => {
  const e = engine();
  const a = e.request("GET", "/", [], null);
  e.takeOutgoing();
  assert.deepEqual(normalize(e.receive(bytes("HTTP/1.1 200 OK\r\n\r\nbody"))).map((p) => p.type), ["status", "headers", "data"]);
  assertNoMoreRequests(e);
  assert.deepEqual(e.receiveEof(), [{ type: "done", ref: a }]);
});

test("HTTP/1.0 with transfer-encoding and content-length is refused (RFC 9112 §6.1, §6.3)", () => {
  const { e, b, c } = three();
  const r = feed(e, [bytes("HTTP/1.0 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\nhello")]);
  assert.ok(r.error instanceof HTTPError);
  assert.equal(r.error.reason, "transfer_encoding_and_content_length");
  assert.deepEqual(normalize(r.parts).filter((p) => p.type === "error").map((p) => p.ref).slice(1), [b, c]);
  assert.equal(e.isOpen("read"), false);
});

// RFC 9110 §8.6, RFC 9112 §6.1: a server MUST NOT send content-length or transfer-encoding
// in a 1xx or 204 response; such a response has no body (§6.3 (1)), but what follows it may
// be a body it did not announce, so nothing after it is read.
for (const field of ["transfer-encoding: chunked", "content-length: 7"]) {
  test(`204 with ${field}: done, requests behind fail, the bytes after it are dropped`, () => {
    const { e, a, b, c } = three();
    const r = feed(e, [bytes(`HTTP/1.1 204 No Content\r\n${field}\r\n\r\n${SMUGGLED}`)]);
    assert.equal(r.error, undefined);
    assert.deepEqual(normalize(r.parts.filter((p) => p.ref === a)).map((p) => p.type), ["status", "headers", "done"]);
    assertFailedBehind(r.parts, [b, c]);
    assert.equal(e.isOpen("read"), false);
    assert.equal(e.isOpen("write"), false);
  });

  test(`1xx with ${field}: the final response is the last one read`, () => {
    const { e, a, b, c } = three();
    const r = feed(e, [bytes(`HTTP/1.1 100 Continue\r\n${field}\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok${SMUGGLED}`)]);
    assert.equal(r.error, undefined);
    const plain = normalize(r.parts);
    assert.deepEqual(plain.filter((p) => p.ref === a).map((p) => p.type), ["status", "headers", "status", "headers", "data", "done"]);
    assertFailedBehind(r.parts, [b, c]);
    assert.equal(e.isOpen("read"), false);
  });
}

test("204 with content-length: 0 and 304 / HEAD with content-length stay trusted", () => {
  for (const [method, resp] of [
    ["GET", "HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"],
    ["GET", "HTTP/1.1 304 Not Modified\r\ncontent-length: 42\r\n\r\n"],
    ["HEAD", "HTTP/1.1 200 OK\r\ncontent-length: 42\r\n\r\n"],
    ["HEAD", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"],
  ] as const) {
    const e = engine();
    const a = e.request(method, "/", [], null);
    const b = e.request("GET", "/", [], null);
    const parts = normalize(e.receive(bytes(resp + "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nz")));
    assert.deepEqual(parts.filter((p) => p.type === "done").map((p) => p.ref), [a, b], resp);
    assert.equal(e.isOpen("write"), true);
  }
});

test("1xx responses with pipelining: each goes to the request at the head of the queue", () => {
  const e = engine();
  const a = e.request("POST", "/", [["expect", "100-continue"]], "x");
  const b = e.request("GET", "/", [], null);
  const parts = normalize(e.receive(bytes(
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\na" +
    "HTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nb")));
  assert.deepEqual(parts.map((p) => [p.type, p.ref]), [
    ["status", a], ["headers", a], ["status", a], ["headers", a], ["data", a], ["done", a],
    ["status", b], ["headers", b], ["status", b], ["headers", b], ["data", b], ["done", b],
  ]);
  // a 1xx with nothing in flight is unexpected data, not an answer to a later request
  assert.throws(() => e.receive(bytes("HTTP/1.1 100 Continue\r\n\r\n")), (x: unknown) => x instanceof HTTPError && x.reason === "unexpected_data");
});

test("bytes after a complete response with nothing queued: unexpected_data, never kept for the next request", () => {
  const e = engine();
  const a = e.request("GET", "/", [], null);
  assert.throws(() => e.receive(bytes(`HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok${SMUGGLED}`)), (x: unknown) => {
    assert.ok(x instanceof HTTPError && x.reason === "unexpected_data");
    assert.deepEqual(normalize(x.parts!).map((p) => p.type), ["status", "headers", "data", "done"]);
    assert.ok(x.parts!.every((p) => p.ref === a));
    return true;
  });
  assert.equal(e.isOpen("write"), false);
});

function expectFailure(response: string, reason: string): void {
  for (const split of [false, true]) {
    const e = engine();
    e.request("GET", "/", [], null);
    const b = bytes(response);
    const r = feed(e, split ? byteByByte(b) : [b]);
    assert.ok(r.error instanceof HTTPError, `expected ${reason} for ${JSON.stringify(response)}`);
    assert.equal(r.error.reason, reason, JSON.stringify(response));
  }
}

test("content-length: signs, lists and differing repeats are refused (RFC 9110 §8.6)", () => {
  // A list of identical values MAY be taken as one value; mint-http refuses it like Mint.
  for (const v of ["+5", "-5", "5, 5", "5,5", "5 ,5", " +0"]) {
    expectFailure(`HTTP/1.1 200 OK\r\ncontent-length: ${v}\r\n\r\nhello`, "invalid_content_length_header");
  }
  expectFailure("HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 50\r\n\r\nhello", "more_than_one_content_length_header");
});

test("line rules (RFC 9112 §2.2, §5.1, §5.2): bare CR, whitespace before the colon, obs-fold", () => {
  // bare CR: the element is invalid
  expectFailure("HTTP/1.1 200 O\rK\r\ncontent-length: 0\r\n\r\n", "invalid_status_line");
  expectFailure("HTTP/1.1 200 OK\r\r\ncontent-length: 0\r\n\r\n", "invalid_status_line");
  expectFailure("HTTP/1.1 200 OK\r\nx: a\rb\r\ncontent-length: 0\r\n\r\n", "invalid_header");
  expectFailure("HTTP/1.1 200 OK\r\nx\r: a\r\ncontent-length: 0\r\n\r\n", "invalid_header");
  expectFailure("HTTP/1.1 200 OK\r\ncontent-length: 0\r\r\n\r\n", "invalid_header");
  expectFailure("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\r\nhello\r\n0\r\n\r\n", "invalid_chunk_size");
  // whitespace between the field name and the colon
  expectFailure("HTTP/1.1 200 OK\r\ncontent-length : 5\r\n\r\nhello", "invalid_header");
  expectFailure("HTTP/1.1 200 OK\r\ntransfer-encoding\t: chunked\r\n\r\n0\r\n\r\n", "invalid_header");
  // obs-fold: rejected (a fold could otherwise extend a framing field)
  expectFailure("HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n ,chunked\r\n\r\n0\r\n\r\n", "invalid_header");
  expectFailure("HTTP/1.1 200 OK\r\nx: a\r\n\tb\r\ncontent-length: 0\r\n\r\n", "invalid_header");
  // a bare LF ends a line (a recipient MAY accept it), the same as CRLF
  const e = engine();
  const a = e.request("GET", "/", [], null);
  const parts = normalize(e.receive(bytes("HTTP/1.1 200 OK\ncontent-length: 2\nx: y\n\nok")));
  assert.deepEqual(parts.slice(1), [
    { type: "headers", ref: a, headers: [["content-length", "2"], ["x", "y"]] }, { type: "data", ref: a, data: "ok" }, { type: "done", ref: a },
  ]);
});

test("chunk lines: extensions with control characters and sizes over 2^53 are refused", () => {
  const pre = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
  for (const line of ["5;a=\x01", "5;a\x7f", "5;\x00", "5;a=b\rc", "20000000000000", "ffffffffffffffff", "1".repeat(17)]) {
    expectFailure(`${pre}${line}\r\nhello\r\n0\r\n\r\n`, "invalid_chunk_size");
  }
});
