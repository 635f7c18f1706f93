// The mint-http command against local servers: protocols, -i, -X/-d, --data-binary @file,
// -o, repeated -H, 1xx responses.

import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { testCerts } from "../support/certs.js";
import { readBody, runCLI, startHTTP, startHTTPS, type TestServer } from "./cli-support.js";

let https: TestServer;
let plain: TestServer;
let ca: string;
const dir = mkdtempSync(join(tmpdir(), "mint-http-cli-"));

// Echoes what it received as JSON: method, URL, protocol version, headers, body size and hash.
async function echo(req: any, res: any): Promise<void> {
  const body = await readBody(req);
  if (req.url === "/large") {
    res.setHeader("content-type", "application/octet-stream");
    res.end(Buffer.alloc(300_000, 7));
    return;
  }
  const headers: Array<[string, string]> = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([String(req.rawHeaders[i]).toLowerCase(), req.rawHeaders[i + 1]]);
  res.setHeader("content-type", "application/json");
  res.setHeader("x-echo", "yes");
  res.end(JSON.stringify({
    method: req.method,
    url: req.url,
    version: req.httpVersion,
    headers,
    size: body.length,
    sha256: createHash("sha256").update(body).digest("hex"),
    text: body.length < 1000 ? body.toString("utf8") : "",
  }));
}

before(async () => {
  ca = testCerts().rootCA.certPath;
  https = await startHTTPS((req, res) => void echo(req, res));
  plain = await startHTTP((req, res) => {
    if (req.url === "/hints") {
      (res as any).writeEarlyHints({ link: "</style.css>; rel=preload" });
      setTimeout(() => res.end("after hints\n"), 20);
      return;
    }
    void echo(req, res);
  });
});

after(async () => {
  await https.close();
  await plain.close();
  rmSync(dir, { recursive: true, force: true });
});

test("fetches over HTTPS with HTTP/2 chosen by ALPN; -v shows the connection", async () => {
  const r = await runCLI(["-v", "--cacert", ca, https.url("/hello?x=1")]);
  assert.equal(r.code, 0, r.stderr);
  const body = JSON.parse(r.stdout.toString());
  assert.equal(body.version, "2.0");
  assert.equal(body.url, "/hello?x=1");
  assert.equal(body.method, "GET");
  assert.match(r.stderr, /Connected to localhost:\d+ \(127\.0\.0\.1 port \d+\)/);
  assert.match(r.stderr, /ALPN: h2/);
  assert.match(r.stderr, /Using HTTP\/2/);
  assert.match(r.stderr, /TLS: TLSv1\.[23], cipher \S+/);
  assert.match(r.stderr, /subject: CN=localhost/);
  assert.match(r.stderr, /issuer: CN=mint-http Test Root CA/);
  assert.match(r.stderr, /> GET \/hello\?x=1 HTTP\/2/);
  assert.match(r.stderr, /< HTTP\/2 200/);
  assert.match(r.stderr, /< x-echo: yes/);
  assert.match(r.stderr, /Timings: lookup (?:[\d.]+ ms|-), connect [\d.]+ ms, TLS [\d.]+ ms, first byte [\d.]+ ms, total [\d.]+ ms/);
});

test("--http1.1 forces HTTP/1.1 over TLS", async () => {
  const r = await runCLI(["-v", "--http1.1", "--cacert", ca, https.url("/one")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout.toString()).version, "1.1");
  assert.match(r.stderr, /ALPN: http\/1\.1/);
  assert.match(r.stderr, /Using HTTP\/1\.1/);
  assert.match(r.stderr, /< HTTP\/1\.1 200 OK/);
});

test("-i prints the status line and headers before the body (HTTP/2 and HTTP/1.1)", async () => {
  const h2 = await runCLI(["-i", "--cacert", ca, https.url("/i")]);
  assert.equal(h2.code, 0, h2.stderr);
  const text2 = h2.stdout.toString();
  assert.match(text2, /^HTTP\/2 200\r\n/);
  assert.match(text2, /\r\nx-echo: yes\r\n/);
  const [head2, body2] = text2.split("\r\n\r\n");
  assert.match(head2!, /content-type: application\/json/);
  assert.equal(JSON.parse(body2!).url, "/i");

  const h1 = await runCLI(["-i", plain.url("/i1")]);
  assert.equal(h1.code, 0, h1.stderr);
  assert.match(h1.stdout.toString(), /^HTTP\/1\.1 200 OK\r\n/);
});

test("-X and -d send a method and an inline body with a form content type", async () => {
  const r = await runCLI(["-X", "PUT", "-d", "a=1", "-d", "b=2", plain.url("/put")]);
  assert.equal(r.code, 0, r.stderr);
  const body = JSON.parse(r.stdout.toString());
  assert.equal(body.method, "PUT");
  assert.equal(body.text, "a=1&b=2");
  assert.deepEqual(body.headers.find(([n]: [string]) => n === "content-type"), ["content-type", "application/x-www-form-urlencoded"]);
  const post = await runCLI(["-d", "x", "--cacert", ca, https.url("/post")]);
  assert.equal(JSON.parse(post.stdout.toString()).method, "POST");
});

test("--data-binary @FILE streams a file larger than the HTTP/2 window, and over HTTP/1.1", async () => {
  const data = Buffer.alloc(1_000_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 8)) & 0xff;
  const file = join(dir, "upload.bin");
  writeFileSync(file, data);
  const digest = createHash("sha256").update(data).digest("hex");
  for (const extra of [[], ["--http1.1"]]) {
    const r = await runCLI([...extra, "--data-binary", `@${file}`, "-H", "content-type: application/octet-stream", "--cacert", ca, https.url("/upload")]);
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(r.stdout.toString());
    assert.equal(body.version, extra.length === 0 ? "2.0" : "1.1");
    assert.equal(body.method, "POST");
    assert.equal(body.size, data.length);
    assert.equal(body.sha256, digest);
    assert.deepEqual(body.headers.filter(([n]: [string]) => n === "content-type"), [["content-type", "application/octet-stream"]]);
  }
});

test("-o FILE writes the body to the file and nothing to stdout", async () => {
  const out = join(dir, "large.out");
  const r = await runCLI(["-o", out, "--cacert", ca, https.url("/large")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.length, 0);
  assert.deepEqual(readFileSync(out), Buffer.alloc(300_000, 7));
});

test("-H is repeatable, keeps duplicates, replaces a default and 'name:' removes one", async () => {
  const r = await runCLI(["-H", "x-one: 1", "-H", "x-one: 2", "-H", "User-Agent: tester/9", "-H", "accept:", plain.url("/h")]);
  assert.equal(r.code, 0, r.stderr);
  const headers: Array<[string, string]> = JSON.parse(r.stdout.toString()).headers;
  assert.deepEqual(headers.filter(([n]) => n === "x-one").map(([, v]) => v), ["1", "2"]);
  assert.deepEqual(headers.filter(([n]) => n === "user-agent"), [["user-agent", "tester/9"]]);
  assert.equal(headers.some(([n]) => n === "accept"), false);
});

test("a 1xx interim response is shown with -i and the final response follows", async () => {
  const r = await runCLI(["-i", plain.url("/hints")]);
  assert.equal(r.code, 0, r.stderr);
  const text = r.stdout.toString();
  assert.match(text, /^HTTP\/1\.1 103 Early Hints\r\nlink: <\/style\.css>; rel=preload\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  assert.ok(text.endsWith("\r\n\r\nafter hints\n"));
  const quiet = await runCLI([plain.url("/hints")]);
  assert.equal(quiet.stdout.toString(), "after hints\n");
});

test("--http2 over http speaks HTTP/2 with prior knowledge (h2c)", async () => {
  const { createServer } = await import("node:http2");
  const server = createServer((req, res) => res.end(`h2c ${req.httpVersion} ${req.url}`));
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
  try {
    const r = await runCLI(["-v", "--http2", `http://127.0.0.1:${port}/six?q=1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), "h2c 2.0 /six?q=1");
    assert.match(r.stderr, /Using HTTP\/2/);
    assert.match(r.stderr, /:authority: 127\.0\.0\.1:\d+/);
  } finally {
    server.close();
  }
});
