// Each Mint transport option, proven against real servers: removing the option's effect
// makes its test fail.

import assert from "node:assert/strict";
import { utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TLSSocket, type PeerCertificate } from "node:tls";
import { after, before, describe, test } from "node:test";
import { TransportError } from "../../src/errors.js";
import { testCerts } from "../support/certs.js";
import { assertAlert, end, SERVER_KINDS, startServer, tlsTo, type TestServer } from "./tls-support.js";

const certs = testCerts();
const root = [certs.rootCA.cert];

for (const kind of SERVER_KINDS) {
  describe(`transport options (${kind})`, () => {
    let valid: TestServer, chained: TestServer, wildcard: TestServer, other: TestServer;
    before(async () => {
      valid = await startServer(kind, { cert: certs.valid.cert, key: certs.valid.key });
      chained = await startServer(kind, { cert: certs.chained.cert, key: certs.chained.key });
      wildcard = await startServer(kind, { cert: certs.wildcard.cert, key: certs.wildcard.key });
      other = await startServer(kind, { cert: certs.otherHost.cert, key: certs.otherHost.key });
    });
    after(async () => {
      for (const s of [valid, chained, wildcard, other]) await s.close();
    });

    test("cacertfile: trusted from a PEM file; re-read when the file changes", async () => {
      const file = join(certs.dir, `ca-${kind}.pem`);
      writeFileSync(file, certs.rootCA.cert);
      await end(await tlsTo(valid.port, "localhost", { cacertfile: file }));
      writeFileSync(file, certs.selfSigned.cert);
      utimesSync(file, new Date(), new Date(Date.now() + 5000));
      await assertAlert(tlsTo(valid.port, "localhost", { cacertfile: file }), "unknown_ca", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", /unknown authority/);
    });

    test("cacertfile that cannot be read", async () => {
      await assert.rejects(tlsTo(valid.port, "localhost", { cacertfile: join(certs.dir, "missing.pem") }),
        (e: unknown) => e instanceof TransportError && e.reason === "options" && e.details?.code === "ENOENT" && /missing\.pem/.test(e.message));
    });

    test("cacerts as DER bytes", async () => {
      const der = new Uint8Array(Buffer.from(certs.rootCA.cert.replace(/-----[A-Z ]+-----|\s/g, ""), "base64"));
      await end(await tlsTo(valid.port, "localhost", { cacerts: [der] }));
    });

    test("partialChain (default on): a store holding only the intermediate is enough", async () => {
      const s = await tlsTo(chained.port, "localhost", { cacerts: [certs.intermediateCA.cert] });
      assert.equal(s.authorized, true);
      await end(s);
      await assertAlert(tlsTo(chained.port, "localhost", { cacerts: [certs.intermediateCA.cert], partialChain: false }),
        "unknown_ca", /^UNABLE_TO_GET_ISSUER_CERT/, /unknown authority/);
    });

    test("a verified full handshake builds the detailed peer chain once, and the checks use it", async () => {
      const proto = TLSSocket.prototype as unknown as { getPeerCertificate(detailed?: boolean): PeerCertificate };
      const original = proto.getPeerCertificate;
      let detailed = 0;
      proto.getPeerCertificate = function (this: TLSSocket, d?: boolean) {
        if (d === true) detailed++;
        return original.call(this, d);
      };
      try {
        // Node builds it for checkServerIdentity; connectTLS checks depth and host name on that one.
        await end(await tlsTo(chained.port, "localhost", { cacerts: root, reuseSessions: false }));
        assert.equal(detailed, 1);
        await assertAlert(tlsTo(chained.port, "localhost", { cacerts: root, reuseSessions: false, depth: 0 }), "unknown_ca", "CERT_CHAIN_TOO_LONG", /more than depth 0/);
        await assertAlert(tlsTo(chained.port, "other.test", { cacerts: root, reuseSessions: false }), "hostname_check_failed", /./, /does not match other\.test/);
      } finally {
        proto.getPeerCertificate = original;
      }
    });

    test("depth: intermediates beyond the limit are refused", async () => {
      await end(await tlsTo(chained.port, "localhost", { cacerts: root, depth: 1 }));
      await end(await tlsTo(chained.port, "localhost", { cacerts: root })); // default 4
      await assertAlert(tlsTo(chained.port, "localhost", { cacerts: root, depth: 0 }), "unknown_ca", "CERT_CHAIN_TOO_LONG",
        /^certificate chain of localhost has 1 intermediate CA certificate, more than depth 0 allows\. Raise the `depth` transport option/);
      // A trusted intermediate is the trust anchor: nothing between it and the leaf.
      await end(await tlsTo(chained.port, "localhost", { cacerts: [certs.intermediateCA.cert], depth: 0 }));
    });

    test("verifyFun replaces the host name check and sees the host and the certificate", async () => {
      const seen: Array<[string, string | undefined]> = [];
      const verifyFun = (host: string, cert: PeerCertificate) => { seen.push([host, cert.subjectaltname]); return undefined; };
      await end(await tlsTo(other.port, "localhost", { cacerts: root, verifyFun }));
      assert.deepEqual(seen, [["localhost", "DNS:other.test"]]);
      const refused = await assertAlert(tlsTo(valid.port, "localhost", { cacerts: root, verifyFun: () => new Error("pinned key differs") }),
        "bad_certificate", "ERR_TLS_VERIFY_FUN", /^certificate for localhost was refused by verifyFun: pinned key differs$/);
      assert.equal((refused.cause as Error).message, "pinned key differs");
    });

    test("verifyFun does not skip chain verification", async () => {
      const self = await startServer(kind, { cert: certs.selfSigned.cert, key: certs.selfSigned.key });
      try {
        await assertAlert(tlsTo(self.port, "localhost", { cacerts: root, verifyFun: () => undefined }), "unknown_ca", "DEPTH_ZERO_SELF_SIGNED_CERT", /self-signed/);
      } finally {
        await self.close();
      }
    });

    test("hostname: connect to 127.0.0.1, verify and send SNI as localhost", async () => {
      const before = valid.servernames.length;
      const c = await tlsTo(valid.port, "localhost", { cacerts: root });
      await valid.handshakes(before + 1);
      await end(c);
      assert.equal(valid.servernames[before], "localhost");
    });

    test("serverNameIndication: an IP literal host sends none; a string overrides and is verified; false sends none", async () => {
      let n = wildcard.servernames.length;
      await assertAlert(tlsTo(wildcard.port, "127.0.0.1", { cacerts: root }), "hostname_check_failed", "ERR_TLS_CERT_ALTNAME_INVALID", /does not match 127\.0\.0\.1/);
      assert.ok(!wildcard.servernames[n], `server saw ${String(wildcard.servernames[n])}`);
      n = wildcard.servernames.length;
      const c1 = await tlsTo(wildcard.port, "127.0.0.1", { cacerts: root, serverNameIndication: "www.example.test" });
      await wildcard.handshakes(n + 1);
      await end(c1);
      assert.equal(wildcard.servernames[n], "www.example.test");
      n = valid.servernames.length;
      const c2 = await tlsTo(valid.port, "localhost", { cacerts: root, serverNameIndication: false });
      await valid.handshakes(n + 1);
      await end(c2);
      assert.ok(!valid.servernames[n], `server saw ${String(valid.servernames[n])}`);
    });

    test("versions: default negotiates TLS 1.3; [tlsv1.2] gets TLS 1.2", async () => {
      const a = await tlsTo(valid.port, "localhost", { cacerts: root });
      assert.equal(a.getProtocol(), "TLSv1.3");
      await end(a);
      const b = await tlsTo(valid.port, "localhost", { cacerts: root, versions: ["tlsv1.2"] });
      assert.equal(b.getProtocol(), "TLSv1.2");
      await end(b);
    });

    test("versions: server TLS 1.3 only vs client TLS 1.2 only", async () => {
      const s13 = await startServer(kind, { cert: certs.valid.cert, key: certs.valid.key, minVersion: "TLSv1.3" });
      try {
        await assertAlert(tlsTo(s13.port, "localhost", { cacerts: root, versions: ["tlsv1.2"] }), "protocol_version", /VERSION/,
          new RegExp(`^The server at localhost:${s13.port} refused the TLS handshake: it supports no TLS version we offered\\. .*\`versions\``));
      } finally {
        await s13.close();
      }
    });

    test("versions: server TLS 1.2 only vs client TLS 1.3 only", async () => {
      const s12 = await startServer(kind, { cert: certs.valid.cert, key: certs.valid.key, maxVersion: "TLSv1.2" });
      try {
        await assertAlert(tlsTo(s12.port, "localhost", { cacerts: root, versions: ["tlsv1.3"] }), "protocol_version", /VERSION|PROTOCOL/, /no TLS version (in common|we offered)/);
        const ok = await tlsTo(s12.port, "localhost", { cacerts: root });
        assert.equal(ok.getProtocol(), "TLSv1.2");
        await end(ok);
      } finally {
        await s12.close();
      }
    });

    test("ciphers: a CBC-only server is refused by default, reached with the caller's list", async () => {
      const cbc = "ECDHE-ECDSA-AES128-SHA";
      const s = await startServer(kind, { cert: certs.valid.cert, key: certs.valid.key, maxVersion: "TLSv1.2", ciphers: cbc });
      try {
        await assertAlert(tlsTo(s.port, "localhost", { cacerts: root }), "handshake_failure", /HANDSHAKE_FAILURE|CIPHER/, /found no cipher suite, key exchange group or signature algorithm in common with us.*`ciphers`/);
        const c = await tlsTo(s.port, "localhost", { cacerts: root, ciphers: [cbc] }, ["http/1.1"]);
        assert.equal(c.getCipher().standardName, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA");
        await end(c);
      } finally {
        await s.close();
      }
    });

    test("ciphers: the caller's list is what is offered", async () => {
      const c = await tlsTo(valid.port, "localhost", { cacerts: root, versions: ["tlsv1.2"], ciphers: "ECDHE-ECDSA-CHACHA20-POLY1305" });
      assert.equal(c.getCipher().name, "ECDHE-ECDSA-CHACHA20-POLY1305");
      await end(c);
    });

    test("unknown cipher names are a TypeError", async () => {
      await assert.rejects(tlsTo(valid.port, "localhost", { cacerts: root, ciphers: ["NOT-A-CIPHER"] }), TypeError);
    });

    test("plain tls options pass through: a client certificate", async () => {
      const mtls = await startServer(kind, { cert: certs.valid.cert, key: certs.valid.key, requestCert: true, rejectUnauthorized: true, ca: root });
      try {
        const c = await tlsTo(mtls.port, "localhost", { cacerts: root, cert: certs.client.cert, key: certs.client.key });
        await mtls.handshakes(1);
        assert.equal(mtls.sockets.at(-1)?.getPeerCertificate().subject.CN, "mint-http client");
        await end(c);
      } finally {
        await mtls.close();
      }
    });
  });
}
