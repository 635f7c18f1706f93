import { test } from "node:test";
import assert from "node:assert/strict";
import { HTTPError } from "../../src/errors.js";
import { DEFAULT_MAX_HEADER_LIST_SIZE } from "../../src/core/engine.js";
import { MAX_HEADER_COUNT, createHTTP1Engine } from "../../src/core/http1/index.js";
import { byteByByte, bytes, engine, feed, normalize, text } from "../support/http1-responses.js";
import type { HTTP1Options } from "../../src/core/http1/index.js";

/** One GET (or `method`) and a response fed whole; returns normalized parts. */
function run(response: string, method = "GET", opts: Partial<HTTP1Options> = {}, eof = false) {
  const e = engine(opts);
  const ref = e.request(method, "/", [], null);
  const r = feed(e, [bytes(response)], eof);
  return { e, ref, parts: normalize(r.parts), error: r.error };
}

/** Expect a connection error with `reason` (and details) for `response`, fed whole and byte by byte. */
function expectError(response: string, reason: string, details?: Record<string, unknown>, opts: Partial<HTTP1Options> = {}) {
  for (const split of [false, true]) {
    const e = engine(opts);
    const ref = e.request("GET", "/", [], null);
    const b = bytes(response);
    const r = feed(e, split ? byteByByte(b) : [b]);
    assert.ok(r.error instanceof HTTPError, `expected an HTTPError for ${JSON.stringify(response.slice(0, 60))}`);
    assert.equal(r.error.reason, reason, `split=${split}`);
    assert.equal(r.error.protocol, "http1");
    if (details !== undefined) assert.deepEqual(r.error.details, details);
    const last = r.parts[r.parts.length - 1]!;
    assert.equal(last.type, "error", "the request in flight gets an error part");
    assert.equal(last.ref, ref);
    assert.equal(e.isOpen("read"), false);
    assert.equal(e.openRequestCount(), 0);
  }
}

test("content-length body", () => {
  const { ref, parts, e } = run("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello");
  assert.deepEqual(parts, [
    { type: "status", ref, status: 200 },
    { type: "headers", ref, headers: [["content-length", "5"], ["content-type", "text/plain"]] },
    { type: "data", ref, data: "hello" },
    { type: "done", ref },
  ]);
  assert.equal(e.isOpen("read"), true);
  assert.equal(e.openRequestCount(), 0);
});

test("data parts are views of the received chunk, one per received slice", () => {
  const e = engine();
  const ref = e.request("GET", "/", [], null);
  const first = bytes("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc");
  const p1 = e.receive(first);
  const d1 = p1.find((p) => p.type === "data")!;
  assert.equal(d1.type === "data" && d1.data.buffer, first.buffer);
  const second = bytes("defghij");
  const p2 = e.receive(second);
  assert.equal(p2.length, 2);
  assert.ok(p2[0]!.type === "data" && p2[0]!.data === second, "a whole chunk of body is passed through as is");
  assert.deepEqual(p2[1], { type: "done", ref });
});

test("header values: OWS trimmed, names lowercased, duplicates and order kept, empty value allowed", () => {
  const { parts, ref } = run("HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-E:\r\nset-cookie:  b=2 \t\r\nX-Tab:\tv\tw\t\r\ncontent-length: 0\r\n\r\n");
  assert.deepEqual(parts[1], {
    type: "headers", ref,
    headers: [["set-cookie", "a=1"], ["x-e", ""], ["set-cookie", "b=2"], ["x-tab", "v\tw"], ["content-length", "0"]],
  });
  assert.deepEqual(parts[2], { type: "done", ref });
});

test("chunked body: data as it arrives, extensions skipped, trailers minus forbidden names", () => {
  const { ref, parts } = run(
    "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" +
    "4;ext=1\r\nWiki\r\n6 ; a ; b=\"c\"\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-Trailer: yes\r\nSet-Cookie: no\r\nExpires: 0\r\n\r\n");
  assert.deepEqual(parts, [
    { type: "status", ref, status: 200 },
    { type: "headers", ref, headers: [["transfer-encoding", "chunked"]] },
    { type: "data", ref, data: "Wikipedia in \r\n\r\nchunks." },
    { type: "headers", ref, headers: [["x-trailer", "yes"]] },
    { type: "done", ref },
  ]);
});

test("chunked body: no trailer part when all trailers are forbidden or absent", () => {
  const a = run("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1\r\nx\r\n0\r\ndate: x\r\n\r\n");
  assert.deepEqual(a.parts.map((p) => p.type), ["status", "headers", "data", "done"]);
  const b = run("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n");
  assert.deepEqual(b.parts.map((p) => p.type), ["status", "headers", "done"]);
});

test("a huge announced chunk is streamed without waiting for it", () => {
  const e = engine();
  const ref = e.request("GET", "/", [], null);
  const parts = e.receive(bytes("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nFFFFFFFFFFFF\r\nabc"));
  assert.deepEqual(normalize(parts).slice(2), [{ type: "data", ref, data: "abc" }]);
});

test("transfer-encoding whose final coding is not chunked: read until close", () => {
  const { ref, parts, e } = run("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked, gzip\r\n\r\nraw", "GET", {}, true);
  assert.deepEqual(parts.slice(2), [{ type: "data", ref, data: "raw" }, { type: "done", ref }]);
  assert.equal(e.isOpen("read"), false);
  const g = run("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: Chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n");
  assert.deepEqual(g.parts.slice(2), [{ type: "data", ref: g.ref, data: "z" }, { type: "done", ref: g.ref }]);
});

test("until-close body ends with done on EOF", () => {
  const e = engine();
  const ref = e.request("GET", "/", [], null);
  const p1 = normalize(e.receive(bytes("HTTP/1.1 200 OK\r\n\r\nsome")));
  assert.deepEqual(p1.slice(2), [{ type: "data", ref, data: "some" }]);
  assert.deepEqual(normalize(e.receive(bytes(" more"))), [{ type: "data", ref, data: " more" }]);
  assert.deepEqual(e.receiveEof(), [{ type: "done", ref }]);
  assert.equal(e.isOpen("read"), false);
});

test("no body for HEAD, 204, 304 even with content-length", () => {
  // (a 204 with a non-zero content-length is not trusted: see http1-framing.test.ts)
  for (const [method, status] of [["HEAD", 200], ["GET", 304]] as const) {
    const e = engine();
    const ref = e.request(method, "/", [], null);
    const ref2 = e.request("GET", "/", [], null);
    const parts = normalize(e.receive(bytes(
      `HTTP/1.1 ${status} X\r\ncontent-length: 42\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nz`)));
    assert.deepEqual(parts.map((p) => [p.type, p.ref]), [
      ["status", ref], ["headers", ref], ["done", ref], ["status", ref2], ["headers", ref2], ["data", ref2], ["done", ref2],
    ]);
  }
});

test("status_reason part after status when asked for, empty when absent", () => {
  const e = engine({ optionalResponses: ["status_reason"] });
  const a = e.request("GET", "/", [], null);
  const b = e.request("GET", "/", [], null);
  const parts = normalize(e.receive(bytes(
    "HTTP/1.1 200 Very OK\r\ncontent-length: 0\r\n\r\nHTTP/1.1 404\r\ncontent-length: 0\r\n\r\n")));
  assert.deepEqual(parts.filter((p) => p.type === "status" || p.type === "status_reason"), [
    { type: "status", ref: a, status: 200 }, { type: "status_reason", ref: a, reason: "Very OK" },
    { type: "status", ref: b, status: 404 }, { type: "status_reason", ref: b, reason: "" },
  ]);
  const plain = run("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
  assert.ok(!plain.parts.some((p) => p.type === "status_reason"));
});

test("invalid status lines", () => {
  for (const line of ["HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/2.0 200 OK", "HTTP/1.1 200OK", "http/1.1 200 OK",
    "HTTP/1.1  200 OK", "ICY 200 OK", "HTTP/1.1 200 O\x01K", "HTTP/1.1 099 x", "", "HTTP/1.1 2x0 OK"]) {
    expectError(`${line}\r\ncontent-length: 0\r\n\r\n`, "invalid_status_line");
  }
});

test("invalid header lines: bad names, space before colon, obs-fold, control characters", () => {
  for (const h of ["Bad Name: v", "X-A : v", "no-colon", ": v", " folded", "\tfolded", "X: a\0b", "X: a\rb", "X: a\x7f", "Ä: v"]) {
    expectError(`HTTP/1.1 200 OK\r\nX-First: 1\r\n${h}\r\ncontent-length: 0\r\n\r\n`, "invalid_header");
  }
});

test("content-length errors", () => {
  for (const v of ["abc", "+5", "-1", "0x10", "1 2", "5, 5", "99999999999999999"]) {
    expectError(`HTTP/1.1 200 OK\r\ncontent-length: ${v}\r\n\r\n`, "invalid_content_length_header", { value: v });
  }
  expectError("HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\n", "more_than_one_content_length_header");
  const same = run("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nContent-Length: 2 \r\n\r\nok");
  assert.deepEqual(same.parts.slice(2), [{ type: "data", ref: same.ref, data: "ok" }, { type: "done", ref: same.ref }]);
  expectError("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n", "transfer_encoding_and_content_length");
});

test("token list errors in connection and transfer-encoding", () => {
  expectError("HTTP/1.1 200 OK\r\nconnection: \r\n\r\n", "empty_token_list");
  expectError("HTTP/1.1 200 OK\r\ntransfer-encoding: , ,\r\n\r\n", "empty_token_list");
  expectError("HTTP/1.1 200 OK\r\nconnection: close;x\r\n\r\n", "invalid_token_list", { value: "close;x" });
  expectError("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked gzip\r\n\r\n", "invalid_token_list", { value: "chunked gzip" });
});

test("chunk-size errors: signs, non-hex, too many digits, oversized extensions", () => {
  const pre = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
  for (const line of ["-1", "+5", "0x5", "", " 5", "g", "5 x", "1".repeat(17), "20000000000000", `5;${"e".repeat(5000)}`, "5;a\0b"]) {
    expectError(`${pre}${line}\r\nhello\r\n0\r\n\r\n`, "invalid_chunk_size");
  }
  const ok = run(`${pre}${"0".repeat(15)}5\r\nhello\r\n0\r\n\r\n`);
  assert.equal(ok.error, undefined);
});

test("missing CRLF after chunk data", () => {
  const pre = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
  expectError(`${pre}3\r\nabcd\r\n0\r\n\r\n`, "missing_crlf_after_chunk");
  expectError(`${pre}3\r\nabc\rX0\r\n\r\n`, "missing_crlf_after_chunk");
  expectError(`${pre}3\r\nabc\n0\r\n\r\n`, "missing_crlf_after_chunk");
});

test("invalid trailer lines", () => {
  const pre = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n";
  for (const t of ["bad trailer: x", "x: a\0", " folded"]) expectError(`${pre}${t}\r\n\r\n`, "invalid_trailer_header");
});

test("header section cap counts partial data, status line and trailers", () => {
  const max = 200;
  const big = "x".repeat(300);
  expectError(`HTTP/1.1 200 OK\r\nx-big: ${big}\r\n\r\n`, "max_header_list_size_exceeded", undefined, { maxHeaderListSize: max });
  expectError(`HTTP/1.1 200 ${big}\r\n\r\n`, "max_header_list_size_exceeded", undefined, { maxHeaderListSize: max });
  expectError(`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\nx-t: ${big}\r\n\r\n`, "max_header_list_size_exceeded",
    undefined, { maxHeaderListSize: max });
  // a partial line that never ends is refused as soon as it is over the cap
  const e = engine({ maxHeaderListSize: max });
  e.request("GET", "/", [], null);
  e.receive(bytes("HTTP/1.1 200 OK\r\nx-a: "));
  assert.throws(() => e.receive(bytes("y".repeat(190))), (err: unknown) => {
    assert.ok(err instanceof HTTPError);
    assert.equal(err.reason, "max_header_list_size_exceeded");
    assert.equal(err.details!["max"], max);
    assert.equal(err.details!["size"], 17 + 5 + 190);
    return true;
  });
  // exactly at the cap is fine
  const head = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n";
  const filler = `x: ${"a".repeat(max - head.length - 2 - 5)}\r\n`;
  const okResp = head + filler + "\r\n";
  assert.equal(okResp.length, max);
  assert.equal(run(okResp, "GET", { maxHeaderListSize: max }).error, undefined);
  assert.equal(DEFAULT_MAX_HEADER_LIST_SIZE, 256 * 1024);
});

test("more than MAX_HEADER_COUNT header lines is refused", () => {
  const many = "a: b\r\n".repeat(MAX_HEADER_COUNT + 1);
  const r = run(`HTTP/1.1 200 OK\r\n${many}\r\n`);
  assert.ok(r.error instanceof HTTPError);
  assert.equal(r.error.reason, "max_header_list_size_exceeded");
  assert.equal(r.error.details!["maxHeaders"], MAX_HEADER_COUNT);
  assert.equal(run(`HTTP/1.1 200 OK\r\n${"a: b\r\n".repeat(MAX_HEADER_COUNT)}content-length: 0\r\n\r\n`).error?.reason,
    "max_header_list_size_exceeded");
  assert.equal(run(`HTTP/1.1 200 OK\r\n${"a: b\r\n".repeat(MAX_HEADER_COUNT - 1)}content-length: 0\r\n\r\n`).error, undefined);
});

test("the error's parts hold what was parsed before it", () => {
  const e = engine();
  const a = e.request("GET", "/", [], null);
  const b = e.request("GET", "/", [], null);
  const c = e.request("GET", "/", [], null);
  try {
    e.receive(bytes("HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nxHTTP/1.1 200 OK\r\nbad header\r\n\r\n"));
    assert.fail("should throw");
  } catch (err) {
    assert.ok(err instanceof HTTPError);
    assert.equal(err.reason, "invalid_header");
    assert.deepEqual(normalize(err.parts!), [
      { type: "status", ref: a, status: 200 }, { type: "headers", ref: a, headers: [["content-length", "1"]] },
      { type: "data", ref: a, data: "x" }, { type: "done", ref: a },
      { type: "status", ref: b, status: 200 },
      { type: "error", ref: b, reason: "invalid_header" }, { type: "error", ref: c, reason: "invalid_header" },
    ]);
  }
  assert.throws(() => e.request("GET", "/", [], null), (x: unknown) => x instanceof HTTPError && x.reason === "closed");
  assert.equal(text(e.takeOutgoing()).split("GET /").length, 4, "bytes queued before the failure are still there to flush");
});

test("a peer that does not speak HTTP/1 fails at its first bytes with invalid_status_line", () => {
  const engine = createHTTP1Engine({ scheme: "http", authority: "example.com" });
  engine.request("GET", "/", [], null);
  // The server SETTINGS frame an h2c-only server sends: no line ending ever comes.
  assert.throws(
    () => engine.receive(new Uint8Array([0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100])),
    (e: unknown) => e instanceof HTTPError && e.reason === "invalid_status_line" && /HTTP\//.test(e.message),
  );
  const partial = createHTTP1Engine({ scheme: "http", authority: "example.com" });
  partial.request("GET", "/", [], null);
  assert.deepEqual(partial.receive(new TextEncoder().encode("HTT")), []);
  assert.throws(() => partial.receive(new TextEncoder().encode("X")), (e: unknown) => e instanceof HTTPError && e.reason === "invalid_status_line");
});
