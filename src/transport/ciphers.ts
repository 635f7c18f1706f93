// The default cipher list: every suite the running Node/OpenSSL offers, minus the
// RFC 7540 Appendix A blocklist (RFC 9113 §9.2.2 keeps it for HTTP/2 over TLS 1.2).
//
// What stays, for TLS 1.2: ephemeral key exchange (ECDHE or DHE) with an AEAD cipher
// (AES-GCM, ChaCha20-Poly1305, AES-CCM with a full 16-byte tag). What goes: every CBC-mode
// suite (the "-SHA", "-SHA256", "-SHA384" names without GCM/CCM/POLY1305), static RSA key
// exchange (kRSA: suites not starting with ECDHE/DHE), 3DES, RC4, NULL, EXPORT, anonymous
// (aNULL/ADH/AECDH), CCM_8, and the PSK/SRP suites (no certificate: useless to a
// certificate-verifying client). TLS 1.3 suites are all AEAD and are kept, except CCM_8.
//
// Node takes both TLS 1.2 and TLS 1.3 suites in one `ciphers` string: names starting with
// "TLS_" configure TLS 1.3, the others TLS 1.2. A caller's `ciphers` replaces this list
// entirely (so a list with no "TLS_" name turns TLS 1.3 off, as in OpenSSL).

import { getCiphers } from "node:tls";

/** True when a suite name (any case, OpenSSL or Node style) is on the HTTP/2 blocklist or otherwise refused by default. */
export function isBlockedCipher(name: string): boolean {
  const n = name.toUpperCase().replace(/_/g, "-");
  if (n.startsWith("TLS-")) return n.includes("CCM-8"); // TLS 1.3: AEAD only
  if (/(^|-)(NULL|EXP|EXPORT|RC4|RC2|DES|3DES|DES-CBC3|IDEA|SEED|MD5|ADH|AECDH|ANON|PSK|SRP|CCM8|CCM-8)(-|$)/.test(n)) return true;
  if (!(n.startsWith("ECDHE-") || n.startsWith("DHE-"))) return true; // static RSA/DH/ECDH key exchange
  if (n.includes("-PSK-")) return true;
  return !(n.includes("-GCM-") || n.endsWith("-GCM") || n.includes("CHACHA20-POLY1305") || /-CCM($|-)/.test(n)); // CBC
}

/** Preference rank: TLS 1.3 first, then ECDHE-ECDSA, ECDHE-RSA, DHE; AES-GCM and ChaCha20 before CCM. */
function rank(name: string): number {
  const tls13 = ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_AES_128_CCM_SHA256"];
  const i = tls13.indexOf(name);
  if (i !== -1) return i;
  if (name.startsWith("TLS_")) return 9;
  const kex = name.startsWith("ECDHE-ECDSA-") ? 10 : name.startsWith("ECDHE-RSA-") ? 20 : 30;
  const cipher = name.includes("AES128-GCM") ? 0 : name.includes("AES256-GCM") ? 1 : name.includes("CHACHA20") ? 2 : 5;
  return kex + cipher;
}

let computed: readonly string[] | undefined;

/**
 * The default cipher suites in OpenSSL naming (TLS 1.3 names start with "TLS_"), best first.
 * Computed once from `tls.getCiphers()`.
 */
export function defaultCipherList(): readonly string[] {
  if (computed) return computed;
  const names = getCiphers()
    .map((c) => c.toUpperCase())
    .filter((c) => !isBlockedCipher(c));
  computed = Object.freeze([...new Set(names)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)));
  return computed;
}

/** The default list as an OpenSSL cipher string for `tls.connect({ ciphers })`. */
export function defaultCipherString(): string {
  return defaultCipherList().join(":");
}

/** The `ciphers` string for tls.connect: the caller's list (string or array) or the default. */
export function cipherString(ciphers: string | string[] | undefined): string {
  if (ciphers === undefined) return defaultCipherString();
  return typeof ciphers === "string" ? ciphers : ciphers.join(":");
}
