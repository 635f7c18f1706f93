// The TLS alert registry: every alert description of RFC 8446 §6 and RFC 5246 §7.2 (plus the
// ones later RFCs registered in the IANA "TLS Alerts" registry), with the Node error code
// OpenSSL produces when the peer sends it, and a sentence saying what it means for the
// caller and what to do.
//
// How this works: when OpenSSL receives a fatal alert, its error reason is 1000 + the alert
// number (SSL_AD_REASON_OFFSET), its message ends in "SSL alert number N", and Node turns
// the reason text into a code: "tlsv1 alert no application protocol" becomes
// ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL. `receivedAlert` reads the number from the
// message when it is there, else recognizes the code, and returns the registry entry.
// Failures OpenSSL detects itself (no alert received: a plain-HTTP server, no shared
// cipher) are named by `localAlert` after the alert OpenSSL sends back for them.
// Nothing here reads sockets; the messages are built in tls-errors.ts.

/** One TLS alert description (RFC 8446 §6, RFC 5246 §7.2). */
export interface TLSAlertInfo {
  /** The AlertDescription value on the wire. */
  readonly number: number;
  /** Its name in the RFCs (and in Erlang's ssl, as Mint reports it). */
  readonly name: string;
  /** The Node error code when the peer sends this alert (OpenSSL reason 1000 + number). */
  readonly code: string;
  /** What the server is telling us, as a clause after "the server ...". */
  readonly says: string;
  /** What the caller can do about it, as a sentence. */
  readonly hint: string;
}

const CHECK_CERT = "Check the certificate and key given in transportOpts (`cert`, `key`, `pfx`).";
const SERVER_LOG = "Check the server's TLS log for the reason.";
const NETWORK = "Retry; if it persists, something on the path is corrupting or cutting the TLS records.";

function alert(number: number, name: string, code: string, says: string, hint: string): TLSAlertInfo {
  return { number, name, code: `ERR_SSL_${code}`, says, hint };
}

/** Every alert description, by number. */
export const TLS_ALERTS: readonly TLSAlertInfo[] = [
  alert(0, "close_notify", "REASON(1000)", "closed the TLS session", "The server ended the session; open a new connection."),
  alert(10, "unexpected_message", "SSLV3_ALERT_UNEXPECTED_MESSAGE", "received a TLS message it did not expect", `The server or something in between does not follow the TLS protocol. ${SERVER_LOG}`),
  alert(20, "bad_record_mac", "SSLV3_ALERT_BAD_RECORD_MAC", "could not authenticate a TLS record we sent", NETWORK),
  alert(21, "decryption_failed", "TLSV1_ALERT_DECRYPTION_FAILED", "could not decrypt a TLS record we sent", NETWORK),
  alert(22, "record_overflow", "TLSV1_ALERT_RECORD_OVERFLOW", "received a TLS record longer than allowed", NETWORK),
  alert(30, "decompression_failure", "SSLV3_ALERT_DECOMPRESSION_FAILURE", "could not decompress a TLS record we sent", SERVER_LOG),
  alert(40, "handshake_failure", "SSLV3_ALERT_HANDSHAKE_FAILURE", "found no cipher suite, key exchange group or signature algorithm in common with us, or wanted a client certificate we did not send",
    "Compare the server's TLS settings with the `ciphers` and `versions` transport options, and give a client certificate (`cert`, `key`) if the server requires one."),
  alert(41, "no_certificate", "SSLV3_ALERT_NO_CERTIFICATE", "wanted a client certificate", "Give a client certificate with the `cert` and `key` transport options."),
  alert(42, "bad_certificate", "SSLV3_ALERT_BAD_CERTIFICATE", "refused our client certificate as malformed or badly signed", CHECK_CERT),
  alert(43, "unsupported_certificate", "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE", "does not accept the type of our client certificate", `Use a client certificate with a key type and usage the server accepts. ${CHECK_CERT}`),
  alert(44, "certificate_revoked", "SSLV3_ALERT_CERTIFICATE_REVOKED", "says our client certificate was revoked", "Get a new client certificate from its issuer."),
  alert(45, "certificate_expired", "SSLV3_ALERT_CERTIFICATE_EXPIRED", "says our client certificate expired or is not valid yet", "Renew the client certificate, and check this machine's clock."),
  alert(46, "certificate_unknown", "SSLV3_ALERT_CERTIFICATE_UNKNOWN", "could not accept our client certificate", CHECK_CERT),
  alert(47, "illegal_parameter", "SSLV3_ALERT_ILLEGAL_PARAMETER", "found a field of our handshake out of range or inconsistent", SERVER_LOG),
  alert(48, "unknown_ca", "TLSV1_ALERT_UNKNOWN_CA", "does not trust the authority that issued our client certificate", "Use a client certificate issued by a CA the server trusts, or add its CA to the server."),
  alert(49, "access_denied", "TLSV1_ALERT_ACCESS_DENIED", "accepted our client certificate but denies it access", "Ask the server's operator to grant this client certificate access."),
  alert(50, "decode_error", "TLSV1_ALERT_DECODE_ERROR", "could not decode a handshake message we sent", `${SERVER_LOG} A middlebox may be altering the handshake.`),
  alert(51, "decrypt_error", "TLSV1_ALERT_DECRYPT_ERROR", "could not verify a signature or key exchange of ours", CHECK_CERT),
  alert(60, "export_restriction", "TLSV1_ALERT_EXPORT_RESTRICTION", "refused an export-restricted negotiation", "Update the server's TLS configuration: export ciphers are obsolete."),
  alert(70, "protocol_version", "TLSV1_ALERT_PROTOCOL_VERSION", "supports no TLS version we offered", "Compare the server's TLS versions with the `versions` transport option (default TLS 1.2 and 1.3)."),
  alert(71, "insufficient_security", "TLSV1_ALERT_INSUFFICIENT_SECURITY", "requires stronger cipher suites than we offered", "Allow stronger suites with the `ciphers` transport option, or leave it at its default."),
  alert(80, "internal_error", "TLSV1_ALERT_INTERNAL_ERROR", "had an internal error", `${SERVER_LOG} Retry later.`),
  alert(86, "inappropriate_fallback", "TLSV1_ALERT_INAPPROPRIATE_FALLBACK", "detected a TLS version downgrade", "Allow the newest TLS version with the `versions` transport option."),
  alert(90, "user_canceled", "TLSV1_ALERT_USER_CANCELLED", "canceled the handshake", "Retry; the server gave up on this connection."),
  alert(100, "no_renegotiation", "TLSV1_ALERT_NO_RENEGOTIATION", "refused to renegotiate the TLS session", "Open a new connection instead of renegotiating."),
  alert(109, "missing_extension", "TLSV13_ALERT_MISSING_EXTENSION", "expected a TLS extension our handshake did not carry", SERVER_LOG),
  alert(110, "unsupported_extension", "TLSV1_UNSUPPORTED_EXTENSION", "received a TLS extension it did not ask for", SERVER_LOG),
  alert(111, "certificate_unobtainable", "TLSV1_CERTIFICATE_UNOBTAINABLE", "could not fetch our client certificate from the URL we gave", CHECK_CERT),
  alert(112, "unrecognized_name", "TLSV1_UNRECOGNIZED_NAME", "does not serve the host name we sent in SNI", "Check the host name (the `hostname` option or `serverNameIndication`) against the names the server is configured for."),
  alert(113, "bad_certificate_status_response", "TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE", "refused a certificate status (OCSP) response", SERVER_LOG),
  alert(114, "bad_certificate_hash_value", "TLSV1_BAD_CERTIFICATE_HASH_VALUE", "found a certificate hash that does not match", CHECK_CERT),
  alert(115, "unknown_psk_identity", "TLSV1_ALERT_UNKNOWN_PSK_IDENTITY", "does not know the pre-shared key identity we offered", "Check the PSK identity given by `pskCallback`."),
  alert(116, "certificate_required", "TLSV13_ALERT_CERTIFICATE_REQUIRED", "requires a client certificate and we sent none", "Give a client certificate with the `cert` and `key` transport options."),
  alert(120, "no_application_protocol", "TLSV1_ALERT_NO_APPLICATION_PROTOCOL", "supports none of the application protocols we offered",
    "Check the server's ALPN configuration or force a protocol with `protocols`."),
];

const BY_NUMBER = new Map(TLS_ALERTS.map((a) => [a.number, a]));
const BY_CODE = new Map(TLS_ALERTS.map((a) => [a.code, a]));
const BY_NAME = new Map(TLS_ALERTS.map((a) => [a.name, a]));

/** The alert with this AlertDescription number, if it is a registered one. */
export function alertByNumber(n: number): TLSAlertInfo | undefined {
  return BY_NUMBER.get(n);
}

/** The alert with this RFC name. */
export function alertByName(name: string): TLSAlertInfo | undefined {
  return BY_NAME.get(name);
}

/**
 * The alert the peer sent, from a Node TLS error: the "SSL alert number N" OpenSSL puts in
 * its message, else the ERR_SSL_..._ALERT_... code. Undefined when no alert was received.
 */
export function receivedAlert(code: string, message: string): TLSAlertInfo | undefined {
  const m = /SSL alert number (\d+)/.exec(message);
  if (m) {
    const found = BY_NUMBER.get(Number(m[1]));
    if (found) return found;
  }
  return BY_CODE.get(code);
}

/**
 * Failures OpenSSL detects on our side, named after the alert it sends the server for them
 * (OpenSSL's SSLfatal calls in ssl/statem and ssl/record). Matched on the Node code without
 * its ERR_SSL_ prefix; the first pattern that matches wins.
 */
const LOCAL: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|HTTPS_PROXY_REQUEST)$/, "protocol_version"],
  [/VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|INAPPROPRIATE_FALLBACK/, "protocol_version"],
  [/DECRYPTION_FAILED_OR_BAD_RECORD_MAC|BAD_RECORD_MAC/, "bad_record_mac"],
  [/RECORD_OVERFLOW|DATA_LENGTH_TOO_LONG|ENCRYPTED_LENGTH_TOO_LONG/, "record_overflow"],
  [/UNEXPECTED_MESSAGE|UNEXPECTED_RECORD|UNEXPECTED_CCS|UNEXPECTED_END_OF_FILE|CCS_RECEIVED_EARLY/, "unexpected_message"],
  [/BAD_SIGNATURE|SIGNATURE_ALGORITHMS_ERROR|BAD_DIGEST_LENGTH/, "decrypt_error"],
  [/LENGTH_MISMATCH|BAD_PACKET_LENGTH|LENGTH_TOO_SHORT|BAD_LENGTH|BAD_PACKET|DECODE_ERROR/, "decode_error"],
  [/UNSOLICITED_EXTENSION|UNSUPPORTED_EXTENSION/, "unsupported_extension"],
  [/MISSING_.*EXTENSION|MISSING_SIGALGS/, "missing_extension"],
  [/INVALID_ALPN_PROTOCOL|BAD_EXTENSION|ILLEGAL_POINT_COMPRESSION|WRONG_CURVE|BAD_KEY_SHARE|BAD_ECPOINT|BAD_HELLO_REQUEST/, "illegal_parameter"],
  [/CIPHER|NO_SHARED_GROUPS|NO_SUITABLE_KEY_SHARE|NO_SUITABLE_SIGNATURE_ALGORITHM|NO_SUITABLE_GROUPS|DH_KEY_TOO_SMALL|EE_KEY_TOO_SMALL|CA_KEY_TOO_SMALL|HANDSHAKE_FAILURE/, "handshake_failure"],
  [/RENEGOTIAT/, "no_renegotiation"],
  [/INTERNAL_ERROR/, "internal_error"],
];

/**
 * The alert OpenSSL sends for a failure it detected itself (`code` is Node's ERR_SSL_...
 * code); handshake_failure when the code is not one of the known ones.
 */
export function localAlert(code: string): TLSAlertInfo {
  const c = code.startsWith("ERR_SSL_") ? code.slice(8) : code;
  for (const [re, name] of LOCAL) if (re.test(c)) return BY_NAME.get(name)!;
  return BY_NAME.get("handshake_failure")!;
}
