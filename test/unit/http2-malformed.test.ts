// Malformed HTTP/2 responses (RFC 9113 §8.1.1, §8.2, §8.3.2; RFC 9110 §6.4.1, §15): each one is
// a stream error PROTOCOL_ERROR for its request only (an `error` part with a reason naming the
// class, RST_STREAM sent), while another request on the connection completes.

import { test } from "node:test";
import assert from "node:assert/strict";
import { HTTPError } from "../../src/errors.js";
import type { FrameBuilder } from "../support/h2-frames.js";
import { FakeServer } from "../support/h2-fake-server.js";
import { STREAM, type Headers, type ResponsePart } from "../../src/types.js";

const endOf = (parts: ResponsePart[], ref: string): ResponsePart | undefined =>
  parts.find((p) => p.ref === ref && (p.type === "done" || p.type === "error"));

/**
 * GET a and GET b; the server answers a with `bad(frames)` and b with a good response.
 * Checks a fails with `reason` and RST_STREAM(1, PROTOCOL_ERROR), b is done, nothing else leaks.
 */
function expectMalformed(reason: string, bad: (f: FrameBuilder) => FrameBuilder, method = "GET", dataBefore = false): HTTPError {
  const s = FakeServer.ready();
  const a = s.engine.request(method, "/a", [], null);
  const b = s.engine.request("GET", "/b", [], null);
  s.written();
  const parts = s.send(bad(s.frames()).response(3, 200, [["x-ok", "yes"]], "fine"));
  const end = endOf(parts, a);
  assert.ok(end?.type === "error", `request a fails (${reason}); got ${JSON.stringify(parts.map((p) => p.type))}`);
  assert.ok(end.error instanceof HTTPError);
  assert.equal(end.error.reason, reason, end.error.message);
  assert.equal(end.error.details?.["errorCode"] ?? "protocol_error", "protocol_error");
  assert.equal(parts.filter((p) => p.ref === a && (p.type === "done" || p.type === "error")).length, 1, "a ends once");
  if (!dataBefore) assert.equal(parts.some((p) => p.ref === a && p.type === "data"), false, "no content of a reaches the caller");
  assert.equal(endOf(parts, b)?.type, "done", "b completes");
  const rsts = s.written().filter((f) => f.type === "rst_stream");
  assert.deepEqual(rsts, [{ type: "rst_stream", streamId: 1, errorCode: 1 }]);
  assert.equal(s.engine.isOpen("write"), true);
  return end.error;
}

const head = (headers: Headers, endStream = false) => (f: FrameBuilder) => f.headers(1, headers, { endStream });

test("response field names must be lowercase tokens (RFC 9113 §8.2.1)", () => {
  for (const name of ["X-Upper", "sp ace", "colon:inside", "a(b", "quote\"", "nul\0", "tab\t", "é", ""]) {
    const err = expectMalformed("invalid_header_name", head([[":status", "200"], [name, "v"]], true));
    assert.equal(err.details?.["name"], name);
  }
});

test("response field values: no NUL, CR, LF or other controls, no edge whitespace (RFC 9113 §8.2.1)", () => {
  for (const value of ["a\0b", "a\rb", "a\nb", "a\r\nset-cookie: x=1", " lead", "trail ", "\tlead", "trail\t", "bell\x07", "del\x7f"]) {
    const err = expectMalformed("invalid_header_value", head([[":status", "200"], ["x-v", value]], true));
    assert.equal(err.details?.["value"], value);
  }
  // Inner spaces and tabs, obs-text and the empty value are fine.
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  const parts = s.send(s.frames().headers(1, [[":status", "200"], ["x-a", "a b\tc"], ["x-b", "caf\xe9"], ["x-c", ""]], { endStream: true }));
  assert.deepEqual(parts.find((p) => p.type === "headers"), { type: "headers", ref, headers: [["x-a", "a b\tc"], ["x-b", "caf\xe9"], ["x-c", ""]] });
  assert.equal(endOf(parts, ref)?.type, "done");
});

test("connection-specific response fields and te other than trailers are malformed (RFC 9113 §8.2.2)", () => {
  for (const [name, value] of [["connection", "close"], ["keep-alive", "timeout=5"], ["proxy-connection", "keep-alive"], ["transfer-encoding", "chunked"], ["upgrade", "h2c"], ["te", "gzip"]] as const) {
    const err = expectMalformed("invalid_header", head([[":status", "200"], [name, value]], true));
    assert.equal(err.details?.["name"], name);
  }
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  assert.equal(endOf(s.send(s.frames().headers(1, [[":status", "200"], ["te", "Trailers"]], { endStream: true })), ref)?.type, "done");
});

test("trailers get the same field checks, and no pseudo-headers", () => {
  const body = (trailers: Headers) => (f: FrameBuilder) => f.headers(1, [[":status", "200"]]).data(1, "x").headers(1, trailers, { endStream: true });
  expectMalformed("invalid_header_name", body([["Grpc-Status", "0"]]), "GET", true);
  expectMalformed("invalid_header_value", body([["grpc-message", "a\r\nb"]]), "GET", true);
  expectMalformed("invalid_header_value", body([["grpc-message", "ok "]]), "GET", true);
  expectMalformed("invalid_header", body([["connection", "close"]]), "GET", true);
  expectMalformed("invalid_pseudo_header", body([[":status", "200"]]), "GET", true);
});

test(":status must be three digits 100-599, once, and the only pseudo-header (RFC 9110 §15, RFC 9113 §8.3.2)", () => {
  for (const status of ["000", "099", "600", "999", "20", "2000", "abc", "+20", " 200", "2 0", "1e2", ""]) {
    expectMalformed("invalid_status_header", head([[":status", status]], true));
  }
  expectMalformed("invalid_status_header", head([[":status", "200"], [":status", "200"]], true));
  expectMalformed("invalid_pseudo_header", head([[":status", "200"], ["x-a", "1"], [":status", "204"]], true));
  expectMalformed("invalid_pseudo_header", head([["x-a", "1"], [":status", "200"]], true));
  for (const pseudo of [":path", ":method", ":authority", ":scheme", ":protocol", ":foo"]) {
    expectMalformed("invalid_pseudo_header", head([[":status", "200"], [pseudo, "/"]], true));
  }
  expectMalformed("missing_status_header", head([["x-a", "1"]], true));
  // An informational status in range is still fine: 103 then 200.
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  const parts = s.send(s.frames().headers(1, [[":status", "103"], ["link", "</a>"]]).response(1, 599));
  assert.deepEqual(parts.filter((p) => p.type === "status").map((p) => p.type === "status" && p.status), [103, 599]);
  assert.equal(endOf(parts, ref)?.type, "done");
});

test("DATA on a response to HEAD, or with status 204 or 304, is malformed (RFC 9110 §6.4.1)", () => {
  expectMalformed("content_not_allowed", (f) => f.headers(1, [[":status", "200"], ["content-length", "4"]]).data(1, "body", { endStream: true }), "HEAD");
  expectMalformed("content_not_allowed", (f) => f.headers(1, [[":status", "204"]]).data(1, "x"));
  expectMalformed("content_not_allowed", (f) => f.headers(1, [[":status", "304"], ["content-length", "3"]]).data(1, "abc", { endStream: true }));
  // Empty DATA (padding included) with END_STREAM is fine.
  for (const [method, status] of [["HEAD", 200], ["GET", 204], ["GET", 304]] as const) {
    const s = FakeServer.ready();
    const ref = s.engine.request(method, "/", [], null);
    const parts = s.send(s.frames().headers(1, [[":status", String(status)], ["content-length", "10"]]).data(1, "", { endStream: true, padLength: 4 }));
    assert.equal(endOf(parts, ref)?.type, "done", `${method} ${status}`);
  }
});

test("RST_STREAM(NO_ERROR) before the response is complete is an error, not done (RFC 9113 §8.1)", () => {
  const s = FakeServer.ready();
  const noStatus = s.engine.request("GET", "/", [], null);
  const informational = s.engine.request("GET", "/", [], null);
  const short = s.engine.request("GET", "/", [], null);
  const full = s.engine.request("GET", "/", [], null);
  const noLength = s.engine.request("GET", "/", [], null);
  const parts = s.send(s.frames()
    .rst(1, 0)
    .headers(3, [[":status", "100"]]).rst(3, 0)
    .headers(5, [[":status", "200"], ["content-length", "10"]]).data(5, "12345").rst(5, 0)
    .headers(7, [[":status", "200"], ["content-length", "5"]]).data(7, "12345").rst(7, 0)
    .headers(9, [[":status", "200"]]).data(9, "abc").rst(9, 0));
  for (const ref of [noStatus, informational, short]) {
    const end = endOf(parts, ref);
    assert.ok(end?.type === "error" && end.error.reason === "server_closed_request", JSON.stringify(end));
    assert.equal(end.error.details?.["errorCode"], "no_error");
    assert.equal(end.error.details?.["incomplete"], true);
  }
  assert.equal(endOf(parts, full)?.type, "done");
  assert.equal(endOf(parts, noLength)?.type, "done");
  assert.equal(s.engine.openRequestCount(), 0);
});

test("a complete response followed by RST_STREAM(NO_ERROR) while the body streams stays a success, once", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("POST", "/", [], STREAM);
  const parts = s.send(s.frames().response(1, 200, [], "ok").rst(1, 0));
  assert.deepEqual(parts.filter((p) => p.type === "done" || p.type === "error"), [{ type: "done", ref }]);
});

test("content-length is checked at END_STREAM, and after trailers", () => {
  expectMalformed("protocol_error", (f) => f.headers(1, [[":status", "200"], ["content-length", "3"]]).data(1, "ab", { endStream: true }), "GET", true);
  expectMalformed("protocol_error", (f) => f.headers(1, [[":status", "200"], ["content-length", "3"]]).data(1, "ab").headers(1, [["x-t", "1"]], { endStream: true }), "GET", true);
  expectMalformed("protocol_error", (f) => f.headers(1, [[":status", "200"], ["content-length", "1"]]).data(1, "ab"));
});
