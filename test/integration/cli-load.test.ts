// `mint-http load` against local servers: exact request counts with -n (counted by the
// server) over HTTP/1.1 pipelining and HTTP/2 streams, failures counted by reason when the
// server resets connections or is not there, the open-loop --rate schedule, and the text
// and --json summaries.

import assert from "node:assert/strict";
import type * as http from "node:http";
import { after, before, test } from "node:test";
import { startRawServer } from "../support/servers.js";
import { runCLI, startH2C, startHTTP, type TestServer } from "./cli-support.js";

interface Summary {
  protocol: string;
  requests: number;
  responses: number;
  errors: number;
  connects: number;
  durationSeconds: number;
  requestsPerSecond: number;
  statusCodes: Record<string, number>;
  errorReasons: Record<string, number>;
  latencyMs: Record<string, number>;
}

let h1: TestServer & { server: http.Server };
let h1Count = 0;

before(async () => {
  h1 = await startHTTP((req, res) => {
    h1Count++;
    if (req.url === "/teapot" && h1Count % 2 === 0) res.statusCode = 418;
    res.end("ok");
  });
});

after(() => h1.close());

function assertLatencies(l: Record<string, number>): void {
  assert.ok(l.min! > 0, `min ${l.min}`);
  assert.ok(l.min! <= l.p50! && l.p50! <= l.p90! && l.p90! <= l.p99! && l.p99! <= l["p99.9"]! && l["p99.9"]! <= l.max!, JSON.stringify(l));
  assert.ok(l.max! < 20_000);
}

test("-n sends exactly that many requests (HTTP/1.1 pipelined), the server agrees, --json parses", async () => {
  h1Count = 0;
  const r = await runCLI(["load", "-n", "600", "-c", "3", "-m", "4", "--json", h1.url("/teapot")]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout.toString()) as Summary;
  assert.equal(h1Count, 600);
  assert.equal(s.protocol, "http1");
  assert.equal(s.requests, 600);
  assert.equal(s.responses, 600);
  assert.equal(s.errors, 0);
  assert.equal(s.connects, 3);
  assert.deepEqual(s.statusCodes, { "200": 300, "418": 300 });
  assert.ok(s.requestsPerSecond > 0);
  assertLatencies(s.latencyMs);
});

test("HTTP/2 (h2c): -n over streams of few connections, and the text summary", async () => {
  let count = 0;
  const h2 = await startH2C((_req, res) => {
    count++;
    res.end("ok");
  });
  try {
    const [json, text] = await Promise.all([
      runCLI(["load", "--http2-prior-knowledge", "-n", "500", "-c", "2", "-m", "20", "--json", h2.url("/")]),
      runCLI(["load", "--http2", "-n", "100", "-c", "1", "-m", "10", h2.url("/")]),
    ]);
    assert.equal(json.code, 0, json.stderr);
    const s = JSON.parse(json.stdout.toString()) as Summary;
    assert.equal(s.protocol, "http2");
    assert.equal(s.requests, 500);
    assert.deepEqual(s.statusCodes, { "200": 500 });
    assert.equal(count, 600);
    assert.equal(h2.sessions(), 3);
    assertLatencies(s.latencyMs);
    assert.equal(text.code, 0, text.stderr);
    const out = text.stdout.toString();
    assert.match(out, /over HTTP\/2, 1 connection\(s\) x 10 in flight, closed loop/);
    assert.match(out, /requests\s+100 in [\d.]+ s\s+\(100 responses, 0 errors, 1 connects\)/);
    assert.match(out, /throughput\s+[\d.]+ req\/s, [\d.]+ \S+\/s read/);
    assert.match(out, /status\s+200: 100/);
    assert.match(out, /p50 [\d.]+ m?s\s+p90 [\d.]+ m?s\s+p99 [\d.]+ m?s\s+p99\.9 [\d.]+ m?s/);
    assert.equal(text.stderr, "", "no progress line when stderr is not a terminal");
  } finally {
    await h2.close();
  }
});

test("HTTP/2: streams refused above the server's limit are sent again, not counted as errors", async () => {
  let count = 0;
  const h2 = await startH2C((_req, res) => {
    count++;
    setTimeout(() => res.end("ok"), 1);
  }, 4);
  try {
    const r = await runCLI(["load", "--http2", "-n", "200", "-c", "2", "-m", "16", "--json", h2.url("/")]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout.toString()) as Summary;
    assert.equal(s.requests, 200);
    assert.equal(s.errors, 0, JSON.stringify(s.errorReasons));
    assert.equal(count, 200);
  } finally {
    await h2.close();
  }
});

test("connection resets are counted as errors by reason, and every request is counted once", async () => {
  let served = 0;
  // Answers two requests per connection, then resets it on the third.
  const raw = await startRawServer((socket) => {
    let n = 0;
    let buffered = "";
    socket.on("data", (d: Buffer) => {
      buffered += d.toString("latin1");
      let end: number;
      while ((end = buffered.indexOf("\r\n\r\n")) !== -1) {
        buffered = buffered.slice(end + 4);
        if (++n === 3) {
          socket.resetAndDestroy();
          return;
        }
        served++;
        socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
      }
    });
    socket.on("error", () => {});
  });
  try {
    const r = await runCLI(["load", "-n", "90", "-c", "2", "--json", `http://127.0.0.1:${raw.port}/`]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout.toString()) as Summary;
    assert.equal(s.requests, 90);
    assert.equal(s.responses, served);
    assert.equal(s.responses + s.errors, 90);
    assert.ok(s.errors >= 20, `errors ${s.errors}`);
    const reasons = Object.keys(s.errorReasons);
    assert.ok(reasons.length > 0 && reasons.every((k) => /^[a-z_]+$/.test(k)), reasons.join(","));
    assert.equal(Object.values(s.errorReasons).reduce((x, y) => x + y, 0), s.errors);
    assert.ok(s.connects > 20);
  } finally {
    await raw.close();
  }
});

test("a server that never answers: each request fails as timeout after -t, on a fresh connection", async () => {
  const silent = await startRawServer((socket) => socket.on("error", () => {}));
  try {
    const r = await runCLI(["load", "-n", "3", "-c", "1", "-t", "200ms", "--json", `http://127.0.0.1:${silent.port}/`]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout.toString()) as Summary;
    assert.equal(s.requests, 3);
    assert.deepEqual(s.errorReasons, { timeout: 3 });
    assert.equal(s.connects, 3);
    assert.ok(s.durationSeconds >= 0.6, `duration ${s.durationSeconds}`);
  } finally {
    await silent.close();
  }
});

test("--rate keeps a schedule; nothing listening: the run stops, errors by reason, exit 1", async () => {
  h1Count = 0;
  const [rated, refused] = await Promise.all([
    runCLI(["load", "-n", "40", "-c", "2", "--rate", "200", "--json", h1.url("/")]),
    runCLI(["load", "-n", "400", "-c", "2", "--json", "http://127.0.0.1:1/"]),
  ]);
  assert.equal(rated.code, 0, rated.stderr);
  const s = JSON.parse(rated.stdout.toString()) as Summary & { rate: number };
  assert.equal(s.requests, 40);
  assert.equal(s.rate, 200);
  assert.equal(h1Count, 40);
  // 40 requests due at 0, 5, ..., 195 ms: the run cannot be shorter than the schedule.
  assert.ok(s.durationSeconds >= 0.19, `duration ${s.durationSeconds}`);
  assert.equal(refused.code, 1);
  const f = JSON.parse(refused.stdout.toString()) as Summary;
  assert.equal(f.connects, 0);
  assert.equal(f.responses, 0);
  assert.ok(f.requests >= 1 && f.requests <= 2, `stops at the first failed connects, ${f.requests}`);
  assert.deepEqual(f.errorReasons, { econnrefused: f.requests });
});

test("usage: -n with -d, bad numbers and --help", async () => {
  const [both, bad, help] = await Promise.all([
    runCLI(["load", "-n", "5", "-d", "1s", h1.url("/")]),
    runCLI(["load", "-c", "0", h1.url("/")]),
    runCLI(["load", "--help"]),
  ]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /-n and -d cannot be used together/);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /-c takes a positive integer/);
  assert.equal(help.code, 0);
  for (const opt of ["-c", "-m", "-n", "-d", "--rate", "--json", "--data", "--http2-prior-knowledge"]) assert.ok(help.stdout.toString().includes(opt), opt);
});
