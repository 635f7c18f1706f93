import { test } from "node:test";
import assert from "node:assert/strict";
import { EOF, STREAM } from "../../src/types.js";
import { HTTPError, TransportError } from "../../src/errors.js";
import { bytes, engine, feed, normalize, text } from "../support/http1-responses.js";

test("pipelining 20 requests: responses matched in order, fed whole and in odd pieces", () => {
  for (const pieces of [1, 7, 333]) {
    const e = engine();
    const refs: string[] = [];
    for (let i = 0; i < 20; i++) refs.push(e.request("GET", `/${i}`, [], null));
    assert.equal(e.openRequestCount(), 20);
    assert.equal(text(e.takeOutgoing()).split("GET /").length, 21);
    let all = "";
    for (let i = 0; i < 20; i++) {
      all += i % 2 === 0
        ? `HTTP/1.1 200 OK\r\ncontent-length: ${String(i).length}\r\n\r\n${i}`
        : `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${String(i).length}\r\n${i}\r\n0\r\n\r\n`;
    }
    const b = bytes(all);
    const chunks: Uint8Array[] = [];
    const step = Math.ceil(b.length / pieces);
    for (let i = 0; i < b.length; i += step) chunks.push(b.subarray(i, i + step));
    const parts = normalize(feed(e, chunks).parts);
    const bodies = parts.filter((p) => p.type === "data").map((p) => [p.ref, p.type === "data" ? p.data : ""]);
    assert.deepEqual(bodies, refs.map((r, i) => [r, String(i)]));
    assert.deepEqual(parts.filter((p) => p.type === "done").map((p) => p.ref), refs);
    assert.equal(e.openRequestCount(), 0);
    assert.equal(e.isOpen("write"), true);
  }
});

test("1xx responses precede the final response on the same ref", () => {
  const e = engine();
  const ref = e.request("GET", "/", [], null);
  const parts = normalize(e.receive(bytes(
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n" +
    "HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")));
  assert.deepEqual(parts, [
    { type: "status", ref, status: 100 }, { type: "headers", ref, headers: [] },
    { type: "status", ref, status: 103 }, { type: "headers", ref, headers: [["link", "</s.css>; rel=preload"]] },
    { type: "status", ref, status: 102 }, { type: "headers", ref, headers: [] },
    { type: "status", ref, status: 200 }, { type: "headers", ref, headers: [["content-length", "2"]] },
    { type: "data", ref, data: "ok" }, { type: "done", ref },
  ]);
  assert.equal(e.isOpen("read"), true);
});

test("100 Continue reaches a streaming request before its body ends (the request is queued at once)", () => {
  const e = engine();
  const ref = e.request("POST", "/", [["expect", "100-continue"]], STREAM);
  assert.equal(e.openRequestCount(), 1);
  assert.deepEqual(normalize(e.receive(bytes("HTTP/1.1 100 Continue\r\n\r\n"))), [
    { type: "status", ref, status: 100 }, { type: "headers", ref, headers: [] },
  ]);
  e.streamRequestBody(ref, "data");
  e.streamRequestBody(ref, EOF);
  const parts = normalize(e.receive(bytes("HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n")));
  assert.deepEqual(parts.map((p) => p.type), ["status", "headers", "done"]);
  assert.equal(e.openRequestCount(), 0);
});

test("an early final response to a streaming request: the body may still be finished", () => {
  const e = engine();
  const ref = e.request("POST", "/", [], STREAM);
  e.receive(bytes("HTTP/1.1 413 Payload Too Large\r\ncontent-length: 0\r\n\r\n"));
  assert.equal(e.openRequestCount(), 1, "counted until its body ends");
  assert.throws(() => e.request("GET", "/", [], null), (x: unknown) => x instanceof HTTPError && x.reason === "request_body_is_streaming");
  e.streamRequestBody(ref, "rest");
  e.streamRequestBody(ref, EOF);
  assert.equal(e.openRequestCount(), 0);
  e.request("GET", "/", [], null);
});

test("101 Switching Protocols: status, headers, the rest as one data part, done, engine closed", () => {
  const e = engine();
  const ref = e.request("GET", "/chat", [["upgrade", "websocket"], ["connection", "upgrade"]], null);
  const behind = e.request("GET", "/never", [], null);
  const parts = normalize(e.receive(bytes(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello\x81\x00")));
  assert.deepEqual(parts, [
    { type: "status", ref, status: 101 },
    { type: "headers", ref, headers: [["upgrade", "websocket"], ["connection", "Upgrade"]] },
    { type: "data", ref, data: "\x81\x05hello\x81\x00" },
    { type: "done", ref },
    { type: "error", ref: behind, reason: "closed" },
  ]);
  assert.equal(e.isOpen("read"), false);
  assert.equal(e.isOpen("write"), false);
  const only = engine();
  const r2 = only.request("GET", "/", [], null);
  assert.deepEqual(normalize(only.receive(bytes("HTTP/1.1 101 Switching Protocols\r\n\r\n"))).map((p) => p.type),
    ["status", "headers", "done"]);
  assert.equal(only.openRequestCount(), 0, r2);
});

test("2xx to CONNECT has no body: the tunnel bytes are handed over and the engine closes", () => {
  const e = engine();
  const ref = e.request("CONNECT", "example.com:443", [], null);
  const parts = normalize(e.receive(bytes("HTTP/1.1 200 Connection established\r\ncontent-length: 99\r\n\r\n\x16\x03")));
  assert.deepEqual(parts.slice(2), [{ type: "data", ref, data: "\x16\x03" }, { type: "done", ref }]);
  assert.equal(e.isOpen("read"), false);
  const f = engine();
  const r = f.request("CONNECT", "example.com:443", [], null);
  const denied = normalize(f.receive(bytes("HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 4\r\n\r\nauth")));
  assert.deepEqual(denied.slice(2), [{ type: "data", ref: r, data: "auth" }, { type: "done", ref: r }]);
  assert.equal(f.isOpen("read"), true);
});

test("connection: close ends the connection; queued requests get closed errors", () => {
  const e = engine();
  const a = e.request("GET", "/", [], null);
  const b = e.request("GET", "/", [], null);
  const c = e.request("GET", "/", [], null);
  const parts = normalize(e.receive(bytes("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\ncontent-length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n")));
  assert.deepEqual(parts.slice(2), [
    { type: "data", ref: a, data: "x" }, { type: "done", ref: a },
    { type: "error", ref: b, reason: "closed" }, { type: "error", ref: c, reason: "closed" },
  ]);
  assert.equal(e.isOpen("read"), false);
  assert.equal(e.openRequestCount(), 0);
  assert.deepEqual(e.receiveEof(), []);
  assert.throws(() => e.request("GET", "/", [], null), (x: unknown) => x instanceof HTTPError && x.reason === "closed");
});

test("HTTP/1.0: closes unless keep-alive; HTTP/1.1 stays open", () => {
  const close10 = engine();
  close10.request("GET", "/", [], null);
  close10.receive(bytes("HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n"));
  assert.equal(close10.isOpen("read"), false);

  const keep10 = engine();
  keep10.request("GET", "/", [], null);
  keep10.receive(bytes("HTTP/1.0 200 OK\r\nconnection: Keep-Alive\r\ncontent-length: 0\r\n\r\n"));
  assert.equal(keep10.isOpen("read"), true);

  const v11 = engine();
  v11.request("GET", "/", [], null);
  v11.receive(bytes("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"));
  assert.equal(v11.isOpen("read"), true);
  assert.equal(v11.isOpen("write"), true);
});

test("bytes with no request in flight are unexpected_data", () => {
  const e = engine();
  assert.throws(() => e.receive(bytes("HTTP/1.1 200 OK\r\n\r\n")), (x: unknown) => {
    assert.ok(x instanceof HTTPError);
    assert.equal(x.reason, "unexpected_data");
    assert.equal(text(x.details!["data"] as Uint8Array), "HTTP/1.1 200 OK\r\n\r\n");
    assert.deepEqual(x.parts, []);
    return true;
  });
  assert.equal(e.isOpen("read"), false);

  const f = engine();
  const ref = f.request("GET", "/", [], null);
  try {
    f.receive(bytes("HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nxEXTRA" + "z".repeat(100)));
    assert.fail("should throw");
  } catch (x) {
    assert.ok(x instanceof HTTPError);
    assert.equal(x.reason, "unexpected_data");
    assert.equal((x.details!["data"] as Uint8Array).length, 64, "a short preview");
    assert.deepEqual(normalize(x.parts!).slice(-2), [{ type: "data", ref, data: "x" }, { type: "done", ref }]);
  }
});

test("receiveEof: nothing in flight → [], mid-response → TransportError closed with error parts", () => {
  const idle = engine();
  assert.deepEqual(idle.receiveEof(), []);
  assert.equal(idle.isOpen("read"), false);

  const e = engine();
  const a = e.request("GET", "/", [], null);
  const b = e.request("GET", "/", [], null);
  e.receive(bytes("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc"));
  assert.throws(() => e.receiveEof(), (x: unknown) => {
    assert.ok(x instanceof TransportError);
    assert.equal(x.reason, "closed");
    assert.deepEqual(normalize(x.parts!), [{ type: "error", ref: a, reason: "closed" }, { type: "error", ref: b, reason: "closed" }]);
    return true;
  });
  assert.equal(e.isOpen("read"), false);
  assert.equal(e.openRequestCount(), 0);

  const waiting = engine();
  waiting.request("GET", "/", [], null);
  assert.throws(() => waiting.receiveEof(), (x: unknown) => x instanceof TransportError && x.reason === "closed");
});

test("an until-close response fails the requests queued behind it at its head; EOF ends it", () => {
  const e = engine();
  const a = e.request("GET", "/", [], null);
  const b = e.request("GET", "/", [], null);
  assert.deepEqual(normalize(e.receive(bytes("HTTP/1.1 200 OK\r\n\r\nbody"))).slice(2), [
    { type: "error", ref: b, reason: "closed" }, { type: "data", ref: a, data: "body" },
  ]);
  assert.deepEqual(normalize(e.receiveEof()), [{ type: "done", ref: a }]);
  assert.equal(e.isOpen("read"), false);
});

test("fail(): an error part per request in flight; non-Mint errors become TransportError", () => {
  const e = engine();
  const a = e.request("GET", "/", [], null);
  const b = e.request("POST", "/", [], STREAM);
  const err = new TransportError("timeout", "timed out");
  assert.deepEqual(e.fail(err), [{ type: "error", ref: a, error: err }, { type: "error", ref: b, error: err }]);
  assert.equal(e.isOpen("write"), false);
  assert.throws(() => e.streamRequestBody(b, "x"), (x: unknown) => x instanceof HTTPError && x.reason === "closed");

  const f = engine();
  const r = f.request("GET", "/", [], null);
  const sysErr = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
  const parts = f.fail(sysErr);
  assert.equal(parts.length, 1);
  const p = parts[0]!;
  assert.ok(p.type === "error" && p.ref === r && p.error instanceof TransportError && p.error.reason === "econnreset");
});

test("openRequestCount and isOpen through a normal exchange; receive of empty data is a no-op", () => {
  const e = engine();
  assert.equal(e.openRequestCount(), 0);
  e.request("GET", "/", [], null);
  e.request("GET", "/", [], null);
  assert.equal(e.openRequestCount(), 2);
  assert.deepEqual(e.receive(new Uint8Array(0)), []);
  e.receive(bytes("HTTP/1.1 204 No Content\r\n\r\n"));
  assert.equal(e.openRequestCount(), 1);
  assert.throws(() => e.receive("x" as unknown as Uint8Array), TypeError);
});

test("closed errors come with a message a person can act on", () => {
  const e = engine();
  e.request("GET", "/", [], null);
  const parts = e.receive(bytes("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"));
  assert.equal(parts.length, 3);
  assert.throws(() => e.request("GET", "/", [], null), (x: unknown) => x instanceof HTTPError && /open a new connection/.test(x.message));
});
