// The curl habits of the mint-http command, each against local servers: redirects (-L,
// --max-redirs, method rules, credentials across origins), --compressed, -I, -f and
// --fail-with-body, -s/-S, -w variables, -u/-A/-e/--json, --resolve and --connect-to,
// --retry, several URLs on one connection, -Z over one HTTP/2 connection.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as http from "node:http";
import { after, before, test } from "node:test";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { readBody, runCLI, startH2C, startHTTP, type TestServer } from "./cli-support.js";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let a: TestServer & { server: http.Server };
let b: TestServer & { server: http.Server };
const seenA: Seen[] = [];
const seenB: Seen[] = [];
let connectionsA = 0;
const retryCounts = new Map<string, number>();

const TEXT = "the quick brown fox jumps over the lazy dog\n".repeat(20);

before(async () => {
  b = await startHTTP(async (req, res) => {
    const body = (await readBody(req as http.IncomingMessage)).toString();
    seenB.push({ method: req.method!, url: req.url!, headers: (req as http.IncomingMessage).headers, body });
    (res as http.ServerResponse).end(`B ${req.method} ${req.url} ${body}`);
  });
  a = await startHTTP(async (req, res) => {
    const r = res as http.ServerResponse;
    const body = (await readBody(req as http.IncomingMessage)).toString();
    seenA.push({ method: req.method!, url: req.url!, headers: (req as http.IncomingMessage).headers, body });
    const url = new URL(req.url!, "http://x");
    const status = Number(url.searchParams.get("status") ?? 0);
    switch (url.pathname) {
      case "/hop1": r.writeHead(301, { location: "/hop2" }).end(); return;
      case "/hop2": r.writeHead(302, { location: b.url("/end") }).end("moving"); return;
      case "/loop": r.writeHead(302, { location: "/loop" }).end(); return;
      case "/moved": r.writeHead(status, { location: "/echo" }).end(); return;
      case "/gzip": r.writeHead(200, { "content-encoding": "gzip" }).end(gzipSync(TEXT)); return;
      case "/deflate": r.writeHead(200, { "content-encoding": "deflate" }).end(deflateSync(TEXT)); return;
      case "/deflate-raw": r.writeHead(200, { "content-encoding": "deflate" }).end(deflateRawSync(TEXT)); return;
      case "/br": r.writeHead(200, { "content-encoding": "br" }).end(brotliCompressSync(TEXT)); return;
      case "/missing": r.writeHead(404, { "content-type": "text/plain" }).end("no such thing\n"); return;
      case "/flaky": {
        const key = url.searchParams.get("k")!;
        const n = (retryCounts.get(key) ?? 0) + 1;
        retryCounts.set(key, n);
        if (n <= 2) r.writeHead(503).end("busy\n");
        else r.end(`ok after ${n}\n`);
        return;
      }
      case "/headers": r.setHeader("content-type", "application/json"); r.end(JSON.stringify({ method: req.method, headers: req.headers, body })); return;
      default: r.end(`A ${req.method} ${req.url} ${body}`);
    }
  });
  a.server.on("connection", () => connectionsA++);
});

after(async () => {
  await a.close();
  await b.close();
});

test("-L follows a chain across origins; Authorization and Cookie stay with the first origin; -w counts the hops", async () => {
  seenA.length = 0;
  seenB.length = 0;
  const r = await runCLI(["-L", "-u", "user:secret", "-H", "Cookie: c=1", "-w", "\\n%{num_redirects} %{http_code} %{url_effective}", a.url("/hop1")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), `B GET /end \n2 200 ${b.url("/end")}`);
  assert.deepEqual(seenA.map((s) => s.url), ["/hop1", "/hop2"]);
  assert.equal(seenA[1]!.headers.authorization, `Basic ${Buffer.from("user:secret").toString("base64")}`);
  assert.equal(seenA[1]!.headers.cookie, "c=1");
  assert.equal(seenB.length, 1);
  assert.equal(seenB[0]!.headers.authorization, undefined);
  assert.equal(seenB[0]!.headers.cookie, undefined);
});

test("without -L a redirect is printed as it is; loops end with exit 47 after --max-redirs", async () => {
  const [plain, loop, limited] = await Promise.all([
    runCLI(["-i", a.url("/hop2")]),
    runCLI(["-L", a.url("/loop")]),
    runCLI(["-L", "--max-redirs", "3", "-s", a.url("/loop?x=limited")]),
  ]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout.toString(), /^HTTP\/1\.1 302 Found\r\n[^]*location: http:\/\/127\.0\.0\.1:\d+\/end\r\n[^]*\r\n\r\nmoving$/);
  assert.equal(loop.code, 47);
  assert.match(loop.stderr, /Maximum \(50\) redirects followed/);
  assert.equal(limited.code, 47);
  assert.equal(limited.stderr, "", "-s hides the message");
  assert.equal(seenA.filter((s) => s.url === "/loop").length, 51 + 3);
});

test("redirect method rules: 301/302/303 turn POST into GET unless --post30x; 307/308 keep POST and its body", async () => {
  const runs = await Promise.all([
    runCLI(["-L", "-d", "x=1", a.url("/moved?status=301")]),
    runCLI(["-L", "--post301", "-d", "x=1", a.url("/moved?status=301")]),
    runCLI(["-L", "-d", "x=1", a.url("/moved?status=302")]),
    runCLI(["-L", "--post302", "-d", "x=1", a.url("/moved?status=302")]),
    runCLI(["-L", "-d", "x=1", a.url("/moved?status=303")]),
    runCLI(["-L", "-d", "x=1", a.url("/moved?status=307")]),
    runCLI(["-L", "-X", "PUT", "-d", "x=1", a.url("/moved?status=308")]),
  ]);
  const out = runs.map((r) => (assert.equal(r.code, 0, r.stderr), r.stdout.toString()));
  assert.deepEqual(out, ["A GET /echo ", "A POST /echo x=1", "A GET /echo ", "A POST /echo x=1", "A GET /echo ", "A POST /echo x=1", "A PUT /echo x=1"]);
});

test("--compressed asks for gzip, deflate, br and decodes each; without it the bytes are left alone", async () => {
  const runs = await Promise.all([
    ...["/gzip", "/deflate", "/deflate-raw", "/br"].map((p) => runCLI(["--compressed", a.url(p)])),
    runCLI([a.url("/gzip")]),
    runCLI(["--compressed", a.url("/headers")]),
  ]);
  for (const r of runs.slice(0, 4)) {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), TEXT);
  }
  assert.deepEqual(runs[4]!.stdout, gzipSync(TEXT));
  assert.equal((JSON.parse(runs[5]!.stdout.toString()) as { headers: Record<string, string> }).headers["accept-encoding"], "gzip, deflate, br");
});

test("-I sends HEAD and prints the head only; -f exits 22 without the body; --fail-with-body writes it; -s and -S", async () => {
  const [head, fail, silent, shown, withBody] = await Promise.all([
    runCLI(["-I", a.url("/headers")]),
    runCLI(["-f", a.url("/missing")]),
    runCLI(["-sf", a.url("/missing")]),
    runCLI(["-sSf", a.url("/missing")]),
    runCLI(["--fail-with-body", a.url("/missing")]),
  ]);
  assert.equal(head.code, 0, head.stderr);
  assert.match(head.stdout.toString(), /^HTTP\/1\.1 200 OK\r\n[^]*content-type: application\/json\r\n[^]*\r\n\r\n$/);
  assert.equal(seenA.find((s) => s.method === "HEAD")?.url, "/headers");
  assert.equal(fail.code, 22);
  assert.equal(fail.stdout.length, 0);
  assert.match(fail.stderr, /\(22\) The requested URL returned error: 404/);
  assert.equal(silent.code, 22);
  assert.equal(silent.stderr, "");
  assert.equal(shown.code, 22);
  assert.match(shown.stderr, /returned error: 404/);
  assert.equal(withBody.code, 22);
  assert.equal(withBody.stdout.toString(), "no such thing\n");
});

test("-w variables have sane values", async () => {
  const format = "%{http_code}|%{http_version}|%{time_connect}|%{time_appconnect}|%{time_starttransfer}|%{time_total}|%{size_download}|%{remote_ip}|%{num_connects}|%{url_effective}|%%\\n";
  const r = await runCLI(["-o", "/dev/null", "-w", format, a.url("/gzip")]);
  assert.equal(r.code, 0, r.stderr);
  const [code, version, connect, appconnect, start, total, size, ip, connects, url, percent] = r.stdout.toString().replace(/\n$/, "").split("|");
  assert.equal(code, "200");
  assert.equal(version, "1.1");
  assert.ok(Number(connect) > 0 && Number(connect) <= Number(start), `connect ${connect} before first byte ${start}`);
  assert.equal(Number(appconnect), 0, "no TLS on http");
  assert.ok(Number(start) <= Number(total), `first byte ${start} before total ${total}`);
  assert.ok(Number(total) < 20);
  assert.equal(Number(size), gzipSync(TEXT).length);
  assert.equal(ip, "127.0.0.1");
  assert.equal(connects, "1");
  assert.equal(url, a.url("/gzip"));
  assert.equal(percent, "%");
});

test("-A, -e and --json set their headers and method", async () => {
  const json = await runCLI(["-A", "probe/1.0", "-e", "http://ref.test/page", "--json", '{"a":1}', a.url("/headers")]);
  assert.equal(json.code, 0, json.stderr);
  const seen = JSON.parse(json.stdout.toString()) as { method: string; headers: Record<string, string>; body: string };
  assert.equal(seen.method, "POST");
  assert.equal(seen.body, '{"a":1}');
  assert.equal(seen.headers["user-agent"], "probe/1.0");
  assert.equal(seen.headers.referer, "http://ref.test/page");
  assert.equal(seen.headers["content-type"], "application/json");
  assert.equal(seen.headers.accept, "application/json");
});

test("--resolve and --connect-to reach the local server with the URL's own Host", async () => {
  const [resolved, moved] = await Promise.all([
    runCLI(["--resolve", `example.test:${a.port}:127.0.0.1`, `http://example.test:${a.port}/headers`]),
    runCLI(["--connect-to", `example.test:80:127.0.0.1:${a.port}`, "http://example.test/headers"]),
  ]);
  assert.equal(resolved.code, 0, resolved.stderr);
  assert.equal((JSON.parse(resolved.stdout.toString()) as { headers: Record<string, string> }).headers.host, `example.test:${a.port}`);
  assert.equal(moved.code, 0, moved.stderr);
  assert.equal((JSON.parse(moved.stdout.toString()) as { headers: Record<string, string> }).headers.host, "example.test");
});

test("--retry retries 503 answers; without it the 503 is the answer", async () => {
  const [retried, once] = await Promise.all([
    runCLI(["--retry", "3", "--retry-delay", "0.01", a.url("/flaky?k=r")]),
    runCLI([a.url("/flaky?k=once")]),
  ]);
  assert.equal(retried.code, 0, retried.stderr);
  assert.equal(retried.stdout.toString(), "ok after 3\n");
  assert.equal(once.stdout.toString(), "busy\n");
  assert.equal(retryCounts.get("once"), 1);
});

test("several URLs share one HTTP/1.1 connection and -v says so", async () => {
  const before = connectionsA;
  const r = await runCLI(["-v", "-w", "%{num_connects} ", a.url("/one"), a.url("/two"), a.url("/three")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "A GET /one 1 A GET /two 0 A GET /three 0 ");
  assert.equal(connectionsA - before, 1);
  assert.match(r.stderr, /\* Connected to 127\.0\.0\.1:\d+ \(127\.0\.0\.1 port \d+\) \(#0\)/);
  assert.equal(r.stderr.match(/\* Re-using existing connection #0 with host/g)?.length, 2);
});

test("each -o goes with one URL, in order; the URLs after them go to stdout", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mint-cli-"));
  try {
    const r = await runCLI(["-o", join(dir, "1"), "-o", join(dir, "2"), a.url("/one"), a.url("/two"), a.url("/three")]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(dir, "1"), "utf8"), "A GET /one ");
    assert.equal(readFileSync(join(dir, "2"), "utf8"), "A GET /two ");
    assert.equal(r.stdout.toString(), "A GET /three ");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("-Z runs the URLs at once over one HTTP/2 connection (h2c)", async () => {
  let inFlight = 0, most = 0;
  const h2 = await startH2C((req, res) => {
    inFlight++;
    most = Math.max(most, inFlight);
    setTimeout(() => {
      inFlight--;
      res.end(`${req.url}\n`);
    }, 150);
  });
  try {
    const urls = ["/1", "/2", "/3", "/4"].map((p) => h2.url(p));
    const r = await runCLI(["-Z", "-v", "--http2-prior-knowledge", "-w", "%{http_version}:%{num_connects}\\n", ...urls]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.toString().trim().split("\n").sort();
    assert.deepEqual(lines.filter((l) => l.startsWith("/")), ["/1", "/2", "/3", "/4"]);
    assert.deepEqual(lines.filter((l) => l.startsWith("2:")).sort(), ["2:0", "2:0", "2:0", "2:1"]);
    assert.equal(h2.sessions(), 1);
    assert.equal(most, 4, "the four requests were in flight together");
    assert.equal(r.stderr.match(/\* Connected to/g)?.length, 1);
    assert.equal(r.stderr.match(/\* Re-using existing connection #0/g)?.length, 3);
  } finally {
    await h2.close();
  }
});
