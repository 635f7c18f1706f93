// Server identity check (RFC 9110 §4.3.4, RFC 6125), used instead of tls.checkServerIdentity.
//
// Rules:
// - A DNS host name matches a dNSName SAN case-insensitively (ASCII), ignoring one trailing dot;
//   non-ASCII names are compared in their punycode (A-label) form.
// - A wildcard is accepted only as the whole left-most label ("*.example.test"), matches exactly
//   one non-empty label, and needs at least two labels after it ("*.test" matches nothing).
//   Partial-label wildcards ("f*.example.test", "*oo.example.test") and wildcards elsewhere
//   match nothing.
// - An IP literal (v4 or v6, brackets allowed) matches only an iPAddress SAN, compared as
//   bytes; it never matches a dNSName, and a DNS name never matches an iPAddress SAN.
// - The subject CN is never used (no CN fallback): certificates without a matching SAN fail.
//   Publicly trusted certificates carry SANs since 2012 (CA/B Baseline Requirements), and
//   browsers stopped reading the CN in 2017.

import { isIP } from "node:net";
import type { PeerCertificate } from "node:tls";
import { domainToASCII } from "node:url";

/** The names of a certificate's subjectAltName extension, split by type. */
export interface AltNames {
  dns: string[];
  ip: string[];
}

/**
 * Parses Node's `subjectaltname` string ("DNS:a, IP Address:1.2.3.4, DNS:\"b, c\"").
 * Values Node quoted (JSON string syntax, for names holding a comma or quote) are unquoted.
 */
export function parseAltNames(subjectaltname: string | undefined): AltNames {
  const out: AltNames = { dns: [], ip: [] };
  if (!subjectaltname) return out;
  let i = 0;
  const s = subjectaltname;
  while (i < s.length) {
    while (s[i] === " " || s[i] === ",") i++;
    const colon = s.indexOf(":", i);
    if (colon === -1) break;
    const type = s.slice(i, colon);
    i = colon + 1;
    let value: string;
    if (s[i] === '"') {
      // JSON-quoted value: find the closing quote, skipping escapes.
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === "\\" ? 2 : 1;
      try {
        value = JSON.parse(s.slice(i, j + 1)) as string;
      } catch {
        value = s.slice(i + 1, j);
      }
      i = j + 1;
    } else {
      const comma = s.indexOf(", ", i);
      const end = comma === -1 ? s.length : comma;
      value = s.slice(i, end);
      i = end;
    }
    if (type === "DNS") out.dns.push(value);
    else if (type === "IP Address") out.ip.push(value);
  }
  return out;
}

/** Parses an IPv4 or IPv6 literal into its bytes as a hex string, or undefined when it is not one. */
export function ipBytes(literal: string): string | undefined {
  let a = literal;
  if (a.startsWith("[") && a.endsWith("]")) a = a.slice(1, -1);
  const zone = a.indexOf("%");
  if (zone !== -1) a = a.slice(0, zone);
  const kind = isIP(a);
  if (kind === 4) return v4(a);
  if (kind !== 6) return undefined;
  let tail = "";
  const lastColon = a.lastIndexOf(":");
  if (a.slice(lastColon + 1).includes(".")) {
    // Embedded IPv4 ("::ffff:1.2.3.4"): its 4 bytes are the last two groups.
    tail = v4(a.slice(lastColon + 1));
    a = a.slice(0, lastColon + 1) + "0:0";
  }
  const [head, rest] = a.includes("::") ? a.split("::") as [string, string] : [a, undefined];
  const h = head === "" ? [] : head.split(":");
  const r = rest === undefined || rest === "" ? [] : rest.split(":");
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - r.length).fill("0"), ...r];
  let hex = groups.map((g) => g.toLowerCase().padStart(4, "0")).join("");
  if (tail) hex = hex.slice(0, 24) + tail;
  return hex;
}

function v4(a: string): string {
  return a.split(".").map((x) => Number(x).toString(16).padStart(2, "0")).join("");
}

/** Lowercases, drops one trailing dot and converts a non-ASCII name to its A-label form. */
function normalizeDNS(name: string): string {
  let n = name.endsWith(".") ? name.slice(0, -1) : name;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(n)) n = domainToASCII(n) || n;
  return n.toLowerCase();
}

/** Does the dNSName `pattern` (possibly "*.rest") match the host name `host`? Both normalized. */
export function dnsNameMatches(pattern: string, host: string): boolean {
  const p = normalizeDNS(pattern);
  const h = normalizeDNS(host);
  if (p === "" || h === "") return false;
  if (!p.includes("*")) return p === h;
  // RFC 6125 §6.4.3 as tightened by CA/B BR: "*" only as the entire left-most label.
  if (!p.startsWith("*.")) return false;
  const rest = p.slice(2);
  if (rest.includes("*")) return false;
  if (rest.split(".").length < 2 || rest.split(".").some((l) => l === "")) return false; // "*.test", "*..x"
  const dot = h.indexOf(".");
  if (dot <= 0) return false; // the wildcard must match one non-empty label
  return h.slice(dot + 1) === rest;
}

/** Result of a failed identity check. */
export interface IdentityMismatch {
  /** Names the certificate is for (SANs), for the error message. */
  certNames: string[];
  /** Why it does not match, as a short phrase; "" when the names simply differ. */
  why: string;
}

/**
 * Checks that `cert` is for `hostname`. Returns undefined on success, else what the
 * certificate is for, for the error message.
 */
export function checkIdentity(hostname: string, cert: Pick<PeerCertificate, "subjectaltname" | "subject">): IdentityMismatch | undefined {
  const names = parseAltNames(cert.subjectaltname);
  const certNames = [...names.dns, ...names.ip];
  const ip = ipBytes(hostname);
  if (ip !== undefined) {
    if (names.ip.some((n) => ipBytes(n) === ip)) return undefined;
    return { certNames, why: names.ip.length === 0 ? "the certificate has no IP address names" : "" };
  }
  if (names.dns.some((n) => dnsNameMatches(n, hostname))) return undefined;
  if (certNames.length === 0) {
    const cn = cert.subject?.CN;
    return { certNames: cn ? [`CN=${Array.isArray(cn) ? cn.join(",") : cn}`] : [], why: "the certificate has no subjectAltName (the subject CN is not used)" };
  }
  return { certNames, why: names.dns.length === 0 ? "the certificate has no DNS names" : "" };
}
