// The mint-http command when things go wrong: untrusted or expired certificates, --max-time,
// refused connections, bad command lines, missing files. Each exits non-zero with a reason.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { testCerts } from "../support/certs.js";
import { OPTION_SPELLINGS } from "../../src/cli/args.js";
import { LOAD_OPTION_SPELLINGS } from "../../src/cli/load-args.js";
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
  assert.match(r.stderr, /^mint-http: \(28\) Operation timed out after \d+ milliseconds with 0 bytes received$/m);
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

test("--help lists every option, in groups; load --help lists every load option; --version prints it", async () => {
  const [help, loadHelp] = await Promise.all([runCLI(["--help"]), runCLI(["load", "--help"])]);
  assert.equal(help.code, 0);
  assert.equal(loadHelp.code, 0);
  const text = help.stdout.toString();
  // Each spelling stands on its own (not as part of a longer option name).
  const lists = (t: string, o: string): boolean => new RegExp(`(^|[\\s,])${o.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([\\s,]|$)`, "m").test(t);
  for (const opt of OPTION_SPELLINGS) assert.ok(lists(text, opt), `help lists ${opt}`);
  for (const opt of LOAD_OPTION_SPELLINGS) assert.ok(lists(loadHelp.stdout.toString(), opt), `load help lists ${opt}`);
  for (const v of ["%{http_code}", "%{num_connects}", "%{url_effective}"]) assert.ok(text.includes(v), `help mentions ${v}`);
  for (const group of ["Request:", "Redirects and retries:", "Connection:", "Output:"]) assert.ok(text.includes(group), `help has the group ${group}`);
  const version = await runCLI(["--version"]);
  assert.match(version.stdout.toString(), /^mint-http \d+\.\d+\.\d+/);
});
