// Request refs name one stream of one connection: a stream is found from its ref, refs of
// other connections, closed streams, look-alikes and non-strings find nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HTTPError } from "../../src/errors.js";
import { STREAM } from "../../src/types.js";
import { FakeServer } from "../support/h2-fake-server.js";

const unknown = (err: unknown) => err instanceof HTTPError && err.reason === "unknown_request_to_stream";

test("refs are unique across connections and pings, and find their own stream only", () => {
  const a = FakeServer.ready();
  const b = FakeServer.ready();
  const refs = [a.engine.request("POST", "/", [], STREAM), b.engine.request("POST", "/", [], STREAM), a.engine.ping(), b.engine.ping()];
  const more = a.engine.request("POST", "/", [], STREAM);
  assert.equal(new Set([...refs, more]).size, 5);
  assert.equal(a.engine.getWindowSize({ request: refs[0]! }), 65535);
  assert.throws(() => a.engine.getWindowSize({ request: refs[1]! }), unknown);
  assert.throws(() => b.engine.streamRequestBody(refs[0]!, "x"), unknown);
  a.engine.streamRequestBody(more, "x");
  assert.equal(a.written().filter((f) => f.type === "data").length, 1);
});

test("a closed stream's ref, look-alikes and non-strings find nothing", () => {
  const s = FakeServer.ready();
  const ref = s.engine.request("GET", "/", [], null);
  s.send(s.frames().response(1, 200, [], "ok"));
  assert.throws(() => s.engine.getWindowSize({ request: ref }), unknown);
  const open = s.engine.request("POST", "/", [], STREAM);
  const dot = open.lastIndexOf(".");
  for (const bad of [open.slice(0, dot + 1) + "0" + open.slice(dot + 1), open + " ", open.toUpperCase() + "X", "#1", 3 as unknown as string]) {
    assert.throws(() => s.engine.getWindowSize({ request: bad }), unknown, String(bad));
  }
  s.engine.cancelRequest(ref);
  assert.equal(s.engine.getWindowSize({ request: open }), 65535);
});
