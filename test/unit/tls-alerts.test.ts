// The TLS alert table and the messages built from it: every AlertDescription of RFC 8446 §6
// and RFC 5246 §7.2 has its name and Node code; an error carrying any of them (as OpenSSL
// reports it: reason text, "SSL alert number N") becomes tls_alert with that name and a
// message about the server and what to do, with none of OpenSSL's own text.

import assert from "node:assert/strict";
import { test } from "node:test";
import { TransportError } from "../../src/errors.js";
import { socketError } from "../../src/transport/tcp.js";
import { alertByName, alertByNumber, localAlert, receivedAlert, TLS_ALERTS } from "../../src/transport/tls-alerts.js";
import { handshakeError, sessionError, verifyError } from "../../src/transport/tls-errors.js";

/** Every alert description of RFC 8446 §6 / RFC 5246 §7.2 (and RFC 7301, RFC 8446 additions). */
const RFC_ALERTS: ReadonlyArray<readonly [number, string]> = [
  [0, "close_notify"], [10, "unexpected_message"], [20, "bad_record_mac"], [21, "decryption_failed"], [22, "record_overflow"],
  [30, "decompression_failure"], [40, "handshake_failure"], [41, "no_certificate"], [42, "bad_certificate"],
  [43, "unsupported_certificate"], [44, "certificate_revoked"], [45, "certificate_expired"], [46, "certificate_unknown"],
  [47, "illegal_parameter"], [48, "unknown_ca"], [49, "access_denied"], [50, "decode_error"], [51, "decrypt_error"],
  [60, "export_restriction"], [70, "protocol_version"], [71, "insufficient_security"], [80, "internal_error"],
  [86, "inappropriate_fallback"], [90, "user_canceled"], [100, "no_renegotiation"], [109, "missing_extension"],
  [110, "unsupported_extension"], [111, "certificate_unobtainable"], [112, "unrecognized_name"],
  [113, "bad_certificate_status_response"], [114, "bad_certificate_hash_value"], [115, "unknown_psk_identity"],
  [116, "certificate_required"], [120, "no_application_protocol"],
];

/** What a message must never hold: OpenSSL's error queue text, source files, hex codes. */
function assertClean(message: string, what: string): void {
  assert.doesNotMatch(message, /SSL routines/i, `${what}: ${message}`);
  assert.doesNotMatch(message, /\.c:\d|\.c\b/, `${what}: ${message}`);
  assert.doesNotMatch(message, /0x[0-9a-f]+|[0-9A-F]{8,}|:error:/, `${what}: ${message}`);
  assert.doesNotMatch(message, /ERR_SSL|SSL alert number|ssl3_|rec_layer|deps\/openssl/, `${what}: ${message}`);
}

/** A Node TLS error as OpenSSL 3 reports a received alert. */
function opensslError(n: number, code: string): Error {
  const reason = code.replace(/^ERR_SSL_/, "").toLowerCase().replace(/_/g, " ");
  const hex = (0x0a000000 + 1000 + n).toString(16).toUpperCase();
  return Object.assign(
    new Error(`80FC24380F7F0000:error:${hex}:SSL routines:ssl3_read_bytes:${reason}:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number ${n}\n`),
    { code, library: "SSL routines", reason },
  );
}

test("every RFC alert number maps to its name, and the table holds nothing else", () => {
  for (const [n, name] of RFC_ALERTS) {
    assert.equal(alertByNumber(n)?.name, name, `alert ${n}`);
    assert.equal(alertByName(name)?.number, n, name);
  }
  assert.equal(TLS_ALERTS.length, RFC_ALERTS.length);
  assert.equal(new Set(TLS_ALERTS.map((a) => a.code)).size, TLS_ALERTS.length, "Node codes are unique");
  assert.equal(alertByNumber(200), undefined);
});

test("every alert's Node code is OpenSSL's reason text for 1000 + its number", () => {
  // The codes observed from OpenSSL 3 (`openssl errstr 0A0003F2` ...): SSLV3_ALERT_ for the
  // SSL 3.0 alerts, TLSV1_ALERT_ for TLS 1.0, TLSV1_ without ALERT_ for RFC 6066's, TLSV13_ALERT_.
  for (const a of TLS_ALERTS) {
    if (a.number === 0) continue; // close_notify is an end of stream, not an error
    assert.match(a.code, /^ERR_SSL_(SSLV3_ALERT|TLSV1_ALERT|TLSV1|TLSV13_ALERT)_[A-Z_]+$/, a.name);
    const stem = a.code.replace(/^ERR_SSL_(SSLV3_ALERT|TLSV1_ALERT|TLSV13_ALERT|TLSV1)_/, "").toLowerCase();
    assert.equal(stem === "user_cancelled" ? "user_canceled" : stem, a.name, a.code);
  }
});

test("a received alert is found by its number, and by its code when the number is missing", () => {
  for (const a of TLS_ALERTS) {
    assert.equal(receivedAlert("ERR_SSL_SOMETHING_ELSE", `... SSL alert number ${a.number}`)?.name, a.name);
    assert.equal(receivedAlert(a.code, "no number here")?.name, a.name);
  }
  assert.equal(receivedAlert("ERR_SSL_WRONG_VERSION_NUMBER", "wrong version number"), undefined);
});

test("each received alert becomes tls_alert with its name, number, code and a clean sentence", () => {
  for (const a of TLS_ALERTS) {
    const e = handshakeError(opensslError(a.number, a.code), "127.0.0.1", 8443, { alpn: ["h2", "http/1.1"] });
    assert.ok(e instanceof TransportError);
    if (a.name === "close_notify") {
      // close_notify is the server ending the session (RFC 8446 §6.1), not an alert to name.
      assert.equal(e.reason, "closed");
      assertClean(e.message, a.name);
      continue;
    }
    assert.equal(e.reason, "tls_alert", a.name);
    assert.equal(e.details?.alert, a.name);
    assert.equal(e.details?.alertNumber, a.number);
    assert.equal(e.details?.code, a.code);
    assert.equal(e.details?.received, true);
    assert.match(e.message, /^The server at 127\.0\.0\.1:8443 refused the TLS handshake: it .+\. [A-Z].*\.$/, a.name);
    assertClean(e.message, a.name);
    assert.match((e.cause as Error).message, /SSL routines/, "OpenSSL's text stays in cause");
  }
});

test("a server refusing our ALPN offer is no_application_protocol, with the offer and what to do", () => {
  const e = handshakeError(opensslError(120, "ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL"), "127.0.0.1", 8443, { alpn: ["h2", "http/1.1"] });
  assert.equal(e.details?.alert, "no_application_protocol");
  assert.equal(e.message, "The server at 127.0.0.1:8443 refused the TLS handshake: it supports none of the application protocols we offered (h2, http/1.1). Check the server's ALPN configuration or force a protocol with `protocols`.");
});

test("an alert on an established session says the session ended", () => {
  const err = opensslError(116, "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED");
  const e = sessionError(err, "example.test:443");
  assert.equal(e?.details?.alert, "certificate_required");
  assert.match(e!.message, /^The server at example\.test:443 ended the TLS session: it requires a client certificate and we sent none\. Give a client certificate/);
  // The connection's socket error mapping goes through the same table.
  const s = socketError(err, "example.test:443");
  assert.equal(s.reason, "tls_alert");
  assert.equal(s.details?.alert, "certificate_required");
  assertClean(s.message, "socketError");
  assert.equal(sessionError(Object.assign(new Error("x"), { code: "ECONNRESET" }), "h:1"), undefined);
});

test("failures OpenSSL detects itself are named after the alert it sends", () => {
  const cases: Array<[string, string]> = [
    ["ERR_SSL_WRONG_VERSION_NUMBER", "protocol_version"], ["ERR_SSL_PACKET_LENGTH_TOO_LONG", "protocol_version"],
    ["ERR_SSL_UNSUPPORTED_PROTOCOL", "protocol_version"], ["ERR_SSL_NO_PROTOCOLS_AVAILABLE", "protocol_version"],
    ["ERR_SSL_VERSION_TOO_LOW", "protocol_version"],
    ["ERR_SSL_NO_SHARED_CIPHER", "handshake_failure"], ["ERR_SSL_NO_CIPHERS_AVAILABLE", "handshake_failure"],
    ["ERR_SSL_NO_SUITABLE_KEY_SHARE", "handshake_failure"], ["ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM", "handshake_failure"],
    ["ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC", "bad_record_mac"], ["ERR_SSL_UNEXPECTED_MESSAGE", "unexpected_message"],
    ["ERR_SSL_UNEXPECTED_RECORD", "unexpected_message"], ["ERR_SSL_BAD_SIGNATURE", "decrypt_error"],
    ["ERR_SSL_LENGTH_MISMATCH", "decode_error"], ["ERR_SSL_BAD_PACKET_LENGTH", "decode_error"],
    ["ERR_SSL_UNSOLICITED_EXTENSION", "unsupported_extension"], ["ERR_SSL_MISSING_SIGALGS_EXTENSION", "missing_extension"],
    ["ERR_SSL_INVALID_ALPN_PROTOCOL", "illegal_parameter"], ["ERR_SSL_RECORD_OVERFLOW", "record_overflow"],
    ["ERR_SSL_SOMETHING_NEW", "handshake_failure"],
  ];
  for (const [code, name] of cases) {
    assert.equal(localAlert(code).name, name, code);
    const e = handshakeError(Object.assign(new Error(`C0:error:0A00010B:SSL routines:ssl3_get_record:${code}:../ssl/record/ssl3_record.c:354:`), { code }), "h.test", 443);
    assert.equal(e.reason, "tls_alert", code);
    assert.equal(e.details?.alert, name, code);
    assert.equal(e.details?.code, code);
    assert.match(e.message, /^The TLS handshake with the server at h\.test:443 failed: /, code);
    assertClean(e.message, code);
  }
  assert.match(handshakeError(Object.assign(new Error("x"), { code: "ERR_SSL_WRONG_VERSION_NUMBER" }), "h", 1).message, /did not answer with TLS .*is it plain HTTP\?/);
});

test("certificate verification codes are named as OpenSSL's verify alarm names them", () => {
  const cases: Array<[string, string]> = [
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "unknown_ca"], ["SELF_SIGNED_CERT_IN_CHAIN", "unknown_ca"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unknown_ca"], ["UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "unknown_ca"],
    ["CERT_CHAIN_TOO_LONG", "unknown_ca"], ["PATH_LENGTH_EXCEEDED", "unknown_ca"],
    ["CERT_HAS_EXPIRED", "certificate_expired"], ["CERT_NOT_YET_VALID", "certificate_expired"],
    ["CERT_REVOKED", "certificate_revoked"], ["INVALID_PURPOSE", "unsupported_certificate"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "hostname_check_failed"], ["CERT_SIGNATURE_FAILURE", "bad_certificate"],
  ];
  for (const [code, name] of cases) {
    const e = verifyError(code, "h.test", undefined);
    assert.equal(e.details?.alert, name, code);
    assert.equal(e.details?.code, code);
    assert.match(e.message, /h\.test/);
    assert.match(e.message, /\. [A-Z][^.]+.*\.$/, `${code}: says what to do`);
    assertClean(e.message, code);
  }
});
