// The trust store for verify_peer: which CA certificates a peer chain must lead to.
//
// - neither `cacertfile` nor `cacerts`: Node's default store (its bundled Mozilla roots, plus
//   NODE_EXTRA_CA_CERTS / --use-openssl-ca / --use-system-ca when the process sets them); no `ca`
//   option is passed, so Node reuses its own parsed store.
// - `cacertfile`: the file is read once and split into PEM blocks; the result is cached by
//   path and modification time, so a changed file is read again and an unchanged one never.
// - `cacerts`: PEM strings are used as is, DER bytes are wrapped into PEM (cached per array).
// - `cacerts: "system"`: the OS store, from `tls.getCACertificates("system")`, where the
//   running Node has it (22.15+ / 23.10+); elsewhere it is refused with a TypeError.
// Both `cacertfile` and `cacerts` may be given: the store is their union.
//
// `key` identifies the store for the session cache, so a session verified against one store
// is never resumed under another.

import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import * as tls from "node:tls";
import { TransportError } from "../errors.js";
import type { TransportOptions } from "./options.js";

/** The `ca` option for tls.connect (undefined = Node's default store) and an identity for it. */
export interface TrustStore {
  ca: string[] | undefined;
  key: string;
}

const fileCache = new Map<string, { mtimeMs: number; size: number; pems: string[]; digest: string }>();
const listCache = new WeakMap<object, { pems: string[]; digest: string }>();
let systemCache: { pems: string[]; digest: string } | undefined;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Splits a PEM text into its certificate blocks. */
export function splitPEM(text: string): string[] {
  return text.match(PEM_BLOCK) ?? [];
}

/** Wraps DER bytes into a PEM certificate block. */
export function derToPEM(der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64");
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{1,64}/g, "$&\n")}-----END CERTIFICATE-----\n`;
}

function digest(pems: string[]): string {
  const h = createHash("sha256");
  for (const p of pems) h.update(p);
  return h.digest("base64url").slice(0, 22);
}

/** True when the running Node can read the OS trust store (`tls.getCACertificates`). */
export function hasSystemStore(): boolean {
  return typeof (tls as { getCACertificates?: unknown }).getCACertificates === "function";
}

/**
 * Reads a CA file (cached by path, size and modification time).
 * @throws TransportError `options` (details.option "cacertfile", details.code) when it cannot be read
 *   or holds no certificate.
 */
export function loadCACertFile(path: string): { pems: string[]; digest: string } {
  let st;
  try {
    st = statSync(path);
    const hit = fileCache.get(path);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
    const pems = splitPEM(readFileSync(path, "utf8"));
    if (pems.length === 0) throw Object.assign(new Error("no PEM certificate in the file"), { code: "ENOCERT" });
    const entry = { mtimeMs: st.mtimeMs, size: st.size, pems, digest: digest(pems) };
    fileCache.set(path, entry);
    return entry;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "EINVAL";
    throw new TransportError("options", `cannot use cacertfile ${path}: ${(err as Error).message}`, { option: "cacertfile", code }, { cause: err });
  }
}

function loadList(list: Array<string | Uint8Array>): { pems: string[]; digest: string } {
  const hit = listCache.get(list);
  if (hit) return hit;
  const pems: string[] = [];
  for (const c of list) {
    if (typeof c === "string") {
      const blocks = splitPEM(c);
      pems.push(...(blocks.length ? blocks : [c]));
    } else pems.push(derToPEM(c));
  }
  const entry = { pems, digest: digest(pems) };
  listCache.set(list, entry);
  return entry;
}

function loadSystem(): { pems: string[]; digest: string } {
  if (!hasSystemStore())
    throw new TypeError(`invalid transportOpts: cacerts "system" needs tls.getCACertificates (Node 22.15+ or 23.10+); this is Node ${process.versions.node}`);
  if (!systemCache) {
    const pems = (tls as unknown as { getCACertificates(kind: string): string[] }).getCACertificates("system");
    systemCache = { pems, digest: digest(pems) };
  }
  return systemCache;
}

/**
 * Resolves the trust store of `opts`.
 * @throws TransportError `options` for an unreadable `cacertfile`; TypeError for `cacerts: "system"`
 *   on a Node without `tls.getCACertificates`.
 */
export function resolveTrustStore(opts: TransportOptions): TrustStore {
  const { cacertfile, cacerts } = opts;
  if (cacertfile === undefined && cacerts === undefined) return { ca: undefined, key: "default" };
  const ca: string[] = [];
  const keys: string[] = [];
  if (cacertfile !== undefined) {
    const f = loadCACertFile(cacertfile);
    ca.push(...f.pems);
    keys.push(`file:${f.digest}`);
  }
  if (cacerts !== undefined) {
    const l = cacerts === "system" ? loadSystem() : loadList(cacerts);
    ca.push(...l.pems);
    keys.push(`${cacerts === "system" ? "system" : "list"}:${l.digest}`);
  }
  return { ca, key: keys.join("+") };
}
