import assert from "node:assert/strict";
import { test } from "node:test";
import { getCiphers } from "node:tls";
import { cipherString, defaultCipherList, defaultCipherString, isBlockedCipher } from "../../src/transport/ciphers.js";

test("default list: no CBC, static RSA kex, 3DES, RC4, NULL, EXPORT, anonymous, PSK, CCM_8", () => {
  const list = defaultCipherList();
  assert.ok(list.length >= 6, list.join(":"));
  for (const c of list) {
    if (c.startsWith("TLS_")) {
      assert.doesNotMatch(c, /CCM_8/);
      continue;
    }
    assert.match(c, /^(ECDHE|DHE)-/, `${c}: ephemeral key exchange only`);
    assert.match(c, /GCM|CHACHA20-POLY1305|-CCM$/, `${c}: AEAD only`);
    assert.doesNotMatch(c, /CBC|DES|RC4|NULL|EXP|ADH|AECDH|PSK|SRP|MD5|CCM8/, c);
    assert.doesNotMatch(c, /-SHA$/, `${c}: SHA-1 HMAC means CBC`);
  }
});

test("default list keeps TLS 1.3 suites and the modern TLS 1.2 AEAD suites", () => {
  const list = defaultCipherList();
  for (const c of ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"]) assert.ok(list.includes(c), c);
  assert.ok(list.indexOf("TLS_AES_128_GCM_SHA256") < list.indexOf("ECDHE-ECDSA-AES128-GCM-SHA256"), "TLS 1.3 first");
  assert.equal(defaultCipherString(), list.join(":"));
});

test("every default suite is offered by the runtime", () => {
  const offered = new Set(getCiphers().map((c) => c.toUpperCase()));
  for (const c of defaultCipherList()) assert.ok(offered.has(c), c);
});

test("blocklist classification of known suites", () => {
  for (const c of ["AES128-GCM-SHA256", "AES256-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "DES-CBC3-SHA", "RC4-SHA",
    "NULL-SHA", "EXP-RC4-MD5", "ADH-AES128-GCM-SHA256", "PSK-AES128-GCM-SHA256", "ECDHE-PSK-CHACHA20-POLY1305", "DHE-RSA-AES128-CCM8",
    "TLS_AES_128_CCM_8_SHA256", "SRP-AES-128-CBC-SHA"]) assert.equal(isBlockedCipher(c), true, c);
  for (const c of ["ECDHE-RSA-AES128-GCM-SHA256", "DHE-RSA-CHACHA20-POLY1305", "TLS_AES_256_GCM_SHA384", "tls_aes_128_ccm_sha256", "DHE-RSA-AES128-CCM"])
    assert.equal(isBlockedCipher(c), false, c);
});

test("a caller's list replaces the default", () => {
  assert.equal(cipherString(["A", "B"]), "A:B");
  assert.equal(cipherString("HIGH"), "HIGH");
  assert.equal(cipherString(undefined), defaultCipherString());
});
