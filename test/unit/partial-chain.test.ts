// The partial chain check used on Node without allowPartialTrustChain.

import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import type { PeerCertificate } from "node:tls";
import { test } from "node:test";
import { chainReachesTrustedCA, nativePartialChain } from "../../src/transport/partial-chain.js";
import { testCerts } from "../support/certs.js";

const certs = testCerts();

/** A PeerCertificate-shaped chain (leaf first) linked by issuerCertificate, as getPeerCertificate(true) gives. */
function peerChain(...pems: string[]): PeerCertificate {
  const nodes = pems.map((p) => {
    const x = new X509Certificate(p);
    return { raw: x.raw, fingerprint256: x.fingerprint256, subject: { CN: x.subject }, issuerCertificate: undefined as unknown };
  });
  nodes.forEach((n, i) => { n.issuerCertificate = nodes[i + 1] ?? n; });
  return nodes[0] as unknown as PeerCertificate;
}
const first = (pem: string) => pem.split(/(?<=-----END CERTIFICATE-----\n)/)[0]!;
const leaf = first(certs.chained.cert);

test("a store holding only the intermediate is reached", () => {
  assert.equal(chainReachesTrustedCA(peerChain(leaf, certs.intermediateCA.cert), [certs.intermediateCA.cert]), true);
  assert.equal(chainReachesTrustedCA(peerChain(leaf), [certs.intermediateCA.cert]), true);
});

test("a store holding the root is reached through the sent intermediate", () => {
  assert.equal(chainReachesTrustedCA(peerChain(leaf, certs.intermediateCA.cert), [certs.rootCA.cert]), true);
  assert.equal(chainReachesTrustedCA(peerChain(leaf), [certs.rootCA.cert]), false, "intermediate missing");
});

test("unrelated stores, broken links and expired certificates are refused", () => {
  assert.equal(chainReachesTrustedCA(peerChain(leaf, certs.intermediateCA.cert), [certs.selfSigned.cert]), false);
  assert.equal(chainReachesTrustedCA(peerChain(certs.valid.cert, certs.intermediateCA.cert), [certs.intermediateCA.cert]), false);
  assert.equal(chainReachesTrustedCA(peerChain(certs.expired.cert), [certs.rootCA.cert]), false);
  assert.equal(chainReachesTrustedCA(peerChain(certs.valid.cert), [certs.rootCA.cert]), true);
  assert.equal(chainReachesTrustedCA(peerChain(certs.valid.cert), undefined), false, "Node's bundled roots do not hold the test root");
});

test("native support is detected from the Node version", () => {
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  assert.equal(nativePartialChain, major > 22 || (major === 22 && minor >= 9) || (major === 20 && minor >= 18));
});
