// Turns TLS handshake and verification failures into TransportError `tls_alert`, with
// `details.alert` (Mint's alert name), `details.code` (Node's / OpenSSL's own code) and a
// message that names the host and what is wrong.
//
// Alert mapping:
// - unknown_ca: the chain does not lead to a trusted CA (self-signed leaf, self-signed CA in
//   the chain, issuer missing from the store, chain longer than `depth`).
// - certificate_expired: CERT_HAS_EXPIRED, and also CERT_NOT_YET_VALID: a certificate outside
//   its validity period either way. OpenSSL sends the certificate_expired alert for both
//   (ssl_verify_alarm_type) and Erlang's public_key reports both as cert_expired.
// - hostname_check_failed: the certificate is not for the host (ERR_TLS_CERT_ALTNAME_INVALID).
// - bad_certificate: any other verification failure (bad signature, not a CA, wrong purpose,
//   revoked, a `verifyFun` refusal) or a bad_certificate alert from the server.
// - protocol_version: no TLS version in common, or the server did not answer with TLS.
// - handshake_failure: no cipher in common and every other handshake alert.

import type { PeerCertificate } from "node:tls";
import { TransportError } from "../errors.js";
import type { IdentityMismatch } from "./hostname-check.js";

export type TLSAlert = "unknown_ca" | "certificate_expired" | "hostname_check_failed" | "bad_certificate" | "handshake_failure" | "protocol_version";

function alertError(alert: TLSAlert, code: string, message: string, cause?: unknown, extra?: Record<string, unknown>): TransportError {
  return new TransportError("tls_alert", message, { alert, code, ...extra }, cause === undefined ? undefined : { cause });
}

const UNKNOWN_CA_WHY: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "self-signed certificate in the chain",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "issuer not in the trust store",
  UNABLE_TO_GET_ISSUER_CERT: "issuer not in the trust store",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the chain does not reach a trusted CA; is the server missing an intermediate?",
  UNABLE_TO_GET_CRL: "no revocation list for the issuer",
};

/** The certificates of a peer chain, leaf first, following issuerCertificate links. */
export function chainOf(cert: PeerCertificate | undefined): PeerCertificate[] {
  const out: PeerCertificate[] = [];
  let c = cert as (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined;
  while (c && c.raw && out.length < 32) {
    out.push(c);
    const next = c.issuerCertificate;
    if (!next || next === c || next.fingerprint256 === c.fingerprint256) break;
    c = next;
  }
  return out;
}

function name(c: PeerCertificate): string {
  const cn = c.subject?.CN;
  return Array.isArray(cn) ? cn.join(",") : cn ?? "(no CN)";
}

function iso(date: string): string {
  const d = new Date(date);
  return Number.isNaN(d.getTime()) ? date : d.toISOString();
}

/**
 * Maps an OpenSSL verification result (`socket.authorizationError`) to a tls_alert error.
 * `peer` is `getPeerCertificate(true)`, used to say which certificate is at fault.
 */
export function verifyError(code: string, host: string, peer: PeerCertificate | undefined, now = Date.now()): TransportError {
  const chain = chainOf(peer);
  if (Object.hasOwn(UNKNOWN_CA_WHY, code))
    return alertError("unknown_ca", code, `certificate for ${host} is signed by an unknown authority (${UNKNOWN_CA_WHY[code]})`);
  if (code === "CERT_HAS_EXPIRED") {
    const i = chain.findIndex((c) => new Date(c.valid_to).getTime() < now);
    const c = chain[i === -1 ? 0 : i];
    const which = i > 0 ? `CA certificate "${name(c!)}" in the chain of ${host}` : "certificate";
    return alertError("certificate_expired", code, `${which} expired on ${c ? iso(c.valid_to) : "an unknown date"} (host ${host})`);
  }
  if (code === "CERT_NOT_YET_VALID") {
    const i = chain.findIndex((c) => new Date(c.valid_from).getTime() > now);
    const c = chain[i === -1 ? 0 : i];
    const which = i > 0 ? `CA certificate "${name(c!)}" in the chain of ${host}` : "certificate";
    return alertError("certificate_expired", code, `${which} is not valid before ${c ? iso(c.valid_from) : "an unknown date"} (host ${host})`);
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID")
    return alertError("hostname_check_failed", code, `certificate does not match ${host}`);
  return alertError("bad_certificate", code, `certificate for ${host} was refused: ${code.toLowerCase().replace(/_/g, " ")}`);
}

/** The certificate is not for `host`. */
export function hostnameError(host: string, mismatch: IdentityMismatch): TransportError {
  const names = mismatch.certNames.length ? mismatch.certNames.join(", ") : "no name";
  return alertError("hostname_check_failed", "ERR_TLS_CERT_ALTNAME_INVALID",
    `certificate for ${names} does not match ${host}${mismatch.why ? ` (${mismatch.why})` : ""}`, undefined, { certNames: mismatch.certNames });
}

/** The peer chain has more intermediate CAs than `depth` allows. */
export function depthError(host: string, intermediates: number, depth: number): TransportError {
  return alertError("unknown_ca", "CERT_CHAIN_TOO_LONG",
    `certificate chain of ${host} has ${intermediates} intermediate CA certificate${intermediates === 1 ? "" : "s"}, more than depth ${depth} allows`);
}

/** A `verifyFun` returned (or threw) an error. */
export function verifyFunError(host: string, err: unknown): TransportError {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = typeof (e as NodeJS.ErrnoException).code === "string" ? (e as NodeJS.ErrnoException).code! : "ERR_TLS_VERIFY_FUN";
  const alert: TLSAlert = code === "ERR_TLS_CERT_ALTNAME_INVALID" ? "hostname_check_failed" : "bad_certificate";
  return alertError(alert, code, `certificate for ${host} was refused by verifyFun: ${e.message}`, e);
}

/**
 * Maps an error emitted by the TLS socket before the handshake completed.
 * Returns TransportError `tls_alert`, `closed` (peer closed or reset the connection during the
 * handshake), or the lowercase socket code.
 */
export function handshakeError(err: unknown, host: string, port: number): TransportError {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === "string" ? e.code : "";
  const where = `${host}:${port}`;
  if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) {
    const c = code.slice(8);
    if (c.includes("WRONG_VERSION_NUMBER") || c.includes("PACKET_LENGTH_TOO_LONG"))
      return alertError("protocol_version", code, `TLS handshake with ${where} failed: the server did not answer with TLS (${c.toLowerCase().replace(/_/g, " ")}); is it plain HTTP?`, e);
    if (/VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|INAPPROPRIATE_FALLBACK/.test(c))
      return alertError("protocol_version", code, `TLS handshake with ${where} failed: no TLS version in common (${c.toLowerCase().replace(/_/g, " ")}); see the "versions" option`, e);
    if (/UNKNOWN_CA/.test(c)) return alertError("unknown_ca", code, `TLS handshake with ${where} failed: the server does not trust our certificate (unknown ca)`, e);
    if (/CERTIFICATE_EXPIRED/.test(c)) return alertError("certificate_expired", code, `TLS handshake with ${where} failed: the server says a certificate expired`, e);
    if (/BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|CERTIFICATE_UNKNOWN|CERTIFICATE_REQUIRED|CERTIFICATE_REVOKED/.test(c))
      return alertError("bad_certificate", code, `TLS handshake with ${where} failed: ${c.toLowerCase().replace(/_/g, " ")} (does the server require a client certificate?)`, e);
    if (/CIPHER/.test(c) || c.endsWith("HANDSHAKE_FAILURE"))
      return alertError("handshake_failure", code, `TLS handshake with ${where} failed: no cipher suite or parameters in common (${c.toLowerCase().replace(/_/g, " ")}); see the "ciphers" option`, e);
    return alertError("handshake_failure", code, `TLS handshake with ${where} failed: ${e.message}`, e);
  }
  if (code === "ECONNRESET" || code === "EPIPE" || code === "")
    return new TransportError("closed", `${where} closed the connection during the TLS handshake`, code ? { code } : undefined, { cause: e });
  return new TransportError(code.toLowerCase(), `TLS handshake with ${where} failed: ${e.message}`, { code }, { cause: e });
}
