import { test } from "node:test";
import assert from "node:assert/strict";
import { HTTPError } from "../../src/errors.js";
import { EOF, STREAM, type ResponsePart } from "../../src/types.js";
import { FakeServer } from "../support/h2-fake-server.js";

test("request headers: pseudo-headers first, lowercase names, user-agent added", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/a?b=c", [["Accept", "text/html"], ["X-Custom", "1"]], null);
  const frames = s.written();
  assert.equal(frames.length, 1);
  const h = frames[0]!;
  assert.equal(h.type, "headers");
  assert.equal(h.streamId, 1);
  assert.equal((h as { endStream: boolean }).endStream, true);
  assert.deepEqual(h.headers, [
    [":method", "GET"], [":scheme", "https"], [":authority", "example.com"], [":path", "/a?b=c"],
    ["accept", "text/html"], ["x-custom", "1"], ["user-agent", "mint-http/0.1.0"],
  ]);
});

test("stream ids are odd and go up by 2", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  s.engine.request("GET", "/", [], null);
  s.engine.request("GET", "/", [], null);
  assert.deepEqual(s.written().map((f) => f.streamId), [1, 3, 5]);
  assert.equal(s.engine.openRequestCount(), 3);
});

test("a host header becomes :authority and is dropped", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [["Host", "other.example:8443"], ["user-agent", "me"]], null);
  assert.deepEqual(s.written()[0]!.headers, [
    [":method", "GET"], [":scheme", "https"], [":authority", "other.example:8443"], [":path", "/"], ["user-agent", "me"],
  ]);
});

test("a body is sent with content-length, HEADERS and DATA together", () => {
  const s = FakeServer.ready();
  s.engine.request("POST", "/p", [], "hello");
  const [h, d] = s.written();
  assert.deepEqual(h!.headers!.slice(-1), [["content-length", "5"]]);
  assert.equal((h as { endStream: boolean }).endStream, false);
  assert.equal(d!.type, "data");
  assert.deepEqual(d, { type: "data", streamId: 1, endStream: true, data: new TextEncoder().encode("hello"), padLength: 0, flowLength: 5 });
  assert.equal(s.engine.getWindowSize("connection"), 65535 - 5);
});

test("DATA is split by the server's max frame size", () => {
  const s = FakeServer.ready();
  const body = new Uint8Array(40000).fill(7);
  s.send(s.frames().windowUpdate(0, 100000).settings({ initialWindowSize: 100000 }));
  s.written();
  s.engine.request("POST", "/", [], body);
  const frames = s.writtenExcept("settings");
  assert.deepEqual(frames.map((f) => [f.type, f.type === "data" ? f.data.length : 0, f.type === "data" ? f.endStream : null]), [
    ["headers", 0, null], ["data", 16384, false], ["data", 16384, false], ["data", 7232, true],
  ]);
});

test("header blocks larger than the server's max frame size use CONTINUATION", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [["x-big", "v".repeat(40000)]], null);
  const frames = s.written();
  assert.deepEqual(frames.map((f) => f.type), ["headers", "continuation", "continuation"]);
  assert.equal((frames[0] as { endHeaders: boolean }).endHeaders, false);
  assert.equal((frames[2] as { endHeaders: boolean }).endHeaders, true);
  assert.equal(frames[0]!.headers!.find(([n]) => n === "x-big")![1].length, 40000);
});

test("connection-specific and invalid headers are refused before anything is queued", () => {
  const s = FakeServer.ready();
  for (const name of ["connection", "Keep-Alive", "proxy-connection", "transfer-encoding", "upgrade"]) {
    assert.throws(() => s.engine.request("GET", "/", [[name, "x"]], null), (e: HTTPError) => e.reason === "invalid_header");
  }
  assert.throws(() => s.engine.request("GET", "/", [["te", "gzip"]], null), (e: HTTPError) => e.reason === "invalid_header");
  assert.throws(() => s.engine.request("GET", "/", [["bad name", "x"]], null), (e: HTTPError) => e.reason === "invalid_header_name");
  assert.throws(() => s.engine.request("GET", "/", [["x", "a\r\nb"]], null), (e: HTTPError) => e.reason === "invalid_header_value");
  assert.throws(() => s.engine.request("GE T", "/", [], null), (e: HTTPError) => e.reason === "invalid_request_method");
  assert.throws(() => s.engine.request("GET", "", [], null), (e: HTTPError) => e.reason === "invalid_request_target");
  assert.throws(() => s.engine.request("GET", "/", [[":bogus", "x"]], null), (e: HTTPError) => e.reason === "invalid_header_name");
  assert.deepEqual(s.written(), []);
  s.engine.request("GET", "/", [["te", "trailers"]], null);
  assert.equal(s.written()[0]!.streamId, 1, "refused requests used no stream id");
});

test("maxConcurrentStreams of the server is enforced", () => {
  const s = FakeServer.ready({}, { maxConcurrentStreams: 1 });
  s.engine.request("GET", "/", [], null);
  s.written();
  assert.throws(() => s.engine.request("GET", "/", [], null), (e: HTTPError) => e.reason === "too_many_concurrent_requests");
  assert.deepEqual(s.written(), []);
  s.send(s.frames().response(1, 204));
  s.engine.request("GET", "/", [], null);
  assert.equal(s.written()[0]!.streamId, 3);
});

test("request headers above the server's max_header_list_size are refused", () => {
  const s = FakeServer.ready({}, { maxHeaderListSize: 200 });
  assert.throws(() => s.engine.request("GET", "/", [["x", "y".repeat(200)]], null), (e: HTTPError) => {
    assert.equal(e.reason, "max_header_list_size_exceeded");
    assert.equal((e.details as { max: number }).max, 200);
    return true;
  });
  assert.deepEqual(s.written(), []);
});

test("response: status, headers with pseudo-headers removed, data, done", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  const parts = s.send(s.frames()
    .headers(1, [[":status", "200"], ["content-type", "text/plain"], ["content-length", "5"]])
    .data(1, "hel").data(1, "lo", { endStream: true }));
  assert.deepEqual(parts.map((p) => p.type), ["status", "headers", "data", "data", "done"]);
  assert.deepEqual(parts[0], { type: "status", ref, status: 200 });
  assert.deepEqual(parts[1], { type: "headers", ref, headers: [["content-type", "text/plain"], ["content-length", "5"]] });
  assert.equal(new TextDecoder().decode((parts[2] as { data: Uint8Array }).data), "hel");
  assert.equal(s.engine.openRequestCount(), 0);
});

test("cookie crumbs are joined with '; '", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  const parts = s.send(s.frames().headers(1, [[":status", "200"], ["cookie", "a=1"], ["x", "y"], ["cookie", "b=2"]], { endStream: true }));
  assert.deepEqual(parts[1], { type: "headers", ref, headers: [["cookie", "a=1; b=2"], ["x", "y"]] });
});

test("1xx responses come before the final response", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  const parts = s.send(s.frames()
    .headers(1, [[":status", "100"]])
    .headers(1, [[":status", "103"], ["link", "</a>"]])
    .headers(1, [[":status", "200"]], { endStream: true }));
  assert.deepEqual(parts, [
    { type: "status", ref, status: 100 }, { type: "headers", ref, headers: [] },
    { type: "status", ref, status: 103 }, { type: "headers", ref, headers: [["link", "</a>"]] },
    { type: "status", ref, status: 200 }, { type: "headers", ref, headers: [] },
    { type: "done", ref },
  ]);
});

function expectStreamError(parts: ResponsePart[], reason: string): void {
  const err = parts.find((p) => p.type === "error");
  assert.ok(err && err.type === "error", "an error part");
  assert.equal(err.error.reason, reason);
}

test("1xx with END_STREAM is a stream PROTOCOL_ERROR", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  s.written();
  expectStreamError(s.send(s.frames().headers(1, [[":status", "100"]], { endStream: true })), "protocol_error");
  assert.deepEqual(s.written(), [{ type: "rst_stream", streamId: 1, errorCode: 1 }]);
  assert.equal(s.engine.isOpen("write"), true);
});

test("missing :status is missing_status_header with RST_STREAM PROTOCOL_ERROR", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  s.written();
  expectStreamError(s.send(s.frames().headers(1, [["x", "y"]], { endStream: true })), "missing_status_header");
  assert.deepEqual(s.written(), [{ type: "rst_stream", streamId: 1, errorCode: 1 }]);
});

test("uppercase response header names are a stream PROTOCOL_ERROR (invalid_header_name)", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  s.written();
  expectStreamError(s.send(s.frames().headers(1, [[":status", "200"], ["X-Up", "1"]])), "invalid_header_name");
  assert.deepEqual(s.written(), [{ type: "rst_stream", streamId: 1, errorCode: 1 }]);
});

test("trailers after data, then done; trailers must end the stream", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  const parts = s.send(s.frames().headers(1, [[":status", "200"]]).data(1, "x")
    .headers(1, [["grpc-status", "0"], ["expires", "never"]], { endStream: true }));
  assert.deepEqual(parts.slice(3), [{ type: "headers", ref, headers: [["grpc-status", "0"]] }, { type: "done", ref }]);

  s.engine.request("GET", "/", [], null);
  s.written();
  expectStreamError(s.send(s.frames().headers(3, [[":status", "200"]]).headers(3, [["x", "1"]])), "protocol_error");
});

test("content-length that disagrees with DATA is a stream PROTOCOL_ERROR", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  expectStreamError(s.send(s.frames().headers(1, [[":status", "200"], ["content-length", "10"]]).data(1, "abc", { endStream: true })), "protocol_error");
  s.engine.request("GET", "/", [], null);
  expectStreamError(s.send(s.frames().headers(3, [[":status", "200"], ["content-length", "1"]]).data(3, "abc")), "protocol_error");
  // HEAD responses and 304 carry a content-length without a body.
  const head = s.engine.request("HEAD", "/", [], null);
  const parts = s.send(s.frames().headers(5, [[":status", "200"], ["content-length", "10"]], { endStream: true }));
  assert.deepEqual(parts.at(-1), { type: "done", ref: head });
});

test("DATA before HEADERS is a stream PROTOCOL_ERROR", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  expectStreamError(s.send(s.frames().data(1, "x")), "protocol_error");
});

test("streamed body: chunks, EOF, trailers", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("POST", "/", [], STREAM);
  const [h] = s.written();
  assert.equal((h as { endStream: boolean }).endStream, false);
  assert.equal(h!.headers!.some(([n]) => n === "content-length"), false);
  s.engine.streamRequestBody(ref, "abc");
  s.engine.streamRequestBody(ref, new Uint8Array([1, 2]));
  s.engine.streamRequestBody(ref, { eof: true, trailers: [["X-Trailer", "v"]] });
  const frames = s.written();
  assert.deepEqual(frames.map((f) => f.type), ["data", "data", "headers"]);
  assert.equal((frames[2] as { endStream: boolean }).endStream, true);
  assert.deepEqual(frames[2]!.headers, [["x-trailer", "v"]]);
  assert.throws(() => s.engine.streamRequestBody(ref, "more"), (e: HTTPError) => e.reason === "request_is_not_streaming");
  assert.equal(s.engine.requestBodyWindow(ref), 65535 - 5);
});

test("streamRequestBody errors", () => {
  const s = FakeServer.ready();
  assert.throws(() => s.engine.streamRequestBody("nope", "x"), (e: HTTPError) => e.reason === "unknown_request_to_stream");
  const plain = s.engine.request("GET", "/", [], null);
  assert.throws(() => s.engine.streamRequestBody(plain, "x"), (e: HTTPError) => e.reason === "request_is_not_streaming");
  const ref = s.engine.request("POST", "/", [], STREAM);
  assert.throws(() => s.engine.streamRequestBody(ref, { eof: true, trailers: [["content-length", "1"]] }),
    (e: HTTPError) => e.reason === "unallowed_trailing_header" && (e.details as { name: string }).name === "content-length");
  s.engine.streamRequestBody(ref, EOF);
  const frames = s.written();
  assert.deepEqual(frames.at(-1), { type: "data", streamId: 3, endStream: true, data: new Uint8Array(0), padLength: 0, flowLength: 0 });
});

test("the response may end before the streamed body: done, then the body can still end", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("POST", "/", [], STREAM);
  const parts = s.send(s.frames().response(1, 200));
  assert.deepEqual(parts.at(-1), { type: "done", ref });
  s.engine.streamRequestBody(ref, EOF);
  assert.equal(s.engine.openRequestCount(), 0);
});

test("CONNECT sends only :method and :authority", () => {
  const s = FakeServer.ready();
  s.engine.request("CONNECT", "proxy.example:443", [], STREAM);
  assert.deepEqual(s.written()[0]!.headers, [[":method", "CONNECT"], [":authority", "proxy.example:443"], ["user-agent", "mint-http/0.1.0"]]);
});

test("extended CONNECT keeps :protocol, :scheme and :path", () => {
  const s = FakeServer.ready({}, { enableConnectProtocol: true });
  s.engine.request("CONNECT", "/chat", [[":protocol", "websocket"], ["sec-websocket-version", "13"]], STREAM);
  assert.deepEqual(s.written()[0]!.headers, [
    [":method", "CONNECT"], [":scheme", "https"], [":authority", "example.com"], [":path", "/chat"], [":protocol", "websocket"],
    ["sec-websocket-version", "13"], ["user-agent", "mint-http/0.1.0"],
  ]);
});

test("cancelRequest sends RST_STREAM CANCEL and drops later frames while keeping HPACK in sync", () => {
  const s = FakeServer.ready();
  const a = s.engine.request("GET", "/a", [], null);
  const b = s.engine.request("GET", "/b", [], null);
  s.written();
  s.engine.cancelRequest(a);
  s.engine.cancelRequest("unknown");
  assert.deepEqual(s.written(), [{ type: "rst_stream", streamId: 1, errorCode: 8 }]);
  assert.equal(s.engine.openRequestCount(), 1);
  const parts = s.send(s.frames()
    .headers(1, [[":status", "200"], ["x-shared", "value"]]).data(1, "ignored", { endStream: true })
    .headers(3, [[":status", "200"], ["x-shared", "value"]], { endStream: true }));
  assert.deepEqual(parts, [
    { type: "status", ref: b, status: 200 }, { type: "headers", ref: b, headers: [["x-shared", "value"]] }, { type: "done", ref: b },
  ]);
});

test("RST_STREAM from the server: NO_ERROR after a final status is done, other codes are server_closed_request", () => {
  const s = FakeServer.ready();
  const a = s.engine.request("GET", "/", [], null);
  const b = s.engine.request("GET", "/", [], null);
  const c = s.engine.request("GET", "/", [], null);
  s.send(s.frames().headers(1, [[":status", "200"]]));
  const parts = s.send(s.frames().rst(1, 0).rst(3, 2).rst(5, 0x99));
  assert.deepEqual(parts[0], { type: "done", ref: a });
  assert.equal(parts[1]!.type === "error" && parts[1].ref === b && parts[1].error.reason, "server_closed_request");
  assert.deepEqual(parts[1]!.type === "error" && parts[1].error.details, { errorCode: "internal_error" });
  assert.deepEqual(parts[2]!.type === "error" && parts[2].ref === c && parts[2].error.details, { errorCode: "custom_error", code: 0x99 });
  assert.equal(s.engine.openRequestCount(), 0);
});

test("frames on closed streams are ignored", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/", [], null);
  s.send(s.frames().response(1, 200));
  assert.deepEqual(s.send(s.frames().data(1, "late").rst(1, 1).windowUpdate(1, 10)), []);
});
