// curl's --retry rules as the command applies them (src/cli/retry.ts), without waiting:
// which failures are transient, the backoff, --retry-delay, Retry-After, --retry-max-time,
// and the warning printed before each retry.

import assert from "node:assert/strict";
import { test } from "node:test";
import { HTTPError, TransportError } from "../../src/index.js";
import { parseArgs, type CliOptions } from "../../src/cli/args.js";
import { TransferFailure } from "../../src/cli/failure.js";
import { retryAfterSeconds, RetryState } from "../../src/cli/retry.js";

function options(...argv: string[]): CliOptions {
  const command = parseArgs([...argv, "http://h/"]);
  assert.equal(command.action, "fetch");
  return (command as { options: CliOptions }).options;
}

function state(...argv: string[]): { retry: RetryState; warnings: string[] } {
  const warnings: string[] = [];
  return { retry: new RetryState(options(...argv), (line) => warnings.push(line)), warnings };
}

test("the wait starts at 1 s and doubles up to 10 minutes; the warnings count down as curl's do", () => {
  const { retry, warnings } = state("--retry", "12");
  const waits: number[] = [];
  for (let i = 0; i < 12; i++) waits.push(retry.delayAfterStatus(503, undefined)!);
  assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600].map((s) => s * 1000));
  assert.equal(retry.delayAfterStatus(503, undefined), undefined, "no retry left");
  assert.equal(warnings[0], "Problem : HTTP error. Will retry in 1 second. 12 retries left.");
  assert.equal(warnings[1], "Problem : HTTP error. Will retry in 2 seconds. 11 retries left.");
  assert.equal(warnings[11], "Problem : HTTP error. Will retry in 600 seconds. 1 retry left.");
});

test("only curl's transient statuses and errors are retried, unless asked", () => {
  const plain = state("--retry", "6").retry;
  for (const status of [408, 429, 500, 502, 503, 504]) assert.notEqual(plain.delayAfterStatus(status, undefined), undefined, `${status}`);
  const fresh = state("--retry", "5").retry;
  for (const status of [200, 301, 404, 501, 505]) assert.equal(fresh.delayAfterStatus(status, undefined), undefined, `${status}`);
  const refused = new TransportError("econnrefused", "connection refused");
  assert.equal(fresh.delayAfterError(refused), undefined);
  assert.equal(fresh.delayAfterError(new HTTPError("http1", "closed", "closed")), undefined);
  assert.equal(fresh.delayAfterError(new TransferFailure(22, "The requested URL returned error: 404")), undefined);
  assert.notEqual(fresh.delayAfterError(new TransportError("timeout", "timed out")), undefined);
  assert.notEqual(fresh.delayAfterError(new TransferFailure(28, "Operation timed out")), undefined);

  const { retry: connrefused, warnings } = state("--retry", "5", "--retry-connrefused");
  assert.equal(connrefused.delayAfterError(refused), 1000);
  assert.equal(warnings[0], "Problem : connection refused. Will retry in 1 second. 5 retries left.");
  const all = state("--retry", "5", "--retry-all-errors");
  assert.equal(all.retry.delayAfterError(new TransferFailure(22, "The requested URL returned error: 404")), 1000);
  assert.equal(all.warnings[0], "Problem (retrying all errors). Will retry in 1 second. 5 retries left.");
  // Without --retry nothing is retried, whatever else is asked.
  assert.equal(state("--retry-all-errors").retry.delayAfterError(refused), undefined);
});

test("--retry-delay fixes the wait; a longer Retry-After wins, a shorter one does not", () => {
  const { retry } = state("--retry", "4", "--retry-delay", "3");
  assert.equal(retry.delayAfterStatus(503, undefined), 3000);
  assert.equal(retry.delayAfterStatus(503, undefined), 3000, "no doubling");
  assert.equal(retry.delayAfterStatus(429, "7"), 7000);
  assert.equal(retry.delayAfterStatus(503, "1"), 3000);
  const backoff = state("--retry", "3").retry;
  assert.equal(backoff.delayAfterStatus(503, "not a number"), 1000);
  // The HTTP-date form counts from now.
  const now = Date.parse("Wed, 02 Dec 2026 01:00:00 GMT");
  assert.equal(retryAfterSeconds("Wed, 02 Dec 2026 01:00:30 GMT", now), 30);
  assert.equal(retryAfterSeconds("Wed, 02 Dec 2026 00:59:00 GMT", now), 0);
  assert.equal(retryAfterSeconds(" 12 ", now), 12);
  assert.equal(retryAfterSeconds("soon", now), 0);
  // (An HTTP-date has whole seconds: 5.5 s ahead reads as 5 or 6.)
  const wait = backoff.delayAfterStatus(503, new Date(Date.now() + 5_500).toUTCString());
  assert.ok(wait === 5000 || wait === 6000, `waits ${wait}`);
});

test("--retry-max-time: a Retry-After beyond it is refused with curl's warning; past it no retry starts", async () => {
  const { retry, warnings } = state("--retry", "5", "--retry-max-time", "10");
  assert.equal(retry.delayAfterStatus(503, "60"), undefined);
  assert.equal(warnings[0], "The Retry-After: time would make this command line exceed the maximum allowed time for retries.");
  assert.equal(retry.delayAfterStatus(503, "2"), 2000);

  const short = state("--retry", "5", "--retry-max-time", "0.05").retry;
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(short.delayAfterStatus(503, undefined), undefined);
  assert.equal(short.delayAfterError(new TransportError("timeout", "timed out")), undefined);
});
