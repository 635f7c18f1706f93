// The TLS transport end to end through the public connect(): verification, ALPN and
// transport options over HTTP/1 and HTTP/2 servers.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connect } from "../../src/connect.js";
import type { Connection } from "../../src/connection/connection.js";
import { TransportError } from "../../src/errors.js";
import type { ResponsePart } from "../../src/types.js";
import { testCerts } from "../support/certs.js";
import { SERVER_KINDS, startServer, type TestServer } from "./tls-support.js";

const certs = testCerts();
const root = [certs.rootCA.cert];

async function get(conn: Connection): Promise<{ status?: number; body: string }> {
  const ref = conn.request("GET", "/", [], null);
  let status: number | undefined;
  let body = "";
  for (;;) {
    const parts: ResponsePart[] = await conn.recv(0, 5000);
    for (const p of parts) {
      if (p.ref !== ref) continue;
      if (p.type === "status") status = p.status;
      if (p.type === "data") body += Buffer.from(p.data).toString();
      if (p.type === "error") throw p.error;
      if (p.type === "done") return { status, body };
    }
  }
}

for (const kind of SERVER_KINDS) {
  describe(`connect over TLS (${kind})`, () => {
    let valid: TestServer, expired: TestServer, other: TestServer;
    before(async () => {
      valid = await startServer(kind, { cert: certs.valid.cert, key: certs.valid.key });
      expired = await startServer(kind, { cert: certs.expired.cert, key: certs.expired.key });
      other = await startServer(kind, { cert: certs.otherHost.cert, key: certs.otherHost.key });
    });
    after(async () => {
      for (const s of [valid, expired, other]) await s.close();
    });
    const protocol = kind === "h2" ? "http2" : "http1";

    test("valid certificate: the protocol follows ALPN and a request succeeds", async () => {
      for (const address of ["localhost", "127.0.0.1"]) {
        const conn = await connect("https", address, valid.port, { mode: "passive", transportOpts: { cacerts: root } });
        assert.equal(conn.protocol, protocol);
        assert.deepEqual(await get(conn), { status: 200, body: "ok" });
        await conn.close();
      }
    });

    test("hostname option: connect to 127.0.0.1, verify other.test", async () => {
      const conn = await connect("https", "127.0.0.1", other.port, { mode: "passive", hostname: "other.test", transportOpts: { cacerts: root } });
      assert.equal(conn.protocol, protocol);
      await conn.close();
      await assert.rejects(connect("https", "127.0.0.1", other.port, { hostname: "localhost", transportOpts: { cacerts: root } }),
        (e: unknown) => e instanceof TransportError && e.reason === "tls_alert" && e.details?.alert === "hostname_check_failed" &&
          e.message.startsWith("certificate for other.test does not match localhost. "));
    });

    test("expired certificate fails; verify_none accepts it", async () => {
      await assert.rejects(connect("https", "localhost", expired.port, { transportOpts: { cacerts: root } }),
        (e: unknown) => e instanceof TransportError && e.details?.alert === "certificate_expired" && e.details?.code === "CERT_HAS_EXPIRED");
      const conn = await connect("https", "localhost", expired.port, { mode: "passive", transportOpts: { verify: "verify_none" } });
      assert.deepEqual(await get(conn), { status: 200, body: "ok" });
      await conn.close();
    });

    test("the default trust store does not know the test root", async () => {
      await assert.rejects(connect("https", "localhost", valid.port),
        (e: unknown) => e instanceof TransportError && e.details?.alert === "unknown_ca");
    });

    test("managed transport options are refused with a TypeError", async () => {
      await assert.rejects(connect("https", "localhost", valid.port, { transportOpts: { ALPNProtocols: ["h2"] } }), /ALPNProtocols/);
      await assert.rejects(connect("https", "localhost", valid.port, { transportOpts: { alpnAdvertisedProtocols: ["h2"] } }), TypeError);
    });

    test("protocols and versions reach the handshake", async () => {
      const conn = await connect("https", "localhost", valid.port, { mode: "passive", protocols: ["http1"], transportOpts: { cacerts: root, versions: ["tlsv1.2"] } });
      assert.equal(conn.protocol, "http1");
      const socket = conn.getSocket() as import("node:tls").TLSSocket;
      assert.equal(socket.getProtocol(), "TLSv1.2");
      assert.deepEqual(await get(conn), { status: 200, body: "ok" });
      await conn.close();
    });
  });
}
