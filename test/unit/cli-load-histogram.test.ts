// The load generator's latency histogram (bounded, ~1.6 % precision) and the curl rules the
// command applies between requests: redirect methods and headers, and -w substitutions.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Histogram } from "../../src/cli/histogram.js";
import { isRedirect, nextRequest } from "../../src/cli/redirect.js";
import { emptyInfo, writeOut } from "../../src/cli/write-out.js";

test("histogram percentiles stay within 1/64 above the true value, never below", () => {
  const h = new Histogram();
  const values: number[] = [];
  let x = 7;
  for (let i = 0; i < 20_000; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const v = 1 + (x % 5_000_000); // 1 µs .. 5 s
    values.push(v);
    h.record(v);
  }
  values.sort((a, b) => a - b);
  for (const p of [50, 90, 99, 99.9, 100]) {
    const exact = values[Math.ceil((p / 100) * values.length) - 1]!;
    const got = h.percentile(p);
    assert.ok(got >= exact && got <= exact * (1 + 1 / 64) + 1, `p${p}: ${got} vs ${exact}`);
  }
  assert.equal(h.count, 20_000);
  assert.equal(h.max, values.at(-1));
  assert.equal(h.min, values[0]);
  assert.equal(h.percentile(100), h.max);
});

test("histogram: small values are exact, huge ones are capped, an empty one reads 0", () => {
  const h = new Histogram();
  assert.equal(h.percentile(50), 0);
  for (let v = 0; v < 128; v++) h.record(v);
  assert.equal(h.percentile(50), 63);
  h.record(1e12);
  assert.equal(h.max, 0x7fffffff);
  h.record(-5);
  assert.equal(h.min, 0);
});

test("redirects: curl's method rules and credential stripping across origins", () => {
  const from = new URL("http://a.test/x");
  const headers: Array<[string, string]> = [["authorization", "Basic x"], ["cookie", "c=1"], ["content-type", "text/plain"], ["accept", "*/*"]];
  assert.ok(isRedirect(308) && !isRedirect(304) && !isRedirect(300));
  const same = nextRequest(from, 302, "/y", "POST", headers, new Set())!;
  assert.equal(same.url.href, "http://a.test/y");
  assert.equal(same.method, "GET");
  assert.equal(same.keepBody, false);
  assert.deepEqual(same.headers.map(([n]) => n), ["authorization", "cookie", "accept"]);
  const kept = nextRequest(from, 302, "/y", "POST", headers, new Set([302]))!;
  assert.equal(kept.method, "POST");
  assert.equal(nextRequest(from, 303, "/y", "PUT", headers, new Set())!.method, "GET");
  assert.equal(nextRequest(from, 303, "/y", "HEAD", headers, new Set())!.method, "HEAD");
  assert.equal(nextRequest(from, 307, "/y", "DELETE", headers, new Set())!.method, "DELETE");
  const other = nextRequest(from, 308, "https://b.test/z", "POST", headers, new Set())!;
  assert.equal(other.method, "POST");
  assert.deepEqual(other.headers.map(([n]) => n), ["content-type", "accept"]);
  assert.equal(nextRequest(from, 301, "ftp://c.test/", "GET", headers, new Set()), undefined);
});

test("-w: variables, escapes, unknown names and a failed transfer's zeros", () => {
  const info = { ...emptyInfo(new URL("http://h.test/")), httpCode: 201, httpVersion: "2", timeTotal: 0.25, sizeDownload: 42 };
  assert.equal(writeOut("%{http_code} %{http_version} %{time_total} %{size_download} %{nope}%%\\n", info), "201 2 0.250000 42 %\n");
  assert.equal(writeOut("%{http_code}|%{remote_ip}|%{num_connects}", emptyInfo(new URL("http://h.test/"))), "000||0");
});
