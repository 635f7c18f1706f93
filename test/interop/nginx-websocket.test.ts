// Interop with nginx (Debian's package) as a WebSocket reverse proxy in front of the `ws`
// package's server: HTTP/1.1 Upgrade through nginx over TCP and TLS, and nginx's HTTP/2
// listener, which does not offer RFC 8441: "prefer" falls back to HTTP/1.1 (a second
// connection, ALPN http/1.1), "require" fails with extended_connect_disabled.
// Without the binary these tests fail under CI and are skipped (with the reason) otherwise.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocketServer } from "ws";
import { HTTPError } from "../../src/index.js";
import { connectWebSocket, type WebSocket } from "../../src/websocket/index.js";
import { testCerts } from "../support/certs.js";
import { freePort, interopBinary, startChild, waitForPorts, type Child } from "./support/process.js";
import { nginxPreamble } from "./support/servers.js";

const { bin, missing } = interopBinary("nginx", "apt-get install nginx");
const certs = testCerts();

function config(dir: string, http: number, https: number, backend: number): string {
  return `${nginxPreamble(dir, 128)}  server {
    listen 127.0.0.1:${http};
    listen 127.0.0.1:${https} ssl http2;
    ssl_certificate ${certs.valid.certPath};
    ssl_certificate_key ${certs.valid.keyPath};
    location / {
      proxy_pass http://127.0.0.1:${backend};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_read_timeout 30s;
    }
  }
}
`;
}

function nextMessage(ws: WebSocket): Promise<string | Uint8Array> {
  return new Promise((resolve) => ws.once("message", (d: string | Uint8Array) => resolve(d)));
}

describe("nginx WebSocket proxy", { skip: missing }, () => {
  let child: Child;
  let dir: string;
  let wss: WebSocketServer;
  let http = 0;
  let https = 0;
  const tls = { transportOpts: { cacerts: [certs.rootCA.cert] } };

  before(async () => {
    wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: true });
    await new Promise<void>((r) => wss.once("listening", () => r()));
    wss.on("connection", (s) => s.on("message", (d, isBinary) => s.send(d, { binary: isBinary })));
    dir = mkdtempSync(join(tmpdir(), "mint-http-nginx-ws-"));
    for (const t of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, "tmp", t), { recursive: true });
    http = await freePort();
    https = await freePort();
    const conf = join(dir, "nginx.conf");
    writeFileSync(conf, config(dir, http, https, (wss.address() as AddressInfo).port));
    child = startChild(bin!, ["-p", dir, "-c", conf, "-e", join(dir, "error.log")], dir);
    await waitForPorts("nginx", [http, https], child, () => {
      try {
        return readFileSync(join(dir, "error.log"), "utf8");
      } catch {
        return "";
      }
    });
  });
  after(async () => {
    await child?.stop();
    for (const c of wss?.clients ?? []) c.terminate();
    await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function roundTrip(ws: WebSocket): Promise<void> {
    ws.send("through nginx");
    assert.equal(await nextMessage(ws), "through nginx");
    const big = "x".repeat(200_000);
    ws.send(big);
    assert.equal(await nextMessage(ws), big);
    const info = await ws.close(1000, "bye");
    assert.equal(info.code, 1000);
    assert.equal(info.wasClean, true);
  }

  test("ws:// through nginx (HTTP/1.1 Upgrade, permessage-deflate end to end)", async () => {
    const ws = await connectWebSocket(`ws://127.0.0.1:${http}/chat`);
    assert.equal(ws.httpVersion, "http1");
    assert.match(ws.extensions, /permessage-deflate/);
    await roundTrip(ws);
  });

  test("wss:// with http2 \"prefer\": nginx's h2 has no RFC 8441, so HTTP/1.1 over TLS", async () => {
    const ws = await connectWebSocket(`wss://127.0.0.1:${https}/chat`, { connect: tls });
    assert.equal(ws.httpVersion, "http1");
    await roundTrip(ws);
  });

  test("wss:// with http2 \"require\": extended_connect_disabled", async () => {
    await assert.rejects(
      connectWebSocket(`wss://127.0.0.1:${https}/chat`, { http2: "require", connect: tls }),
      (e: unknown) => e instanceof HTTPError && e.protocol === "websocket" && e.reason === "extended_connect_disabled",
    );
  });
});
