// The certificate matrix: each case against an HTTPS (HTTP/1) and an HTTP/2 server, through
// connectTLS over a plain TCP socket.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testCerts, type CertEntry } from "../support/certs.js";
import { assertAlert, end, SERVER_KINDS, startServer, tlsTo, type TestServer } from "./tls-support.js";

const certs = testCerts();
const root = [certs.rootCA.cert];

for (const kind of SERVER_KINDS) {
  describe(`certificate matrix (${kind})`, () => {
    const servers = new Map<string, TestServer>();
    const names: Array<[string, CertEntry]> = [
      ["valid", certs.valid], ["expired", certs.expired], ["notYetValid", certs.notYetValid], ["otherHost", certs.otherHost],
      ["wildcard", certs.wildcard], ["selfSigned", certs.selfSigned], ["chained", certs.chained], ["ipOnly", certs.ipOnly], ["cnOnly", certs.cnOnly],
    ];
    const port = (name: string) => servers.get(name)!.port;
    before(async () => {
      for (const [name, c] of names) servers.set(name, await startServer(kind, { cert: c.cert, key: c.key }));
      // The chained leaf without its intermediate: the client cannot build the chain.
      servers.set("leafOnly", await startServer(kind, { cert: certs.chained.cert.split(/(?<=-----END CERTIFICATE-----\n)/)[0], key: certs.chained.key }));
    });
    after(async () => {
      for (const s of servers.values()) await s.close();
    });

    test("valid certificate for localhost is accepted and ALPN is negotiated", async () => {
      const s = await tlsTo(port("valid"), "localhost", { cacerts: root });
      assert.equal(s.alpnProtocol, kind === "h2" ? "h2" : "http/1.1");
      assert.equal(s.getProtocol(), "TLSv1.3");
      await end(s);
    });

    test("valid certificate matches 127.0.0.1 and ::1 through IP SANs", async () => {
      await end(await tlsTo(port("valid"), "127.0.0.1", { cacerts: root }));
      await end(await tlsTo(port("valid"), "::1", { cacerts: root }));
      await end(await tlsTo(port("valid"), "[::1]", { cacerts: root }));
    });

    test("default trust store is Node's bundled roots: the test root is unknown", async () => {
      await assertAlert(tlsTo(port("valid"), "localhost"), "unknown_ca", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
        /^certificate for localhost is signed by an unknown authority \(issuer not in the trust store\)\. If you trust it, add its CA/);
    });

    test("expired certificate", async () => {
      await assertAlert(tlsTo(port("expired"), "localhost", { cacerts: root }), "certificate_expired", "CERT_HAS_EXPIRED",
        /^certificate expired on 2020-01-01T00:00:00\.000Z \(host localhost\)\. The server needs a renewed certificate/);
    });

    test("not yet valid certificate", async () => {
      await assertAlert(tlsTo(port("notYetValid"), "localhost", { cacerts: root }), "certificate_expired", "CERT_NOT_YET_VALID",
        /^certificate is not valid before 2099-01-01T00:00:00\.000Z \(host localhost\)\. The server needs a renewed certificate/);
    });

    test("certificate for another host", async () => {
      await assertAlert(tlsTo(port("otherHost"), "localhost", { cacerts: root }), "hostname_check_failed", "ERR_TLS_CERT_ALTNAME_INVALID",
        /^certificate for other\.test does not match localhost\. Connect with a name the certificate is for/);
      await end(await tlsTo(port("otherHost"), "other.test", { cacerts: root }));
    });

    test("wildcard certificate matches exactly one label", async () => {
      await end(await tlsTo(port("wildcard"), "api.example.test", { cacerts: root }));
      await end(await tlsTo(port("wildcard"), "API.Example.Test.", { cacerts: root }));
      await assertAlert(tlsTo(port("wildcard"), "example.test", { cacerts: root }), "hostname_check_failed", "ERR_TLS_CERT_ALTNAME_INVALID",
        /^certificate for \*\.example\.test does not match example\.test/);
      await assertAlert(tlsTo(port("wildcard"), "a.b.example.test", { cacerts: root }), "hostname_check_failed", "ERR_TLS_CERT_ALTNAME_INVALID",
        /does not match a\.b\.example\.test/);
    });

    test("self-signed certificate is refused, and accepted when it is in cacerts", async () => {
      await assertAlert(tlsTo(port("selfSigned"), "localhost", { cacerts: root }), "unknown_ca", "DEPTH_ZERO_SELF_SIGNED_CERT",
        /^certificate for localhost is signed by an unknown authority \(self-signed\)\. If you trust it, add its CA/);
      await end(await tlsTo(port("selfSigned"), "localhost", { cacerts: [certs.selfSigned.cert] }));
    });

    test("chain through an intermediate sent by the server", async () => {
      const s = await tlsTo(port("chained"), "localhost", { cacerts: root });
      assert.equal(s.getPeerCertificate(true).issuerCertificate.subject.CN, "mint-http Test Intermediate CA");
      await end(s);
    });

    test("server that omits the intermediate", async () => {
      await assertAlert(tlsTo(port("leafOnly"), "localhost", { cacerts: root }), "unknown_ca", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
        /^certificate for localhost is signed by an unknown authority \(issuer not in the trust store\)\. If you trust it, add its CA/);
    });

    test("IP-only certificate: IP literal matches, DNS name does not", async () => {
      await end(await tlsTo(port("ipOnly"), "127.0.0.1", { cacerts: root }));
      await assertAlert(tlsTo(port("ipOnly"), "localhost", { cacerts: root }), "hostname_check_failed", "ERR_TLS_CERT_ALTNAME_INVALID",
        /^certificate for 127\.0\.0\.1, 0:0:0:0:0:0:0:1 does not match localhost \(the certificate has no DNS names\)\. Connect with a name the certificate is for/);
      await assertAlert(tlsTo(port("otherHost"), "127.0.0.1", { cacerts: root }), "hostname_check_failed", "ERR_TLS_CERT_ALTNAME_INVALID",
        /does not match 127\.0\.0\.1 \(the certificate has no IP address names\)/);
    });

    test("certificate without subjectAltName: the CN is not used", async () => {
      await assertAlert(tlsTo(port("cnOnly"), "localhost", { cacerts: root }), "hostname_check_failed", "ERR_TLS_CERT_ALTNAME_INVALID",
        /^certificate for CN=localhost does not match localhost \(the certificate has no subjectAltName/);
    });

    test("verify_none accepts expired, self-signed and wrong-host certificates", async () => {
      for (const name of ["expired", "selfSigned", "otherHost", "cnOnly", "leafOnly"]) {
        const s = await tlsTo(port(name), "localhost", { verify: "verify_none" });
        assert.equal(s.authorized, false, name);
        await end(s);
      }
    });
  });
}
