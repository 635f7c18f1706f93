// TLS session cache for `reuseSessions`: the latest session (TLS 1.2 session or TLS 1.3
// ticket) per destination, offered as `session` on the next connect to the same place.
//
// The key holds the host, port and server name, and everything that decided whether the
// session's certificate was accepted (verify mode, trust store, versions, ciphers, client
// certificate): a session accepted under one set of rules is never resumed under another.
// The cache is bounded: least recently used entries go first. A destination whose handshake
// or verification fails is dropped.
//
// Each entry also keeps the peer certificate chain that was verified when the session was
// made: a client resuming a session receives no certificate (OpenSSL returns no peer chain),
// so the host name and depth checks of a resumed connection run on this stored chain.

import type { DetailedPeerCertificate } from "node:tls";

/** A cached TLS session and the peer certificate it was verified with. */
export interface CachedSession {
  session: Buffer;
  peer: DetailedPeerCertificate | undefined;
}

/** Least-recently-used map from destination key to a serialized TLS session. */
export class SessionCache {
  readonly #max: number;
  readonly #map = new Map<string, CachedSession>();

  constructor(maxEntries = 256) {
    this.#max = maxEntries;
  }

  get(key: string): CachedSession | undefined {
    const s = this.#map.get(key);
    if (s !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, s);
    }
    return s;
  }

  set(key: string, session: CachedSession): void {
    this.#map.delete(key);
    this.#map.set(key, session);
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next().value as string;
      this.#map.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }

  get size(): number {
    return this.#map.size;
  }
}

/** The process-wide cache used by connectTLS. */
export const sessionCache = new SessionCache();
