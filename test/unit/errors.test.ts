// The error classes: reasons, details, protocol, and instanceof across two copies of the
// module (as when a dependency tree holds two copies of the package).

import { test } from "node:test";
import assert from "node:assert/strict";
import { HTTPError, MintError, TransportError } from "../../src/errors.js";

test("reason, details, protocol and name", () => {
  const e = new HTTPError("proxy", "unexpected_status", "proxy answered 407", { status: 407 });
  assert.equal(e.reason, "unexpected_status");
  assert.deepEqual(e.details, { status: 407 });
  assert.equal(e.protocol, "proxy");
  assert.equal(e.name, "HTTPError");
  assert.equal(e.message, "proxy answered 407");
  const t = new TransportError("econnrefused", "refused");
  assert.equal(t.name, "TransportError");
  assert.equal(t.details, undefined);
});

test("instanceof tells the classes apart", () => {
  const h = new HTTPError("http1", "closed", "closed");
  const t = new TransportError("closed", "closed");
  assert.ok(h instanceof HTTPError && h instanceof MintError && h instanceof Error);
  assert.ok(t instanceof TransportError && t instanceof MintError);
  assert.equal(h instanceof TransportError, false);
  assert.equal(t instanceof HTTPError, false);
  assert.equal(new Error("x") instanceof MintError, false);
  assert.equal((null as unknown) instanceof MintError, false);
});

test("instanceof works across two copies of the module", async () => {
  const copy = (await import(`../../src/errors.js?copy=${Date.now()}`)) as typeof import("../../src/errors.js");
  assert.notEqual(copy.HTTPError, HTTPError, "a distinct copy of the class");
  const fromCopy = new copy.HTTPError("http2", "protocol_error", "bad frame");
  assert.ok(fromCopy instanceof HTTPError);
  assert.ok(fromCopy instanceof MintError);
  assert.equal(fromCopy instanceof TransportError, false);
  assert.ok(new TransportError("timeout", "t") instanceof copy.TransportError);
  assert.equal(new TransportError("timeout", "t") instanceof copy.HTTPError, false);
});
