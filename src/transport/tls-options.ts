// Builds the tls.connect options of one connection from the caller's TransportOptions:
// secure defaults (ciphers, versions, renegotiation, partial chains, trust store, SNI), the
// session cache key, and the plain net/tls options that pass through.
//
// Verification itself is not left to tls.connect: `rejectUnauthorized` is false, and
// connectTLS adds a `checkServerIdentity` that decides nothing (it keeps the peer chain Node
// built for it), then checks the OpenSSL verification result, the chain depth and the host
// name after 'secureConnect', before the socket is handed out (also on resumed sessions,
// which tls.connect would not re-check).

import { createHash, constants } from "node:crypto";
import { isIP } from "node:net";
import { createSecureContext, type ConnectionOptions } from "node:tls";
import { cipherString } from "./ciphers.js";
import { DEFAULT_VERSIONS, type TLSVersionName, type TransportOptions } from "./options.js";
import { nativePartialChain } from "./partial-chain.js";
import { sharedSecureContext } from "./secure-context.js";
import { resolveTrustStore, type TrustStore } from "./trust-store.js";

/** Keys with Mint's meaning; they never reach tls.connect as they are. */
const MINT_KEYS: ReadonlySet<string> = new Set([
  "timeout", "verify", "cacertfile", "cacerts", "ciphers", "versions", "depth", "partialChain", "reuseSessions",
  "secureRenegotiate", "serverNameIndication", "verifyFun", "inet6", "inet4",
]);

const ORDER: readonly TLSVersionName[] = ["tlsv1", "tlsv1.1", "tlsv1.2", "tlsv1.3"];
const NODE_VERSION: Readonly<Record<TLSVersionName, "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3">> = {
  tlsv1: "TLSv1", "tlsv1.1": "TLSv1.1", "tlsv1.2": "TLSv1.2", "tlsv1.3": "TLSv1.3",
};
const NO_VERSION: Readonly<Record<TLSVersionName, number>> = {
  tlsv1: constants.SSL_OP_NO_TLSv1, "tlsv1.1": constants.SSL_OP_NO_TLSv1_1,
  "tlsv1.2": constants.SSL_OP_NO_TLSv1_2, "tlsv1.3": constants.SSL_OP_NO_TLSv1_3,
};

/**
 * minVersion/maxVersion from a set of versions; versions missing between the two (a
 * non-contiguous set such as ["tlsv1", "tlsv1.3"]) are switched off with SSL_OP_NO_TLSv1_x.
 */
export function versionRange(versions: readonly TLSVersionName[]): { minVersion: ConnectionOptions["minVersion"]; maxVersion: ConnectionOptions["maxVersion"]; secureOptions: number } {
  const set = new Set(versions);
  const present = ORDER.filter((v) => set.has(v));
  const lo = ORDER.indexOf(present[0]!);
  const hi = ORDER.indexOf(present[present.length - 1]!);
  let secureOptions = 0;
  for (let i = lo + 1; i < hi; i++) if (!set.has(ORDER[i]!)) secureOptions |= NO_VERSION[ORDER[i]!];
  return { minVersion: NODE_VERSION[ORDER[lo]!], maxVersion: NODE_VERSION[ORDER[hi]!], secureOptions };
}

/** The SNI name for `hostname`: none for an IP literal; one trailing dot removed (RFC 6066 §3). */
export function serverName(hostname: string, sni: string | false | undefined): string | undefined {
  if (sni === false) return undefined;
  const name = sni ?? hostname;
  const bare = name.startsWith("[") && name.endsWith("]") ? name.slice(1, -1) : name;
  if (isIP(bare) !== 0) return undefined;
  return bare.endsWith(".") ? bare.slice(0, -1) : bare;
}

export interface BuiltTLSOptions {
  /** Options for tls.connect (without `socket` and `session`). */
  options: ConnectionOptions;
  /** Whether the chain and host name are checked. */
  verify: boolean;
  /** The name the certificate must be for: `serverNameIndication` when a string, else the host name. */
  verifyName: string;
  trust: TrustStore;
  /** Session cache key, or undefined when sessions are not reused. */
  sessionKey: string | undefined;
}

function digestOf(values: unknown[]): string {
  // No client certificate (the usual case): nothing to hash on every connection.
  if (values.every((v) => v === undefined)) return "none";
  const h = createHash("sha256");
  for (const v of values.flat(2)) {
    if (v === undefined) h.update("-");
    else if (typeof v === "string" || v instanceof Uint8Array) h.update(v);
    else if (typeof v === "object" && v !== null && "buf" in v) h.update((v as { buf: string | Uint8Array }).buf);
    else h.update(String(v));
    h.update("\0");
  }
  return h.digest("base64url").slice(0, 16);
}

/**
 * Builds the tls.connect options.
 * @throws TransportError `options` (unreadable cacertfile); TypeError (`cacerts: "system"` unsupported);
 *   Node's own error for options OpenSSL refuses (unknown ciphers, a bad certificate or key).
 */
export function buildTLSOptions(opts: TransportOptions, hostname: string, port: number, alpnProtocols: readonly string[]): BuiltTLSOptions {
  const verify = (opts.verify ?? "verify_peer") === "verify_peer";
  const trust: TrustStore = verify ? resolveTrustStore(opts) : { ca: undefined, key: "none" };
  const range = versionRange(opts.versions ?? DEFAULT_VERSIONS);
  const ciphers = cipherString(opts.ciphers);
  let secureOptions = range.secureOptions | (typeof opts.secureOptions === "number" ? opts.secureOptions : 0);
  // RFC 5746: OpenSSL 3 refuses servers without secure renegotiation unless told otherwise.
  if (opts.secureRenegotiate === false) secureOptions |= constants.SSL_OP_LEGACY_SERVER_CONNECT | constants.SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION;
  else secureOptions &= ~(constants.SSL_OP_LEGACY_SERVER_CONNECT | constants.SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION);

  const passThrough: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) if (!MINT_KEYS.has(k) && k !== "secureOptions") passThrough[k] = v;

  const servername = serverName(hostname, opts.serverNameIndication);
  const options: ConnectionOptions = {
    ...passThrough,
    ciphers,
    minVersion: range.minVersion,
    maxVersion: range.maxVersion,
    secureOptions,
    rejectUnauthorized: false,
  };
  if (trust.ca !== undefined) options.ca = trust.ca;
  if (verify && opts.partialChain !== false && nativePartialChain) options.allowPartialTrustChain = true;
  if (servername !== undefined) options.servername = servername;
  if (alpnProtocols.length > 0) options.ALPNProtocols = [...alpnProtocols];
  // A context of its own is built here too (not by tls.connect), so a bad certificate, key or
  // cipher list is refused before any socket is opened.
  options.secureContext = sharedSecureContext(options, trust.key) ?? createSecureContext(options);

  const verifyName = typeof opts.serverNameIndication === "string" ? opts.serverNameIndication : hostname;
  const sessionKey = opts.reuseSessions === false ? undefined : [
    hostname, port, servername ?? "", verify ? `verify:${verifyName}` : "none", trust.key, range.minVersion, range.maxVersion, secureOptions,
    ciphers, opts.partialChain === false ? "strict" : "partial", opts.depth ?? "", alpnProtocols.join(","),
    digestOf([opts.cert, opts.pfx, opts.key]),
  ].join("|");
  return { options, verify, verifyName, trust, sessionKey };
}
