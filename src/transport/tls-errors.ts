// Turns TLS handshake and verification failures into TransportError `tls_alert`, with
// `details.alert` (the alert's RFC 8446 §6 name, as Mint reports it), `details.code` (Node's /
// OpenSSL's own code) and a message that names the server, what is wrong and what to do.
// OpenSSL's own text ("SSL routines", source files, hex codes) stays in `cause`.
//
// Alerts the server sends are named from tls-alerts.ts (every registered alert number, e.g.
// no_application_protocol when it refuses our ALPN offer, certificate_required when it wants
// a client certificate). Failures found on our side are named as follows.
//
// Certificate verification (ours, after the handshake):
// - unknown_ca: the chain does not lead to a trusted CA (self-signed leaf, self-signed CA in
//   the chain, issuer missing from the store, chain longer than `depth`).
// - certificate_expired: CERT_HAS_EXPIRED, and also CERT_NOT_YET_VALID: a certificate outside
//   its validity period either way. OpenSSL sends the certificate_expired alert for both
//   (ssl_verify_alarm_type) and Erlang's public_key reports both as cert_expired.
// - hostname_check_failed: the certificate is not for the host (ERR_TLS_CERT_ALTNAME_INVALID).
// - certificate_revoked (CERT_REVOKED), unsupported_certificate (INVALID_PURPOSE), as OpenSSL.
// - bad_certificate: any other verification failure (bad signature, not a CA, a `verifyFun`
//   refusal).
// Handshake failures OpenSSL detects (tls-alerts.ts `localAlert`): protocol_version (no TLS
// version in common, or the server did not answer with TLS), handshake_failure (no cipher
// or group in common, and any code not known), bad_record_mac, decode_error, ...

import type { PeerCertificate } from "node:tls";
import { TransportError } from "../errors.js";
import type { IdentityMismatch } from "./hostname-check.js";
import { localAlert, receivedAlert } from "./tls-alerts.js";

/**
 * `details.alert` of a tls_alert error: an RFC 8446 §6 alert name (see tls-alerts.ts), or
 * `hostname_check_failed` when the certificate is not for the host (as Mint names it).
 */
export type TLSAlert = string;

function alertError(alert: TLSAlert, code: string, message: string, cause?: unknown, extra?: Record<string, unknown>): TransportError {
  return new TransportError("tls_alert", message, { alert, code, ...extra }, cause === undefined ? undefined : { cause });
}

/** What to do about a certificate we refused, by alert: the second sentence of the message. */
const VERIFY_HINT: Readonly<Record<string, string>> = {
  unknown_ca: "If you trust it, add its CA (or the certificate itself) with the `cacerts` or `cacertfile` transport option; if the server omits an intermediate CA, it must send its full chain.",
  certificate_expired: "The server needs a renewed certificate; also check this machine's clock.",
  hostname_check_failed: "Connect with a name the certificate is for (the `hostname` option), or check the names with `verifyFun`.",
  certificate_revoked: "The server needs a new certificate.",
  unsupported_certificate: "The server needs a certificate issued for TLS server authentication.",
  bad_certificate: "The server needs a valid certificate; `verify: \"verify_none\"` skips the check (for tests only).",
  depth: "Raise the `depth` transport option if this chain is expected.",
};

function verifyAlert(alert: TLSAlert, code: string, message: string, hint = VERIFY_HINT[alert], extra?: Record<string, unknown>): TransportError {
  return alertError(alert, code, hint ? `${message}. ${hint}` : message, undefined, extra);
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
    return verifyAlert("unknown_ca", code, `certificate for ${host} is signed by an unknown authority (${UNKNOWN_CA_WHY[code]})`);
  if (code === "CERT_HAS_EXPIRED") {
    const i = chain.findIndex((c) => new Date(c.valid_to).getTime() < now);
    const c = chain[i === -1 ? 0 : i];
    const which = i > 0 ? `CA certificate "${name(c!)}" in the chain of ${host}` : "certificate";
    return verifyAlert("certificate_expired", code, `${which} expired on ${c ? iso(c.valid_to) : "an unknown date"} (host ${host})`);
  }
  if (code === "CERT_NOT_YET_VALID") {
    const i = chain.findIndex((c) => new Date(c.valid_from).getTime() > now);
    const c = chain[i === -1 ? 0 : i];
    const which = i > 0 ? `CA certificate "${name(c!)}" in the chain of ${host}` : "certificate";
    return verifyAlert("certificate_expired", code, `${which} is not valid before ${c ? iso(c.valid_from) : "an unknown date"} (host ${host})`);
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID")
    return verifyAlert("hostname_check_failed", code, `certificate does not match ${host}`);
  // OpenSSL's ssl_verify_alarm_type names these three after their own alerts.
  if (code === "CERT_REVOKED") return verifyAlert("certificate_revoked", code, `certificate for ${host} was revoked by its issuer`);
  if (code === "INVALID_PURPOSE") return verifyAlert("unsupported_certificate", code, `certificate for ${host} is not for TLS servers (wrong key usage or extended key usage)`);
  if (code === "CERT_CHAIN_TOO_LONG" || code === "PATH_LENGTH_EXCEEDED")
    return verifyAlert("unknown_ca", code, `certificate chain of ${host} is longer than its CAs allow (${code.toLowerCase().replace(/_/g, " ")})`);
  return verifyAlert("bad_certificate", code, `certificate for ${host} was refused: ${code.toLowerCase().replace(/_/g, " ")}`);
}

/** The certificate is not for `host`. */
export function hostnameError(host: string, mismatch: IdentityMismatch): TransportError {
  const names = mismatch.certNames.length ? mismatch.certNames.join(", ") : "no name";
  return verifyAlert("hostname_check_failed", "ERR_TLS_CERT_ALTNAME_INVALID",
    `certificate for ${names} does not match ${host}${mismatch.why ? ` (${mismatch.why})` : ""}`, undefined, { certNames: mismatch.certNames });
}

/** The peer chain has more intermediate CAs than `depth` allows. */
export function depthError(host: string, intermediates: number, depth: number): TransportError {
  return verifyAlert("unknown_ca", "CERT_CHAIN_TOO_LONG", `certificate chain of ${host} has ${intermediates} intermediate CA certificate${intermediates === 1 ? "" : "s"}, more than depth ${depth} allows`, VERIFY_HINT.depth);
}

/** A `verifyFun` returned (or threw) an error. */
export function verifyFunError(host: string, err: unknown): TransportError {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = typeof (e as NodeJS.ErrnoException).code === "string" ? (e as NodeJS.ErrnoException).code! : "ERR_TLS_VERIFY_FUN";
  const alert: TLSAlert = code === "ERR_TLS_CERT_ALTNAME_INVALID" ? "hostname_check_failed" : "bad_certificate";
  return alertError(alert, code, `certificate for ${host} was refused by verifyFun: ${e.message}`, e);
}

/** What a handshake message can say about our side of the handshake. */
export interface HandshakeContext {
  /** ALPN protocol ids we offered ("h2", "http/1.1"), for no_application_protocol. */
  alpn?: readonly string[];
  /** True once the handshake completed: the alert ended an established session. */
  established?: boolean;
}

function words(code: string): string {
  return code.replace(/^ERR_(SSL|TLS)_/, "").toLowerCase().replace(/_/g, " ");
}

/**
 * Maps an error emitted by a TLS socket (during the handshake, or later with `established`).
 * Returns TransportError `tls_alert` (details.alert: the RFC 8446 §6 name of the alert the
 * server sent, or of the one we sent for a failure found on our side; details.code: Node's
 * code; details.alertNumber; details.received: whether the server sent it), `closed` (peer
 * closed or reset the connection during the handshake), or the lowercase socket code.
 * The message never carries OpenSSL's own text; that stays in `cause`.
 */
export function handshakeError(err: unknown, host: string, port: number, ctx: HandshakeContext = {}): TransportError {
  return tlsFailure(err, `${host}:${port}`, ctx);
}

/**
 * An error on an established TLS session (a TLS 1.3 server refusing our client certificate
 * after the handshake, a record that fails to decrypt): `tls_alert` as in handshakeError,
 * or undefined when `err` is not a TLS error. `where` is "host:port".
 */
export function sessionError(err: unknown, where: string): TransportError | undefined {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code !== "string" || !code.startsWith("ERR_SSL_")) return undefined;
  return tlsFailure(err, where, { established: true });
}

function tlsFailure(err: unknown, where: string, ctx: HandshakeContext): TransportError {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : "";
  if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) {
    const got = receivedAlert(code, message);
    // RFC 8446 §6.1: close_notify is the end of the session, not a failure.
    if (got?.name === "close_notify")
      return new TransportError("closed", `${where} closed the TLS session${ctx.established ? "" : " during the handshake"}`, { code }, { cause: e });
    if (got !== undefined) {
      let says = got.says;
      if (got.name === "no_application_protocol") says += ` (${ctx.alpn && ctx.alpn.length > 0 ? ctx.alpn.join(", ") : "none"})`;
      const head = ctx.established ? `The server at ${where} ended the TLS session` : `The server at ${where} refused the TLS handshake`;
      return alertError(got.name, code, `${head}: it ${says}. ${got.hint}`, e, { alertNumber: got.number, received: true });
    }
    const local = localAlert(code);
    let what: string;
    if (/^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST)$/.test(code)) {
      what = `the server did not answer with TLS (${words(code)}); is it plain HTTP? Use the http scheme for a plain HTTP server`;
    } else if (local.name === "protocol_version") {
      what = `no TLS version in common (${words(code)}). ${local.hint.replace(/\.$/, "")}`;
    } else if (local.name === "handshake_failure") {
      what = `no cipher suite or parameters in common (${words(code)}). ${local.hint.replace(/\.$/, "")}`;
    } else {
      what = `the server's handshake could not be accepted (${words(code)}). ${local.hint.replace(/\.$/, "")}`;
    }
    const head = ctx.established ? `The TLS session with the server at ${where} failed` : `The TLS handshake with the server at ${where} failed`;
    return alertError(local.name, code, `${head}: ${what}.`, e, { alertNumber: local.number, received: false });
  }
  if (code === "ECONNRESET" || code === "EPIPE" || code === "")
    return new TransportError("closed", `${where} closed the connection during the TLS handshake`, code ? { code } : undefined, { cause: e });
  return new TransportError(code.toLowerCase(), `TLS handshake with ${where} failed: ${e.message}`, { code }, { cause: e });
}
