// The mint-http command when things go wrong: untrusted or expired certificates, --max-time,
// refused connections, bad command lines, missing files. Each exits non-zero with a reason.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { testCerts } from "../support/certs.js";
import { runCLI, startHTTP, startHTTPS, type TestServer } from "./cli-support.js";

let selfSigned: TestServer;
let expired: TestServer;
let silent: TestServer;
let ca: string;

before(async () => {
  ca = testCerts().rootCA.certPath;
  selfSigned = await startHTTPS((_req, res) => res.end("secret\n"), "selfSigned");
  expired = await startHTTPS((_req, res) => res.end("secret\n"), "expired");
  silent = await startHTTP(() => {
    // Never answers.
  });
});

after(async () => {
  await selfSigned.close();
  await expired.close();
  await silent.close();
});

test("refuses an untrusted certificate: non-zero exit, the reason on stderr, no body", async () => {
  const r = await runCLI(["--cacert", ca, selfSigned.url("/")]);
  assert.equal(r.code, 60);
  assert.equal(r.stdout.length, 0);
  assert.match(r.stderr, /^mint-http: .*certificate.*localhost/i);
  assert.match(r.stderr, /tls_alert/);
  // Without --cacert the generated root is not trusted either.
  const noCA = await runCLI([selfSigned.url("/")]);
  assert.notEqual(noCA.code, 0);
  assert.match(noCA.stderr, /certificate/i);
});

test("refuses an expired certificate and says it expired", async () => {
  const r = await runCLI(["--cacert", ca, expired.url("/")]);
  assert.equal(r.code, 60);
  assert.match(r.stderr, /expired/i);
});

test("-k accepts an untrusted certificate; -v says verification was off", async () => {
  const r = await runCLI(["-k", "-v", selfSigned.url("/")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "secret\n");
  assert.match(r.stderr, /Certificate verification: off/);
});

test("--max-time ends a request the server never answers", async () => {
  const r = await runCLI(["--max-time", "1", silent.url("/")]);
  assert.equal(r.code, 28);
  assert.match(r.stderr, /timed out after 1 seconds/);
  assert.ok(r.ms < 8000, `took ${r.ms} ms`);
});

test("a refused connection exits 7 with the address in the message", async () => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const r = await runCLI([`http://127.0.0.1:${port}/`]);
  assert.equal(r.code, 7);
  assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port}.*refused.*\\(econnrefused\\)`));
});

test("bad command lines exit 2; a missing body file exits 1 before connecting", async () => {
  const noUrl = await runCLI([]);
  assert.equal(noUrl.code, 2);
  assert.match(noUrl.stderr, /no URL given/);
  const unknown = await runCLI(["--frobnicate", "http://127.0.0.1/"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option --frobnicate/);
  const missing = await runCLI(["--data-binary", "@/nonexistent/file.bin", silent.url("/")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read the body file \/nonexistent\/file\.bin/);
});

test("--help lists the options in groups; --version prints it", async () => {
  const help = await runCLI(["--help"]);
  assert.equal(help.code, 0);
  const text = help.stdout.toString();
  for (const opt of ["-X", "-H", "-d", "--data-binary", "-i", "-v", "--http1.1", "--http2", "--proxy", "--cacert", "-k", "-o", "--max-time",
    "-L", "--max-redirs", "--post301", "--compressed", "-I", "-s", "-S", "-f", "--fail-with-body", "-w", "-u", "-A", "-e", "--json",
    "--resolve", "--connect-to", "--http2-prior-knowledge", "--retry", "-Z", "%{http_code}", "%{num_connects}"]) {
    assert.ok(text.includes(opt), `help mentions ${opt}`);
  }
  for (const group of ["Request:", "Redirects and retries:", "Connection:", "Output:"]) assert.ok(text.includes(group), `help has the group ${group}`);
  const version = await runCLI(["--version"]);
  assert.match(version.stdout.toString(), /^mint-http \d+\.\d+\.\d+/);
});
