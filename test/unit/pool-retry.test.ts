// mayRetry: the pool's retry rules as one pure function (API.md "Retry rules").

import { test } from "node:test";
import assert from "node:assert/strict";
import { HTTPError, TransportError } from "../../src/index.js";
import { isUnprocessed, mayRetry, type RetryFacts } from "../../src/pool/retry.js";
import { poolError } from "../../src/pool/errors.js";

const base: RetryFacts = { reused: false, idempotent: false, replayable: true, responseStarted: false, attempt: 1, maxAttempts: 3 };
const unprocessed = new HTTPError("http2", "unprocessed", "not processed");
const refused = new HTTPError("http2", "server_closed_request", "reset", { errorCode: "refused_stream" });
const otherReset = new HTTPError("http2", "server_closed_request", "reset", { errorCode: "internal_error" });
const closed = new TransportError("closed", "closed");

test("unprocessed and REFUSED_STREAM are retried whatever the method, fresh or reused", () => {
  assert.ok(isUnprocessed(unprocessed) && isUnprocessed(refused) && !isUnprocessed(otherReset));
  assert.equal(mayRetry(unprocessed, base), true);
  assert.equal(mayRetry(refused, base), true);
  assert.equal(mayRetry(otherReset, base), false);
});

test("a failure on a reused connection is retried only when idempotent", () => {
  assert.equal(mayRetry(closed, { ...base, reused: true, idempotent: true }), true);
  assert.equal(mayRetry(closed, { ...base, reused: true, idempotent: false }), false);
  assert.equal(mayRetry(closed, { ...base, reused: false, idempotent: true }), false, "fresh connection");
});

test("never with a body that cannot be replayed, after a response byte, or past maxAttempts", () => {
  assert.equal(mayRetry(unprocessed, { ...base, replayable: false }), false);
  assert.equal(mayRetry(closed, { ...base, reused: true, idempotent: true, responseStarted: true }), false);
  assert.equal(mayRetry(unprocessed, { ...base, attempt: 3 }), false);
  assert.equal(mayRetry(unprocessed, { ...base, attempt: 2 }), true);
  assert.equal(mayRetry(unprocessed, { ...base, maxAttempts: 1 }), false, "retry: false");
});

test("the pool's own errors and foreign errors are never retried", () => {
  for (const reason of ["aborted", "headers_timeout", "queue_timeout", "pool_closed", "body_timeout"] as const) {
    assert.equal(mayRetry(poolError(reason, "x"), { ...base, reused: true, idempotent: true }), false, reason);
  }
  assert.equal(mayRetry(new Error("x"), { ...base, reused: true, idempotent: true }), false);
});
