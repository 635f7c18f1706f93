// A request equal to the last one reuses its checked header list (request-headers.ts
// BuiltCache) and, when HPACK gives indexed fields only, its header block: what the server
// decodes must be what the caller asked for, and every check must still apply.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HTTPError } from "../../src/errors.js";
import { STREAM, type Headers } from "../../src/types.js";
import { FakeServer } from "../support/h2-fake-server.js";

test("repeated and varied requests decode to the header lists asked for", () => {
  const s = FakeServer.ready();
  const cases: Array<[string, string, Headers, string | null]> = [
    ["GET", "/a", [["x", "1"]], null],
    ["GET", "/a", [["x", "1"]], null],
    ["GET", "/a", [["x", "1"]], null],
    ["GET", "/a", [["x", "2"]], null],
    ["GET", "/a", [["X", "2"]], null],
    ["GET", "/b", [["X", "2"]], null],
    ["POST", "/b", [["X", "2"]], "abc"],
    ["POST", "/b", [["X", "2"]], "abcd"],
    ["POST", "/b", [["X", "2"]], "wxyz"],
    ["GET", "/a", [["x", "1"]], null],
  ];
  for (const [method, path, headers, body] of cases) {
    s.engine.request(method, path, headers, body);
    const h = s.written().find((f) => f.type === "headers")!.headers!;
    const expected: Headers = [[":method", method], [":scheme", "https"], [":authority", h[2]![1]], [":path", path],
      ...headers.map(([n, v]): [string, string] => [n.toLowerCase(), v]), ["user-agent", h.find(([n]) => n === "user-agent")![1]]];
    if (body !== null) expected.push(["content-length", String(body.length)]);
    assert.deepEqual(h, expected, `${method} ${path} ${JSON.stringify(headers)}`);
  }
});

test("after a repeat, a bad header or method is still refused and nothing is queued", () => {
  const s = FakeServer.ready();
  s.engine.request("GET", "/a", [["x", "1"]], null);
  s.written();
  const refused = (reason: string) => (err: unknown) => err instanceof HTTPError && err.reason === reason;
  assert.throws(() => s.engine.request("GET", "/a", [["x", "1\r\n"]], null), refused("invalid_header_value"));
  assert.throws(() => s.engine.request("GET", "/a", [["x", "1"], ["connection", "close"]], null), refused("invalid_header"));
  assert.throws(() => s.engine.request("G T", "/a", [["x", "1"]], null), refused("invalid_request_method"));
  assert.throws(() => s.engine.request("GET", "/a b", [["x", "1"]], null), refused("invalid_request_target"));
  assert.throws(() => s.engine.request("GET", "/a", [["x", "1"], ["content-length", "3"]], "ab"), refused("content_length_mismatch"));
  assert.throws(() => s.engine.request("GET", "/a", [["x", "1", "2"]] as unknown as Headers, null), TypeError);
  assert.deepEqual(s.written(), []);
  s.engine.request("GET", "/a", [["x", "1"]], null);
  assert.equal(s.written()[0]!.streamId, 3, "refused requests used no stream id");
});

test("a repeat with STREAM instead of no body still streams", () => {
  const s = FakeServer.ready();
  s.engine.request("POST", "/up", [], null);
  const ref = s.engine.request("POST", "/up", [], STREAM);
  const frames = s.written();
  assert.equal(frames[0]!.type, "headers");
  assert.equal(frames[1]!.type, "headers");
  assert.equal((frames[0] as { endStream?: boolean }).endStream, true);
  assert.equal((frames[1] as { endStream?: boolean }).endStream, false);
  s.engine.streamRequestBody(ref, "x");
  assert.equal(s.written()[0]!.type, "data");
});
