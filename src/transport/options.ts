// Transport options: the `transportOpts` a caller gives to `connect`, their validation and
// the connect deadline.
//
// Options with Mint's meaning (verify, cacertfile, ciphers, versions, ...) are typed below.
// Every other key is a plain net/tls option (cert, key, pfx, passphrase, localAddress,
// keepAlive, ...) and passes through to `tls.connect` untouched. Options the library manages
// itself (ALPN, the socket, the mode, the address) are refused with a TypeError, and so are
// plain tls options that would silently fight a Mint option (`ca` vs `cacerts`,
// `rejectUnauthorized` vs `verify`, ...): there is one way to say each thing.

import { isIP } from "node:net";
import type { PeerCertificate } from "node:tls";
import { hasSystemStore } from "./trust-store.js";

/** TLS protocol versions accepted in {@link TransportOptions.versions}. */
export type TLSVersionName = "tlsv1" | "tlsv1.1" | "tlsv1.2" | "tlsv1.3";

/** Options for the socket and the TLS session; see the API's `transportOpts` table. */
export interface TransportOptions {
  /** Connect timeout in ms (TCP connect and TLS handshake together). Default 30000; `Infinity` disables. */
  timeout?: number;
  /** `"verify_peer"` (default) checks the chain and the host name; `"verify_none"` checks nothing. */
  verify?: "verify_peer" | "verify_none";
  /** Path of a PEM file of trusted CAs. Read once and cached (by path and modification time). */
  cacertfile?: string;
  /** Trusted CAs as PEM strings or DER bytes, or `"system"` for the OS store (Node with `tls.getCACertificates`). */
  cacerts?: Array<string | Uint8Array> | "system";
  /** OpenSSL cipher list (string or array of suite names); replaces the default list. */
  ciphers?: string | string[];
  /** Allowed TLS versions; default `["tlsv1.2", "tlsv1.3"]`. */
  versions?: TLSVersionName[];
  /** Maximum number of intermediate CA certificates between the peer and the trust anchor. Default 4. */
  depth?: number;
  /** Accept a chain ending at a trusted CA that is not self-signed (an intermediate in the store). Default true. */
  partialChain?: boolean;
  /** Resume TLS sessions across connections to the same host, port and server name. Default true. */
  reuseSessions?: boolean;
  /** Refuse servers that do not support RFC 5746 secure renegotiation. Default true. */
  secureRenegotiate?: boolean;
  /** Server name sent in SNI; default the host name (unless it is an IP literal); `false` sends none. */
  serverNameIndication?: string | false;
  /** Replaces the host name check: return an Error to refuse the peer. */
  verifyFun?: (hostname: string, peerCert: PeerCertificate) => Error | undefined;
  /** Try IPv6 first. Default false. */
  inet6?: boolean;
  /** Allow IPv4 (as fallback when `inet6` is set). Default true. */
  inet4?: boolean;
  /** Plain net/tls options pass through (cert, key, pfx, passphrase, localAddress, keepAlive, ...). */
  [key: string]: unknown;
}

/** Default connect timeout in ms. */
export const DEFAULT_TIMEOUT = 30_000;
/** Default maximum number of intermediate CAs. */
export const DEFAULT_DEPTH = 4;
/** Default TLS versions. */
export const DEFAULT_VERSIONS: readonly TLSVersionName[] = ["tlsv1.2", "tlsv1.3"];

const TLS_VERSIONS: readonly string[] = ["tlsv1", "tlsv1.1", "tlsv1.2", "tlsv1.3"];

/** Options the library sets itself; a caller cannot override them. */
const MANAGED: Readonly<Record<string, string>> = {
  alpnAdvertisedProtocols: "ALPN protocols follow the `protocols` connect option",
  ALPNProtocols: "ALPN protocols follow the `protocols` connect option",
  ALPNCallback: "ALPN protocols follow the `protocols` connect option",
  mode: "the socket mode follows the `mode` connect option",
  active: "the socket mode follows the `mode` connect option",
  packet: "the socket always carries raw bytes",
  socket: "the socket is created by the connection",
  host: "the address is the second argument of connect",
  port: "the port is the third argument of connect",
  path: "a Unix socket path is given as connect's address `{ path }`",
};

/** Plain tls options that would contradict a Mint option: the Mint option must be used. */
const USE_INSTEAD: Readonly<Record<string, string>> = {
  ca: "cacerts",
  rejectUnauthorized: "verify",
  checkServerIdentity: "verifyFun",
  servername: "serverNameIndication",
  minVersion: "versions",
  maxVersion: "versions",
  secureProtocol: "versions",
  session: "reuseSessions",
  allowPartialTrustChain: "partialChain",
};

function fail(message: string): never {
  throw new TypeError(`invalid transportOpts: ${message}`);
}

function isBool(v: unknown): v is boolean {
  return typeof v === "boolean";
}

/**
 * Checks `opts` and returns it unchanged.
 *
 * Runs before any socket is opened (TLS settings that need OpenSSL to judge them, such as
 * cipher names or a certificate and key, are checked by prepareTLS, also before).
 *
 * @throws TypeError naming the option when a managed option is present (`alpnAdvertisedProtocols`,
 *   `ALPNProtocols`, `mode`, `active`, `packet`, `socket`, `host`, `port`, `path`), when a plain tls
 *   option duplicates a Mint option (`ca`, `rejectUnauthorized`, ...), or when a value has the
 *   wrong type or range.
 */
export function validateTransportOptions(opts: unknown): TransportOptions {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== "object" || Array.isArray(opts)) fail(`expected an object, got ${describe(opts)}`);
  const o = opts as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (Object.hasOwn(MANAGED, key)) fail(`option "${key}" cannot be set: ${MANAGED[key]}`);
    if (Object.hasOwn(USE_INSTEAD, key)) fail(`option "${key}" is not accepted: use "${USE_INSTEAD[key]}" instead`);
  }
  const { timeout, verify, cacertfile, cacerts, ciphers, versions, depth } = o;
  if (timeout !== undefined && !(typeof timeout === "number" && (timeout === Infinity || (Number.isFinite(timeout) && timeout >= 0))))
    fail(`"timeout" must be a non-negative number of milliseconds or Infinity, got ${describe(timeout)}`);
  if (verify !== undefined && verify !== "verify_peer" && verify !== "verify_none")
    fail(`"verify" must be "verify_peer" or "verify_none", got ${describe(verify)}`);
  if (cacertfile !== undefined && (typeof cacertfile !== "string" || cacertfile === ""))
    fail(`"cacertfile" must be a non-empty path string, got ${describe(cacertfile)}`);
  if (cacerts === "system" && !hasSystemStore())
    fail(`cacerts "system" needs tls.getCACertificates (Node 22.15+ or 23.10+); this is Node ${process.versions.node}`);
  if (cacerts !== undefined && cacerts !== "system") {
    if (!Array.isArray(cacerts)) fail(`"cacerts" must be an array of PEM strings or DER bytes, or "system", got ${describe(cacerts)}`);
    cacerts.forEach((c, i) => {
      if (typeof c !== "string" && !(c instanceof Uint8Array)) fail(`"cacerts[${i}]" must be a PEM string or DER bytes, got ${describe(c)}`);
    });
  }
  if (ciphers !== undefined) {
    if (typeof ciphers === "string") {
      if (ciphers.trim() === "") fail(`"ciphers" must not be empty`);
    } else if (Array.isArray(ciphers)) {
      if (ciphers.length === 0) fail(`"ciphers" must not be empty`);
      ciphers.forEach((c, i) => {
        if (typeof c !== "string" || c === "" || c.includes(":")) fail(`"ciphers[${i}]" must be one cipher suite name, got ${describe(c)}`);
      });
    } else fail(`"ciphers" must be a string or an array of strings, got ${describe(ciphers)}`);
  }
  if (versions !== undefined) {
    if (!Array.isArray(versions) || versions.length === 0) fail(`"versions" must be a non-empty array, got ${describe(versions)}`);
    for (const v of versions)
      if (typeof v !== "string" || !TLS_VERSIONS.includes(v)) fail(`"versions" entries must be one of ${TLS_VERSIONS.map((x) => `"${x}"`).join(", ")}, got ${describe(v)}`);
  }
  if (depth !== undefined && !(Number.isInteger(depth) && (depth as number) >= 0))
    fail(`"depth" must be a non-negative integer, got ${describe(depth)}`);
  for (const key of ["partialChain", "reuseSessions", "secureRenegotiate", "inet6", "inet4", "keepAlive", "noDelay", "autoSelectFamily"]) {
    if (o[key] !== undefined && !isBool(o[key])) fail(`"${key}" must be a boolean, got ${describe(o[key])}`);
  }
  if (o.inet4 === false && o.inet6 !== true) fail(`"inet4" is false and "inet6" is not true, so no address family is allowed`);
  // Plain net options: refused here rather than by the socket, so no socket is opened for them.
  if (o.localAddress !== undefined && (typeof o.localAddress !== "string" || isIP(o.localAddress) === 0))
    fail(`"localAddress" must be an IP address, got ${describe(o.localAddress)}`);
  if (o.localPort !== undefined && !(Number.isInteger(o.localPort) && (o.localPort as number) >= 0 && (o.localPort as number) <= 65535))
    fail(`"localPort" must be an integer in 0..65535, got ${describe(o.localPort)}`);
  if (o.family !== undefined && o.family !== 0 && o.family !== 4 && o.family !== 6) fail(`"family" must be 0, 4 or 6, got ${describe(o.family)}`);
  if (o.lookup !== undefined && typeof o.lookup !== "function") fail(`"lookup" must be a function, got ${describe(o.lookup)}`);
  for (const key of ["keepAliveInitialDelay", "autoSelectFamilyAttemptTimeout"]) {
    const v = o[key];
    if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v >= 0)) fail(`"${key}" must be a non-negative number, got ${describe(v)}`);
  }
  const sni = o.serverNameIndication;
  if (sni !== undefined && sni !== false && (typeof sni !== "string" || sni === ""))
    fail(`"serverNameIndication" must be a host name string or false, got ${describe(sni)}`);
  if (o.verifyFun !== undefined && typeof o.verifyFun !== "function")
    fail(`"verifyFun" must be a function (hostname, peerCert) => Error | undefined, got ${describe(o.verifyFun)}`);
  return o as TransportOptions;
}

/**
 * The absolute connect deadline (`Date.now()` ms) for `opts.timeout`: 30000 ms from now by
 * default, `Infinity` when the timeout is `Infinity`.
 */
export function resolveDeadline(opts: TransportOptions | undefined, now: number = Date.now()): number {
  const timeout = opts?.timeout ?? DEFAULT_TIMEOUT;
  return timeout === Infinity ? Infinity : now + timeout;
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "function") return "a function";
  if (Array.isArray(v)) return "an array";
  if (v instanceof Uint8Array) return "bytes";
  if (v === null) return "null";
  if (typeof v === "object") return "an object";
  return String(v);
}
