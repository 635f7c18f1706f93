import assert from "node:assert/strict";
import { constants } from "node:crypto";
import { test } from "node:test";
import { TransportError } from "../../src/errors.js";
import { resolveDeadline, validateTransportOptions } from "../../src/transport/options.js";
import { SessionCache } from "../../src/transport/session-cache.js";
import { handshakeError, verifyError } from "../../src/transport/tls-errors.js";
import { buildTLSOptions, serverName, versionRange } from "../../src/transport/tls-options.js";
import { defaultCipherString } from "../../src/transport/ciphers.js";
import { testCerts } from "../support/certs.js";

test("managed options are refused with a TypeError naming them", () => {
  for (const key of ["alpnAdvertisedProtocols", "ALPNProtocols", "mode", "active", "packet", "socket", "host", "port", "path"]) {
    assert.throws(() => validateTransportOptions({ [key]: 1 }), (e: unknown) => e instanceof TypeError && e.message.includes(`"${key}"`), key);
  }
});

test("plain tls options that duplicate a Mint option are refused, pointing at it", () => {
  const pairs: Array<[string, string]> = [["ca", "cacerts"], ["rejectUnauthorized", "verify"], ["checkServerIdentity", "verifyFun"],
    ["servername", "serverNameIndication"], ["minVersion", "versions"], ["session", "reuseSessions"]];
  for (const [key, use] of pairs)
    assert.throws(() => validateTransportOptions({ [key]: 1 }), (e: unknown) => e instanceof TypeError && e.message.includes(`"${key}"`) && e.message.includes(`"${use}"`), key);
});

test("wrong types are TypeErrors naming the option", () => {
  const bad: Array<Record<string, unknown>> = [
    { timeout: -1 }, { timeout: "5" }, { timeout: NaN }, { verify: true }, { verify: "peer" }, { cacertfile: 3 }, { cacerts: "pem" },
    { cacerts: [1] }, { ciphers: 5 }, { ciphers: [] }, { ciphers: "" }, { ciphers: ["A:B"] }, { versions: [] }, { versions: ["tlsv1.4"] },
    { versions: "tlsv1.2" }, { depth: -1 }, { depth: 1.5 }, { partialChain: "yes" }, { reuseSessions: 1 }, { secureRenegotiate: null },
    { serverNameIndication: true }, { serverNameIndication: "" }, { verifyFun: "f" }, { inet6: "true" }, { inet4: 0 },
  ];
  for (const o of bad) {
    const key = Object.keys(o)[0]!;
    assert.throws(() => validateTransportOptions(o), (e: unknown) => e instanceof TypeError && e.message.includes(key), JSON.stringify(o));
  }
  assert.throws(() => validateTransportOptions("x"), TypeError);
  assert.throws(() => validateTransportOptions([]), TypeError);
});

test("valid options and pass-through keys are accepted unchanged", () => {
  const o = { timeout: Infinity, verify: "verify_none", cacerts: ["pem", new Uint8Array(1)], ciphers: ["X"], versions: ["tlsv1", "tlsv1.3"],
    depth: 0, partialChain: false, reuseSessions: false, secureRenegotiate: false, serverNameIndication: false, verifyFun: () => undefined,
    inet6: true, inet4: false, cert: "c", key: "k", keepAlive: true, localAddress: "127.0.0.1" };
  assert.equal(validateTransportOptions(o), o);
  assert.deepEqual(validateTransportOptions(undefined), {});
});

test("cacerts 'system' follows tls.getCACertificates availability", async () => {
  const tls = await import("node:tls");
  if (typeof (tls as { getCACertificates?: unknown }).getCACertificates === "function") assert.doesNotThrow(() => validateTransportOptions({ cacerts: "system" }));
  else assert.throws(() => validateTransportOptions({ cacerts: "system" }), /getCACertificates/);
});

test("resolveDeadline: 30 s by default, the timeout given, Infinity disables", () => {
  assert.equal(resolveDeadline({}, 1000), 31_000);
  assert.equal(resolveDeadline(undefined, 1000), 31_000);
  assert.equal(resolveDeadline({ timeout: 5 }, 1000), 1005);
  assert.equal(resolveDeadline({ timeout: Infinity }, 1000), Infinity);
});

test("versions map to min/max, non-contiguous sets switch off the gap", () => {
  assert.deepEqual(versionRange(["tlsv1.2", "tlsv1.3"]), { minVersion: "TLSv1.2", maxVersion: "TLSv1.3", secureOptions: 0 });
  assert.deepEqual(versionRange(["tlsv1.3"]), { minVersion: "TLSv1.3", maxVersion: "TLSv1.3", secureOptions: 0 });
  assert.deepEqual(versionRange(["tlsv1.3", "tlsv1"]), {
    minVersion: "TLSv1", maxVersion: "TLSv1.3", secureOptions: constants.SSL_OP_NO_TLSv1_1 | constants.SSL_OP_NO_TLSv1_2,
  });
});

test("secureRenegotiate: on by default (no legacy server connect), off allows legacy renegotiation", () => {
  const legacy = constants.SSL_OP_LEGACY_SERVER_CONNECT | constants.SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION;
  const on = buildTLSOptions({}, "localhost", 443, []).options.secureOptions!;
  assert.equal(on & legacy, 0);
  const forcedOn = buildTLSOptions({ secureOptions: legacy, secureRenegotiate: true }, "localhost", 443, []).options.secureOptions!;
  assert.equal(forcedOn & legacy, 0);
  const off = buildTLSOptions({ secureRenegotiate: false }, "localhost", 443, []).options.secureOptions!;
  assert.equal(off & legacy, legacy);
});

test("buildTLSOptions: secure defaults and pass-through", () => {
  const { client } = testCerts();
  const b = buildTLSOptions({ cert: client.cert, key: client.key, timeout: 5, inet6: true }, "example.test", 443, ["h2", "http/1.1"]);
  assert.equal(b.options.ciphers, defaultCipherString());
  assert.equal(b.options.minVersion, "TLSv1.2");
  assert.equal(b.options.maxVersion, "TLSv1.3");
  assert.equal(b.options.servername, "example.test");
  assert.deepEqual(b.options.ALPNProtocols, ["h2", "http/1.1"]);
  assert.equal(b.options.cert, client.cert);
  assert.equal(b.options.key, client.key);
  assert.equal("timeout" in b.options, false, "timeout must not reach tls.connect (it would be a socket idle timeout)");
  assert.equal("inet6" in b.options, false);
  assert.equal(b.options.ca, undefined, "default: Node's store");
  assert.equal(b.verify, true);
  assert.ok(b.sessionKey?.startsWith("example.test|443|example.test|"));
  assert.equal(buildTLSOptions({ reuseSessions: false }, "h", 1, []).sessionKey, undefined);
  assert.equal(buildTLSOptions({ verify: "verify_none" }, "h", 1, []).verify, false);
  assert.equal(buildTLSOptions({}, "h", 1, []).options.ALPNProtocols, undefined);
});

test("serverName: hostname by default, none for IP literals, override, false", () => {
  assert.equal(serverName("example.test", undefined), "example.test");
  assert.equal(serverName("example.test.", undefined), "example.test");
  assert.equal(serverName("127.0.0.1", undefined), undefined);
  assert.equal(serverName("[::1]", undefined), undefined);
  assert.equal(serverName("127.0.0.1", "sni.test"), "sni.test");
  assert.equal(serverName("example.test", false), undefined);
});

test("SessionCache is bounded and evicts the least recently used entry", () => {
  const c = new SessionCache(2);
  const s = (n: number) => ({ session: Buffer.from([n]), peer: undefined });
  c.set("a", s(1));
  c.set("b", s(2));
  assert.equal(c.get("a")?.session[0], 1); // a is now most recent
  c.set("c", s(3));
  assert.equal(c.size, 2);
  assert.equal(c.get("b"), undefined);
  assert.equal(c.get("a")?.session[0], 1);
  c.delete("a");
  assert.equal(c.get("a"), undefined);
});

test("verification codes map to Mint alerts", () => {
  const cases: Array<[string, string]> = [
    ["UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "unknown_ca"], ["SELF_SIGNED_CERT_IN_CHAIN", "unknown_ca"], ["DEPTH_ZERO_SELF_SIGNED_CERT", "unknown_ca"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unknown_ca"], ["CERT_HAS_EXPIRED", "certificate_expired"], ["CERT_NOT_YET_VALID", "certificate_expired"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "hostname_check_failed"], ["CERT_SIGNATURE_FAILURE", "bad_certificate"], ["INVALID_CA", "bad_certificate"],
  ];
  for (const [code, alert] of cases) {
    const e = verifyError(code, "h.test", undefined);
    assert.ok(e instanceof TransportError);
    assert.equal(e.reason, "tls_alert");
    assert.deepEqual([e.details?.alert, e.details?.code], [alert, code]);
    assert.match(e.message, /h\.test/);
  }
});

test("handshake errors map to alerts, closed, or the socket code", () => {
  const err = (code: string) => Object.assign(new Error(code), { code });
  const cases: Array<[string, string, string | undefined]> = [
    ["ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION", "tls_alert", "protocol_version"], ["ERR_SSL_UNSUPPORTED_PROTOCOL", "tls_alert", "protocol_version"],
    ["ERR_SSL_NO_PROTOCOLS_AVAILABLE", "tls_alert", "protocol_version"], ["ERR_SSL_WRONG_VERSION_NUMBER", "tls_alert", "protocol_version"],
    ["ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "tls_alert", "handshake_failure"], ["ERR_SSL_NO_SHARED_CIPHER", "tls_alert", "handshake_failure"],
    ["ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", "tls_alert", "unknown_ca"], ["ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE", "tls_alert", "bad_certificate"],
    ["ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "tls_alert", "certificate_required"], ["ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED", "tls_alert", "certificate_expired"],
    ["ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC", "tls_alert", "bad_record_mac"],
    ["ECONNRESET", "closed", undefined], ["ETIMEDOUT", "etimedout", undefined],
  ];
  for (const [code, reason, alert] of cases) {
    const e = handshakeError(err(code), "h.test", 443);
    assert.equal(e.reason, reason, code);
    assert.equal(e.details?.alert, alert, code);
    assert.equal(e.details?.code, code);
    assert.match(e.message, /h\.test:443/);
  }
});

test("secure contexts are shared between connections with the same settings, never with pass-through context options", () => {
  const a = buildTLSOptions({ versions: ["tlsv1.3"] }, "a.test", 443, ["h2"]).options.secureContext;
  const b = buildTLSOptions({ versions: ["tlsv1.3"] }, "b.test", 8443, ["http/1.1"]).options.secureContext;
  assert.ok(a);
  assert.equal(a, b);
  const c = buildTLSOptions({ versions: ["tlsv1.2"] }, "a.test", 443, ["h2"]).options.secureContext;
  assert.notEqual(c, a);
  // A certificate and key make a context of their own, built (and so checked) at once.
  assert.throws(() => buildTLSOptions({ versions: ["tlsv1.3"], cert: "C", key: "K" }, "a.test", 443, []));
  assert.ok(buildTLSOptions({ versions: ["tlsv1.3"], keepAlive: true }, "a.test", 443, []).options.secureContext);
});
