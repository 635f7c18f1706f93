// The mint-http command through a proxy: an https URL goes through a CONNECT tunnel, an http
// URL through a forward proxy; credentials in the proxy URL become Basic proxy-authorization.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { testCerts } from "../support/certs.js";
import { runCLI, startHTTPS, startProxy, type TestServer } from "./cli-support.js";

let origin: TestServer;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let ca: string;

before(async () => {
  ca = testCerts().rootCA.certPath;
  origin = await startHTTPS((req, res) => res.end(`origin ${req.httpVersion} ${req.url}\n`));
  proxy = await startProxy("alice:s3cr:t");
});

after(async () => {
  await origin.close();
  await proxy.close();
});

test("an https URL is tunnelled with CONNECT, with Basic credentials from the proxy URL", async () => {
  const r = await runCLI(["-v", "--proxy", `http://alice:s3cr%3At@127.0.0.1:${proxy.port}`, "--cacert", ca, origin.url("/via")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "origin 2.0 /via\n");
  assert.match(r.stderr, /through proxy 127\.0\.0\.1:\d+/);
  const connect = proxy.log.connects.at(-1)!;
  assert.equal(connect.target, `localhost:${origin.port}`);
  assert.equal(connect.auth, `Basic ${Buffer.from("alice:s3cr:t").toString("base64")}`);
});

test("an http URL goes to a forward proxy in absolute form", async () => {
  const r = await runCLI(["--proxy", `http://alice:s3cr%3At@127.0.0.1:${proxy.port}`, "http://example.test:8080/path?q=1"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "forwarded http://example.test:8080/path?q=1\n");
  assert.equal(proxy.log.forwards.at(-1)!.auth, `Basic ${Buffer.from("alice:s3cr:t").toString("base64")}`);
});

test("wrong proxy credentials fail with the proxy's status", async () => {
  const r = await runCLI(["--proxy", `http://alice:wrong@127.0.0.1:${proxy.port}`, "--cacert", ca, origin.url("/")]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /407/);
  assert.match(r.stderr, /unexpected_status/);
});
