// A request head that repeats is encoded once and copied after (request.ts HeadCache): the
// bytes must be those a fresh engine would write, and every check must still apply.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EOF, STREAM } from "../../src/types.js";
import { HTTPError } from "../../src/errors.js";
import type { Headers } from "../../src/types.js";
import { engine, text } from "../support/http1-responses.js";

/** What a fresh engine writes for this request. */
function fresh(method: string, target: string, headers: Headers, body: string | Uint8Array | null | typeof STREAM): string {
  const e = engine();
  e.request(method, target, headers, body);
  return text(e.takeOutgoing());
}

test("a repeated request writes the same bytes as a fresh engine, in a new array each time", () => {
  const e = engine();
  const headers: Headers = [["Accept", "*/*"], ["x-id", "7"]];
  e.request("GET", "/a", headers, null);
  const first = e.takeOutgoing();
  e.request("GET", "/a", [["Accept", "*/*"], ["x-id", "7"]], null);
  const second = e.takeOutgoing();
  assert.equal(text(first), fresh("GET", "/a", headers, null));
  assert.equal(text(second), text(first));
  assert.notEqual(second[0], first[0]);
  first[0]!.fill(0);
  e.request("GET", "/a", headers, null);
  assert.equal(text(e.takeOutgoing()), fresh("GET", "/a", headers, null));
});

test("any difference in method, target, a header string or the body length takes the full path", () => {
  const e = engine();
  const cases: Array<[string, string, Headers, string | null]> = [
    ["GET", "/a", [["x", "1"]], null],
    ["GET", "/a", [["x", "2"]], null],
    ["GET", "/a", [["X", "2"]], null],
    ["GET", "/b", [["X", "2"]], null],
    ["HEAD", "/b", [["X", "2"]], null],
    ["POST", "/b", [["X", "2"]], "abc"],
    ["POST", "/b", [["X", "2"]], "abcd"],
    ["POST", "/b", [["X", "2"]], "wxyz"],
    ["POST", "/b", [["X", "2"], ["y", ""]], "wxyz"],
    ["POST", "/b", [["X", "2"]], ""],
    ["POST", "/b", [["X", "2"]], null],
  ];
  for (const [method, target, headers, body] of cases) {
    e.request(method, target, headers, body);
    assert.equal(text(e.takeOutgoing()), fresh(method, target, headers, body), `${method} ${target} ${JSON.stringify(headers)}`);
    e.receive(new TextEncoder().encode("HTTP/1.1 204 No Content\r\n\r\n"));
  }
});

test("after a repeat, a bad header, method or target is still refused and nothing is queued", () => {
  const e = engine();
  e.request("GET", "/a", [["x", "1"]], null);
  e.takeOutgoing();
  const refused = (reason: string) => (err: unknown) => err instanceof HTTPError && err.reason === reason;
  assert.throws(() => e.request("GET", "/a", [["x", "1\r\nevil: 1"]], null), refused("invalid_header_value"));
  assert.throws(() => e.request("GET", "/a", [["x y", "1"]], null), refused("invalid_header_name"));
  assert.throws(() => e.request("G T", "/a", [["x", "1"]], null), refused("invalid_request_method"));
  assert.throws(() => e.request("GET", "/a b", [["x", "1"]], null), refused("invalid_request_target"));
  assert.throws(() => e.request("GET", "/a", [["content-length", "5"], ["x", "1"]], null), refused("content_length_mismatch"));
  assert.throws(() => e.request("GET", "/a", [["x", "1", "2"]] as unknown as Headers, null), TypeError);
  assert.throws(() => e.request("GET", "/a", "x" as unknown as Headers, null), TypeError);
  assert.throws(() => e.request("GET", "/a", [["x", "1"]], 5 as unknown as null), TypeError);
  assert.deepEqual(e.takeOutgoing(), []);
});

test("a repeated streamed request streams again with the same framing", () => {
  const e = engine();
  for (let i = 0; i < 2; i++) {
    const ref = e.request("POST", "/up", [], STREAM);
    e.streamRequestBody(ref, "hi");
    e.streamRequestBody(ref, EOF);
    const s = text(e.takeOutgoing());
    assert.ok(s.includes("transfer-encoding: chunked\r\n"), s);
    assert.ok(s.endsWith("\r\n\r\n2\r\nhi\r\n0\r\n\r\n"), s);
    e.receive(new TextEncoder().encode("HTTP/1.1 204 No Content\r\n\r\n"));
  }
});

test("connection: close after repeats still closes the connection for writing", () => {
  const e = engine();
  for (let i = 0; i < 2; i++) {
    e.request("GET", "/", [], null);
    e.receive(new TextEncoder().encode("HTTP/1.1 204 No Content\r\n\r\n"));
  }
  e.request("GET", "/", [["connection", "close"]], null);
  assert.equal(e.isOpen("write"), false);
});
