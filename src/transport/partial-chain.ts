// Partial chain trust: accept a peer chain that reaches a CA of the trust store even when
// that CA is not a self-signed root (for example a store holding only an intermediate).
//
// Node 20.18+ and 22.9+ have `allowPartialTrustChain` (OpenSSL's X509_V_FLAG_PARTIAL_CHAIN),
// which connectTLS passes on. On older Node the flag is ignored, so this module re-checks a
// chain OpenSSL refused for a missing issuer: walking from the leaf, each certificate must be
// within its validity period and signed by the next one, until one is in the store or signed
// by a certificate in the store.

import { X509Certificate } from "node:crypto";
import { rootCertificates, type PeerCertificate } from "node:tls";
import { chainOf } from "./tls-errors.js";

/** True when the running Node honours `allowPartialTrustChain`. */
export const nativePartialChain: boolean = (() => {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 9) || (major === 20 && minor >= 18);
})();

/** OpenSSL verification codes that a partial chain can cure. */
export const PARTIAL_CHAIN_CODES: ReadonlySet<string> = new Set([
  "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN",
]);

/** Does the chain of `peer` reach a certificate of `trusted` (PEM list; undefined = Node's roots)? */
export function chainReachesTrustedCA(peer: PeerCertificate, trusted: readonly string[] | undefined, now = Date.now()): boolean {
  const store: X509Certificate[] = [];
  for (const pem of trusted ?? rootCertificates) {
    try {
      store.push(new X509Certificate(pem));
    } catch {
      // not a certificate: ignore
    }
  }
  const certs = chainOf(peer).map((c) => new X509Certificate(c.raw));
  for (let i = 0; i < certs.length; i++) {
    const c = certs[i]!;
    if (Date.parse(c.validFrom) > now || Date.parse(c.validTo) < now) return false;
    if (store.some((t) => t.fingerprint256 === c.fingerprint256)) return true;
    if (store.some((t) => t.ca && c.checkIssued(t) && c.verify(t.publicKey))) return true;
    const next = certs[i + 1];
    if (!next || !next.ca || !c.checkIssued(next) || !c.verify(next.publicKey)) return false;
  }
  return false;
}
