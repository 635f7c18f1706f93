// Request-side framing and injection (RFC 9112 §6.1, §6.2, §9.6; RFC 9110 §8.6): a body is
// never sent without framing a server can follow, the framing the caller asks for is
// honoured or refused before a byte is queued, and a request carrying `connection: close`
// is the last one written on its connection.

import { test } from "node:test";
import assert from "node:assert/strict";
import { EOF, STREAM } from "../../src/types.js";
import { HTTPError } from "../../src/errors.js";
import type { Engine } from "../../src/core/engine.js";
import { bytes, engine, normalize, text } from "../support/http1-responses.js";

const UA = /user-agent: [^\r]+\r\n/;

function sent(e: Engine): string {
  return text(e.takeOutgoing()).replace(UA, "");
}

function refused(reason: string, why?: string) {
  return (err: unknown) => {
    assert.ok(err instanceof HTTPError, `expected HTTPError, got ${String(err)}`);
    assert.equal(err.reason, reason);
    if (why !== undefined) assert.equal(err.details?.["why"], why);
    return true;
  };
}

test("transfer-encoding: chunked with a body given up front: sent as one chunk and the last chunk", () => {
  const e = engine();
  e.request("POST", "/", [["transfer-encoding", "chunked"]], "hello");
  assert.equal(sent(e), "POST / HTTP/1.1\r\nhost: example.com\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  e.request("POST", "/", [["Transfer-Encoding", "gzip, Chunked"]], new Uint8Array([1, 2, 3]));
  assert.equal(sent(e), "POST / HTTP/1.1\r\nhost: example.com\r\ntransfer-encoding: gzip, Chunked\r\n\r\n3\r\n\x01\x02\x03\r\n0\r\n\r\n");
  // no body (null or empty): the last chunk alone, so the server does not wait for one
  e.request("GET", "/", [["transfer-encoding", "chunked"]], null);
  assert.equal(sent(e), "GET / HTTP/1.1\r\nhost: example.com\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n");
  e.request("POST", "/", [["transfer-encoding", "chunked"]], "");
  assert.equal(sent(e), "POST / HTTP/1.1\r\nhost: example.com\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n");
  // a large body is not copied: head + chunk line, the body itself, the end
  const big = new Uint8Array(100_000).fill(0x61);
  e.request("POST", "/", [["transfer-encoding", "chunked"]], big);
  const out = e.takeOutgoing();
  assert.equal(out.length, 3);
  assert.equal(out[1], big);
  assert.match(text(out[0]!), /\r\n\r\n186a0\r\n$/);
  assert.equal(text(out[2]!), "\r\n0\r\n\r\n");
  assert.equal(e.openRequestCount(), 5);
});

test("a request transfer-encoding that does not end in chunked, applies it twice, or names identity is refused", () => {
  const e = engine();
  const cases: Array<[string, string | null | typeof STREAM]> = [
    ["gzip", "hello"], ["gzip", null], ["chunked, gzip", "hello"], ["chunked, gzip", STREAM],
    ["chunked, chunked", "x"], ["chunked, chunked", STREAM], ["identity", STREAM], ["identity", "x"], ["gzip, identity, chunked", "x"],
  ];
  for (const [te, body] of cases) {
    assert.throws(() => e.request("POST", "/", [["transfer-encoding", te]], body), (err: unknown) => {
      refused("invalid_transfer_encoding")(err);
      assert.equal((err as HTTPError).details?.["value"], te);
      return true;
    }, `${te} with ${String(body)}`);
    assert.deepEqual(e.takeOutgoing(), [], "nothing queued");
  }
  assert.equal(e.openRequestCount(), 0);
  assert.equal(e.isOpen("write"), true);
  // a streamed body with other codings still gets chunked appended (and framed by the engine)
  const ref = e.request("POST", "/", [["transfer-encoding", "gzip"]], STREAM);
  e.streamRequestBody(ref, "ab");
  e.streamRequestBody(ref, EOF);
  assert.equal(sent(e), "POST / HTTP/1.1\r\nhost: example.com\r\ntransfer-encoding: gzip,chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n");
});

test("caller content-length must match a body given up front, and never comes with transfer-encoding", () => {
  const e = engine();
  // RFC 9110 §8.6: content-length is the length of the content that is sent
  for (const [cl, body] of [["4", "abc"], ["2", "abc"], ["+3", "abc"], ["3, 3", "abc"], ["1", null], ["0", "x"]] as const) {
    assert.throws(() => e.request("POST", "/", [["content-length", cl]], body), refused("content_length_mismatch"), `${cl} / ${String(body)}`);
  }
  assert.throws(() => e.request("POST", "/", [["content-length", "3"], ["content-length", "4"]], "abc"), refused("invalid_content_length_header"));
  // RFC 9112 §6.2: a sender MUST NOT send both
  for (const body of ["abc", null, STREAM] as const) {
    assert.throws(() => e.request("POST", "/", [["content-length", "3"], ["transfer-encoding", "chunked"]], body),
      refused("transfer_encoding_and_content_length"));
  }
  assert.deepEqual(e.takeOutgoing(), []);
  e.request("POST", "/", [["content-length", "3"]], "abc");
  assert.equal(sent(e), "POST / HTTP/1.1\r\nhost: example.com\r\ncontent-length: 3\r\n\r\nabc");
});

test("connection: close: the last request written; isOpen('write') false at once; later requests throw closed", () => {
  const e = engine();
  const a = e.request("GET", "/a", [], null);
  const b = e.request("GET", "/b", [["Connection", "keep-alive, Close"]], null);
  assert.equal(e.isOpen("write"), false);
  assert.equal(e.isOpen("read"), true);
  const before = sent(e);
  assert.equal(before.split("GET /").length, 3);
  for (let i = 0; i < 2; i++) {
    assert.throws(() => e.request("GET", "/c", [], null), (err: unknown) => {
      refused("closed", "connection_close_requested")(err);
      assert.match((err as Error).message, /connection: close.*open a new connection/);
      return true;
    });
  }
  assert.deepEqual(e.takeOutgoing(), [], "nothing more is sent");
  // the server keeps the connection alive: the engine closes after b's response anyway
  const parts = normalize(e.receive(bytes(
    "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\naHTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nbHTTP/1.1 200 OK\r\n")));
  assert.deepEqual(parts.filter((p) => p.type === "done").map((p) => p.ref), [a, b]);
  assert.equal(parts.filter((p) => p.type === "error").length, 0);
  assert.equal(e.isOpen("read"), false, "the shell closes the socket");
  assert.equal(e.openRequestCount(), 0);
});

test("connection: close with a streamed body: the body goes on, nothing else", () => {
  const e = engine();
  const ref = e.request("POST", "/", [["connection", "close"]], STREAM);
  assert.throws(() => e.request("GET", "/", [], null), refused("closed", "connection_close_requested"));
  e.streamRequestBody(ref, "abc");
  e.streamRequestBody(ref, EOF);
  assert.match(sent(e), /connection: close\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n$/);
  assert.throws(() => e.request("GET", "/", [], null), refused("closed", "connection_close_requested"));
  // an until-close response to it ends at EOF
  e.receive(bytes("HTTP/1.1 200 OK\r\n\r\nall"));
  assert.deepEqual(e.receiveEof(), [{ type: "done", ref }]);
});

test("connection: close in extraHeaders makes every connection single-request; a malformed option is refused", () => {
  const e = engine({ extraHeaders: [["connection", "close"]] });
  e.request("GET", "/", [], null);
  assert.equal(e.isOpen("write"), false);
  const f = engine();
  assert.throws(() => f.request("GET", "/", [["connection", "close;x"]], null), refused("invalid_token_list"));
  assert.throws(() => f.request("GET", "/", [["connection", ""]], null), refused("empty_token_list"));
  f.request("GET", "/", [["connection", "keep-alive"]], null);
  f.request("GET", "/", [["connection", "upgrade"], ["upgrade", "websocket"]], null);
  assert.equal(f.isOpen("write"), true);
});

test("connection: close and a server that closes first: the request in flight fails with closed", () => {
  const e = engine();
  const a = e.request("GET", "/", [["connection", "close"]], null);
  e.receive(bytes("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nab"));
  assert.throws(() => e.receiveEof(), (err: unknown) => {
    assert.deepEqual(normalize((err as HTTPError).parts!), [{ type: "error", ref: a, reason: "closed" }]);
    return true;
  });
});
