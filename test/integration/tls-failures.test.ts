// Handshakes that never finish, peers that hang up or speak no TLS, and TLS inside TLS.

import assert from "node:assert/strict";
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import { after, before, describe, test } from "node:test";
import { TransportError } from "../../src/errors.js";
import { connectTLS } from "../../src/transport/tls.js";
import { testCerts } from "../support/certs.js";
import { assertAlert, end, startServer, tcp, type TestServer } from "./tls-support.js";

const certs = testCerts();
const root = [certs.rootCA.cert];

async function listen(server: net.Server | http.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

describe("TLS handshake failures", () => {
  const held: net.Socket[] = [];
  const silent = net.createServer((s) => { held.push(s); s.on("error", () => {}); });
  const hangup = net.createServer((s) => s.destroy());
  const plain = http.createServer((_q, r) => r.end("plain"));
  let ports: { silent: number; hangup: number; plain: number };
  before(async () => {
    ports = { silent: await listen(silent), hangup: await listen(hangup), plain: await listen(plain) };
  });
  after(() => {
    for (const s of held) s.destroy();
    silent.close();
    hangup.close();
    plain.closeAllConnections();
    plain.close();
  });

  test("the deadline passes while the server never answers the handshake: timeout", async () => {
    const socket = await tcp(ports.silent);
    const t0 = Date.now();
    await assert.rejects(
      connectTLS({ socket, hostname: "localhost", port: ports.silent, transportOpts: { cacerts: root }, alpnProtocols: ["h2"], deadline: Date.now() + 150 }),
      (e: unknown) => e instanceof TransportError && e.reason === "timeout" && /did not finish before the connect timeout/.test(e.message));
    const took = Date.now() - t0;
    assert.ok(took >= 140 && took < 2000, `took ${took} ms`);
    assert.equal(socket.destroyed, true);
  });

  test("a deadline already passed fails at once and destroys the socket", async () => {
    const socket = await tcp(ports.silent);
    await assert.rejects(
      connectTLS({ socket, hostname: "localhost", port: ports.silent, transportOpts: {}, alpnProtocols: [], deadline: Date.now() - 1 }),
      (e: unknown) => e instanceof TransportError && e.reason === "timeout");
    assert.equal(socket.destroyed, true);
  });

  test("the peer hangs up during the handshake: closed", async () => {
    const socket = await tcp(ports.hangup);
    await assert.rejects(
      connectTLS({ socket, hostname: "localhost", port: ports.hangup, transportOpts: {}, alpnProtocols: [], deadline: Infinity }),
      (e: unknown) => e instanceof TransportError && e.reason === "closed" && new RegExp(`localhost:${ports.hangup} closed the connection during the TLS handshake`).test(e.message));
    assert.equal(socket.destroyed, true);
  });

  test("a plain HTTP server: protocol_version, and the message says so", async () => {
    const socket = await tcp(ports.plain);
    await assertAlert(connectTLS({ socket, hostname: "localhost", port: ports.plain, transportOpts: {}, alpnProtocols: [], deadline: Date.now() + 5000 }),
      "protocol_version", /^ERR_SSL_/, /did not answer with TLS .*is it plain HTTP\?/);
    assert.equal(socket.destroyed, true);
  });

  test("bad options reject with TypeError and destroy the socket", async () => {
    const socket = await tcp(ports.silent);
    await assert.rejects(connectTLS({ socket, hostname: "localhost", port: ports.silent, transportOpts: { ciphers: "NOPE" }, alpnProtocols: [], deadline: Infinity }), TypeError);
    assert.equal(socket.destroyed, true);
  });
});

describe("TLS inside TLS (HTTPS proxy tunnel)", () => {
  let target: TestServer;
  let proxy: tls.Server;
  let proxyPort: number;
  before(async () => {
    target = await startServer("h2", { cert: certs.chained.cert, key: certs.chained.key });
    // A TLS "proxy" (certificate for other.test) relaying every connection to the target.
    proxy = tls.createServer({ cert: certs.otherHost.cert, key: certs.otherHost.key }, (s) => {
      const upstream = net.connect(target.port, "127.0.0.1");
      s.pipe(upstream).pipe(s);
      s.on("error", () => upstream.destroy());
      upstream.on("error", () => s.destroy());
    });
    proxyPort = await listen(proxy);
  });
  after(async () => {
    proxy.close();
    await target.close();
  });

  test("connectTLS over a TLSSocket: both hops verified, ALPN from the inner server", async () => {
    const outer = await connectTLS({ socket: await tcp(proxyPort), hostname: "other.test", port: proxyPort, transportOpts: { cacerts: root }, alpnProtocols: [], deadline: Date.now() + 5000 });
    outer.on("error", () => {});
    const inner = await connectTLS({ socket: outer, hostname: "localhost", port: target.port, transportOpts: { cacerts: root }, alpnProtocols: ["h2", "http/1.1"], deadline: Date.now() + 5000 });
    inner.on("error", () => {});
    assert.equal(inner.alpnProtocol, "h2");
    assert.equal(inner.getPeerCertificate().subject.CN, "localhost");
    assert.equal(outer.getPeerCertificate().subject.CN, "other.test");
    await end(inner);
    outer.destroy();
  });

  test("the inner hop is verified on its own: wrong name fails, the outer socket is destroyed", async () => {
    const outer = await connectTLS({ socket: await tcp(proxyPort), hostname: "other.test", port: proxyPort, transportOpts: { cacerts: root }, alpnProtocols: [], deadline: Date.now() + 5000 });
    outer.on("error", () => {});
    await assertAlert(connectTLS({ socket: outer, hostname: "other.test", port: target.port, transportOpts: { cacerts: root }, alpnProtocols: [], deadline: Date.now() + 5000 }),
      "hostname_check_failed", "ERR_TLS_CERT_ALTNAME_INVALID", /^certificate for localhost, 127\.0\.0\.1 does not match other\.test/);
    assert.equal(outer.destroyed, true);
  });
});
