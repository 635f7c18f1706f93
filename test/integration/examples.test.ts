// Runs each example as a child process, so that they keep working: exit 0 and the output
// that shows what the example is about.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { ROOT, runNode } from "./cli-support.js";

function runExample(name: string, args: string[] = []) {
  return runNode(["--import", "tsx", join(ROOT, "examples", name), ...args], 30_000);
}

test("examples/get.ts fetches from its own local server", async () => {
  const r = await runExample("get.ts");
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.toString();
  assert.match(out, /connected to 127\.0\.0\.1:\d+ over http1/);
  assert.match(out, /status 200/);
  assert.match(out, /content-length: 26/);
  assert.match(out, /hello from a local server/);
});

test("examples/get.ts takes a URL argument", async () => {
  const server = http.createServer((req, res) => res.end(`served ${req.url}`));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const r = await runExample("get.ts", [`http://127.0.0.1:${(server.address() as AddressInfo).port}/given?x=1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.toString(), /served \/given\?x=1/);
  } finally {
    server.close();
  }
});

test("examples/passive-loop.ts reads three pipelined responses with recv", async () => {
  const r = await runExample("passive-loop.ts");
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.toString();
  for (const p of ["/a", "/b", "/c"]) assert.ok(out.includes(`${p}: done, body "you asked for ${p}"`), out);
  assert.match(out, /open requests: 0/);
});

test("examples/http2-multiplexing.ts runs 50 requests on one HTTP/2 connection", async () => {
  const r = await runExample("http2-multiplexing.ts");
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.toString();
  assert.match(out, /protocol: http2/);
  assert.match(out, /50 requests in flight on one connection/);
  assert.match(out, /50 responses in \d+ ms/);
  assert.match(out, /PING answered by a pong part/);
});

test("examples/streamed-upload.ts streams 5 MiB within the window and ends with a trailer", async () => {
  const r = await runExample("streamed-upload.ts");
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.toString();
  assert.match(out, /streamed 5120000 bytes; waited for the send window [1-9]\d* times/);
  const received = JSON.parse(/server received: (.*)/.exec(out)![1]!);
  assert.equal(received.size, 5120000);
  assert.equal(received.trailers["x-checksum"], received.sha256);
});

test("examples/proxy.ts tunnels to an HTTPS origin through an authenticating proxy", async () => {
  const r = await runExample("proxy.ts");
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.toString();
  assert.match(out, /proxy: CONNECT localhost:\d+/);
  assert.match(out, /the proxy answered with headers \[\["via","example-proxy"\]\]/);
  assert.match(out, /body: hello through the tunnel, over HTTP\/2/);
  assert.match(out, /with wrong credentials: HTTPError unexpected_status \(status 407\)/);
});

test("the demo (npm run demo) runs to the end and closes everything", async () => {
  const r = await runNode(["--import", "tsx", join(ROOT, "scripts", "demo.ts")], 60_000);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.toString();
  assert.match(out, /negotiated http2/);
  assert.match(out, /protocols: \["http1"\] -> http1/);
  assert.match(out, /100\/100 responses with status 200/);
  assert.match(out, /responses arrived in request order: true/);
  assert.match(out, /sent 8388608 bytes/);
  assert.match(out, /TransportError reason=tls_alert alert=unknown_ca/);
  assert.match(out, /200 responses over 1 connection\(s\) \(1 HTTP\/2\)/);
  assert.match(out, /60 requests on 4 keep-alive sockets \(4 HTTP\/1\.1/);
  assert.match(out, /fetch says: 200 GET \/fetch over HTTP\/2/);
  assert.match(out, /echoed: hello, 100000 bytes, bye/);
  assert.match(out, /closed: code 1000, clean: true/);
  assert.match(out, /Summary of timings/);
  assert.match(out, /All connections closed; done\./);
});
