// Protocol choice: the seed's `protocols` rules.

import { test } from "node:test";
import assert from "node:assert/strict";
import { alpnFor, chooseProtocol } from "../../src/negotiate.js";
import { TransportError } from "../../src/errors.js";

test("ALPN ids advertised for each protocol list", () => {
  assert.deepEqual(alpnFor("https", ["http1", "http2"]), ["h2", "http/1.1"]);
  assert.deepEqual(alpnFor("https", ["http2"]), ["h2"]);
  assert.deepEqual(alpnFor("https", ["http1"]), ["http/1.1"]);
  assert.deepEqual(alpnFor("http", ["http1", "http2"]), []);
});

test("http: both protocols means HTTP/1; one protocol is forced (http2 = h2c prior knowledge)", () => {
  assert.equal(chooseProtocol("http", ["http1", "http2"], null), "http1");
  assert.equal(chooseProtocol("http", ["http2"], null), "http2");
  assert.equal(chooseProtocol("http", ["http1"], null), "http1");
});

test("https follows the server's ALPN choice; no ALPN falls back to HTTP/1", () => {
  assert.equal(chooseProtocol("https", ["http1", "http2"], "h2"), "http2");
  assert.equal(chooseProtocol("https", ["http1", "http2"], "http/1.1"), "http1");
  assert.equal(chooseProtocol("https", ["http1", "http2"], false), "http1");
  assert.equal(chooseProtocol("https", ["http1"], null), "http1");
});

test("a protocol we do not speak is bad_alpn_protocol; HTTP/2 alone without ALPN is protocol_not_negotiated", () => {
  assert.throws(
    () => chooseProtocol("https", ["http1", "http2"], "spdy/3"),
    (e: unknown) => e instanceof TransportError && e.reason === "bad_alpn_protocol" && e.details?.protocol === "spdy/3",
  );
  assert.throws(
    () => chooseProtocol("https", ["http1"], "h2"),
    (e: unknown) => e instanceof TransportError && e.reason === "bad_alpn_protocol",
  );
  assert.throws(
    () => chooseProtocol("https", ["http2"], false),
    (e: unknown) => e instanceof TransportError && e.reason === "protocol_not_negotiated",
  );
});
