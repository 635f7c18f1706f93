// Opening a connection to an origin for the pool: Happy Eyeballs v2 (RFC 8305).
//
// How this works: for a host name (not an IP literal, and no proxy — a proxy resolves the
// target itself) the AAAA and A answers are looked up in parallel through the system
// resolver (`dns.lookup` per family, so /etc/hosts counts). Connecting starts as soon as the
// AAAA answer is in, or 50 ms after the A answer when AAAA is still out (§3). Addresses are
// tried alternating families, IPv6 first (§4); a new attempt starts every 250 ms while the
// earlier ones keep running, or at once when the latest one fails (§5). The first connection
// up wins; every other attempt is aborted, and one that still succeeds is closed. When every
// address failed, the most telling error is rejected, with each attempt in
// `details.attempts`. Each attempt is the public `connect()` to the IP address with
// `hostname` set to the name, so Host, SNI and certificate checks use the name. Every timer
// is cleared once the dial settles.

import { lookup as dnsLookup } from "node:dns/promises";
import { connect, HTTPError, MintError, TransportError } from "../index.js";
import type { ConnectOptions, Connection, Scheme } from "../index.js";
import type { PoolOrigin } from "./origin.js";

/** 6 for an IPv6 literal, 4 for a dotted IPv4 address, 0 for a name (no socket module needed). */
function isIP(host: string): 0 | 4 | 6 {
  if (host.includes(":")) return 6; // a host name never contains ":" (RFC 3986 §3.2.2)
  return /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(host) ? 4 : 0;
}

/** RFC 8305 §5: the recommended Connection Attempt Delay. */
export const CONNECTION_ATTEMPT_DELAY = 250;
/** RFC 8305 §3: the recommended Resolution Delay (wait for AAAA after A arrived). */
export const RESOLUTION_DELAY = 50;

/** Addresses of `host` for one family; an empty list when the family has none. */
export type LookupFamily = (host: string, family: 4 | 6) => Promise<string[]>;
/** One connection attempt; `signal` aborts when the attempt is no longer wanted. */
export type ConnectAttempt = (scheme: Scheme, address: string, port: number, opts: ConnectOptions, signal: AbortSignal) => Promise<Connection>;

/** What {@link dialWith} uses instead of the system resolver, `connect()` and RFC 8305's delays. */
export interface DialDeps {
  lookup?: LookupFamily;
  connect?: ConnectAttempt;
  delays?: { attempt?: number; resolution?: number };
}

/** One failed attempt, as listed in the dial error's `details.attempts`. */
export interface FailedAttempt {
  address: string;
  error: unknown;
}

/**
 * Open a connection to `origin`, racing its IPv6 and IPv4 addresses (Happy Eyeballs v2,
 * RFC 8305). An IP literal, or any origin when `opts.proxy` is set, is a single `connect()`.
 *
 * Rejects with TransportError `aborted` (the signal's reason as `cause`), a DNS code
 * (`enotfound`, `eai_again`, ...), or the failure of the attempts: the error of the first
 * address that was reached (a TLS or protocol error), else the first error, copied with
 * `details.attempts` listing every address tried (and the original as `cause`) when more
 * than one was. A TypeError from `connect()` (bad options) rejects at once.
 */
export function dial(origin: PoolOrigin, opts: ConnectOptions, signal?: AbortSignal): Promise<Connection> {
  return dialWith({}, origin, opts, signal);
}

/** {@link dial} with the resolver, the connect function and the delays replaceable (tests). */
export function dialWith(deps: DialDeps, origin: PoolOrigin, opts: ConnectOptions, signal?: AbortSignal): Promise<Connection> {
  const attemptFn = deps.connect ?? defaultConnect;
  if (signal?.aborted) return Promise.reject(abortedError(origin, signal));
  const direct = opts.proxy !== undefined || isIP(origin.host) !== 0;
  if (direct) return single(attemptFn, origin, opts, signal);
  return new HappyEyeballs(deps, attemptFn, origin, opts, signal).promise;
}

const defaultConnect: ConnectAttempt = (scheme, address, port, opts) => connect(scheme, address, port, opts);

const defaultLookup: LookupFamily = async (host, family) => {
  try {
    return (await dnsLookup(host, { family, all: true })).map((a) => a.address);
  } catch (err) {
    // A name with records of the other family only: this family has no address.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOTFOUND" || code === "ENODATA") return [];
    throw err;
  }
};

/** A proxy or an IP literal: one attempt, still abortable. */
function single(attemptFn: ConnectAttempt, origin: PoolOrigin, opts: ConnectOptions, signal?: AbortSignal): Promise<Connection> {
  const ac = new AbortController();
  return new Promise<Connection>((resolve, reject) => {
    let settled = false;
    const onAbort = (): void => {
      settled = true;
      ac.abort(signal?.reason);
      reject(abortedError(origin, signal!));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    attemptFn(origin.scheme, origin.host, origin.port, opts, ac.signal).then(
      (conn) => {
        signal?.removeEventListener("abort", onAbort);
        if (settled) void conn.close().catch(() => {});
        else resolve(conn);
      },
      (err) => {
        signal?.removeEventListener("abort", onAbort);
        if (!settled) reject(err);
      },
    );
  });
}

class HappyEyeballs {
  readonly promise: Promise<Connection>;
  #resolve!: (conn: Connection) => void;
  #reject!: (err: unknown) => void;
  #settled = false;
  #started = false;
  #queues: Record<4 | 6, string[]> = { 4: [], 6: [] };
  #seen = new Set<string>();
  #nextFamily: 4 | 6 = 6;
  #lookupsOut = 0;
  #answered: Record<4 | 6, boolean> = { 4: false, 6: false };
  #dnsErrors: unknown[] = [];
  #running = new Map<string, AbortController>();
  #failures: FailedAttempt[] = [];
  #attemptTimer: NodeJS.Timeout | undefined;
  #resolutionTimer: NodeJS.Timeout | undefined;
  #attemptDelay: number;
  #resolutionDelay: number;
  #opts: ConnectOptions;

  constructor(
    deps: DialDeps,
    readonly attemptFn: ConnectAttempt,
    readonly origin: PoolOrigin,
    opts: ConnectOptions,
    readonly signal?: AbortSignal,
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#attemptDelay = deps.delays?.attempt ?? CONNECTION_ATTEMPT_DELAY;
    this.#resolutionDelay = deps.delays?.resolution ?? RESOLUTION_DELAY;
    // The name, not the address, is what Host/:authority, SNI and verification use.
    this.#opts = { ...opts, hostname: opts.hostname ?? origin.host };
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    const lookup = deps.lookup ?? defaultLookup;
    for (const family of families(opts)) {
      this.#lookupsOut++;
      let answer: Promise<string[]>;
      try {
        answer = lookup(origin.host, family);
      } catch (err) {
        answer = Promise.reject(err);
      }
      answer.then(
        (addresses) => this.#onAnswer(family, addresses),
        (err) => this.#onAnswer(family, [], err),
      );
    }
  }

  #onAbort = (): void => {
    if (this.#settled) return;
    this.#settle();
    this.#reject(abortedError(this.origin, this.signal!));
  };

  #onAnswer(family: 4 | 6, addresses: string[], err?: unknown): void {
    this.#lookupsOut--;
    this.#answered[family] = true;
    if (this.#settled) return;
    if (err !== undefined) this.#dnsErrors.push(err);
    for (const a of addresses) {
      if (this.#seen.has(a)) continue;
      this.#seen.add(a);
      this.#queues[isIP(a) === 6 ? 6 : 4].push(a);
    }
    if (!this.#started) {
      const haveAny = this.#queues[4].length + this.#queues[6].length > 0;
      if (family === 6 && this.#queues[6].length > 0) this.#start(); // RFC 8305 §3: AAAA first, go now
      else if (this.#lookupsOut === 0) {
        if (haveAny) this.#start();
        else this.#check();
      } else if (haveAny && this.#resolutionTimer === undefined) {
        // RFC 8305 §3: A arrived first; give AAAA the Resolution Delay, not more.
        this.#resolutionTimer = setTimeout(() => {
          this.#resolutionTimer = undefined;
          if (!this.#settled && !this.#started) this.#start();
        }, this.#resolutionDelay);
      }
      return;
    }
    // RFC 8305 §3: answers that come in while attempts run join the list; unless an attempt
    // is running with its delay not yet over, the next attempt starts at once.
    if (this.#attemptTimer === undefined || this.#running.size === 0) this.#next();
  }

  #start(): void {
    this.#started = true;
    if (this.#resolutionTimer !== undefined) clearTimeout(this.#resolutionTimer);
    this.#resolutionTimer = undefined;
    this.#next();
  }

  /** RFC 8305 §4: alternate families, starting with IPv6; the other one when one runs dry. */
  #take(): string | undefined {
    const first = this.#nextFamily;
    const other = first === 6 ? 4 : 6;
    const address = this.#queues[first].shift() ?? this.#queues[other].shift();
    if (address !== undefined) this.#nextFamily = isIP(address) === 6 ? 4 : 6;
    return address;
  }

  /** Start the next attempt and arm the Connection Attempt Delay (RFC 8305 §5). */
  #next(): void {
    if (this.#attemptTimer !== undefined) clearTimeout(this.#attemptTimer);
    this.#attemptTimer = undefined;
    const address = this.#take();
    if (address === undefined) {
      this.#check();
      return;
    }
    const ac = new AbortController();
    this.#running.set(address, ac);
    const { scheme, port } = this.origin;
    let attempt: Promise<Connection>;
    try {
      attempt = this.attemptFn(scheme, address, port, this.#opts, ac.signal);
    } catch (err) {
      attempt = Promise.reject(err);
    }
    attempt.then(
      (conn) => this.#onConnected(address, conn),
      (err) => this.#onFailed(address, err),
    );
    // Queued addresses, or lookups still out that may add some: try again after the delay.
    if (!this.#settled && (this.#queues[4].length + this.#queues[6].length > 0 || this.#lookupsOut > 0)) {
      this.#attemptTimer = setTimeout(() => {
        this.#attemptTimer = undefined;
        if (!this.#settled) this.#next();
      }, this.#attemptDelay);
    }
  }

  #onConnected(address: string, conn: Connection): void {
    this.#running.delete(address);
    if (this.#settled) {
      // A late winner: someone else won, or the dial was aborted.
      void conn.close().catch(() => {});
      return;
    }
    this.#settle();
    this.#resolve(conn);
  }

  #onFailed(address: string, err: unknown): void {
    this.#running.delete(address);
    if (this.#settled) return;
    if (err instanceof TypeError) {
      // Bad options fail every address the same way.
      this.#settle();
      this.#reject(err);
      return;
    }
    this.#failures.push({ address, error: err });
    // RFC 8305 §5: a failed attempt does not wait out the delay; the next one starts now.
    if (this.#queues[4].length + this.#queues[6].length > 0) this.#next();
    else {
      // Nothing left to stagger behind: an address that arrives later starts at once.
      if (this.#running.size === 0 && this.#attemptTimer !== undefined) clearTimeout(this.#attemptTimer);
      if (this.#running.size === 0) this.#attemptTimer = undefined;
      this.#check();
    }
  }

  /** Fail once nothing runs, nothing is queued and no lookup is out. */
  #check(): void {
    if (this.#settled || this.#running.size > 0 || this.#lookupsOut > 0) return;
    if (this.#queues[4].length + this.#queues[6].length > 0) return;
    this.#settle();
    if (this.#failures.length === 0) this.#reject(dnsError(this.origin, this.#dnsErrors));
    else this.#reject(attemptsError(this.origin, this.#failures));
  }

  /** Settle: clear every timer, abort every attempt still running, stop listening. */
  #settle(): void {
    this.#settled = true;
    if (this.#attemptTimer !== undefined) clearTimeout(this.#attemptTimer);
    if (this.#resolutionTimer !== undefined) clearTimeout(this.#resolutionTimer);
    this.#attemptTimer = this.#resolutionTimer = undefined;
    for (const ac of this.#running.values()) ac.abort();
    this.signal?.removeEventListener("abort", this.#onAbort);
  }
}

/** The families to look up: both, unless transportOpts pins one (`family`, `inet4: false`). */
function families(opts: ConnectOptions): Array<4 | 6> {
  const t = (opts.transportOpts ?? {}) as { family?: unknown; inet4?: unknown };
  if (t.family === 4) return [4];
  if (t.family === 6 || t.inet4 === false) return [6];
  return [6, 4];
}

function where(origin: PoolOrigin): string {
  return `${origin.host}:${origin.port}`;
}

function abortedError(origin: PoolOrigin, signal: AbortSignal): TransportError {
  return new TransportError("aborted", `connecting to ${where(origin)} was aborted`, undefined, { cause: signal.reason });
}

/** Both lookups failed or found nothing. */
function dnsError(origin: PoolOrigin, errors: unknown[]): TransportError {
  const codeOf = (e: unknown): string => String((e as NodeJS.ErrnoException | undefined)?.code ?? "");
  // "not found" is the least telling: a temporary failure or a refused query says more.
  const err = errors.find((e) => !["ENOTFOUND", "ENODATA", ""].includes(codeOf(e))) ?? errors[0];
  if (err instanceof MintError && err instanceof TransportError) return err;
  const code = codeOf(err) || "ENOTFOUND";
  const text = code === "ENOTFOUND" || code === "ENODATA" ? "host name not found" : (err as Error | undefined)?.message ?? code;
  return new TransportError(code.toLowerCase(), `${origin.host}: ${text}`, { code }, err === undefined ? undefined : { cause: err });
}

// Reasons that say the address was not reached; any other one (TLS, ALPN, protocol) says more.
const UNREACHED = new Set(["econnrefused", "ehostunreach", "enetunreach", "enetdown", "ehostdown", "etimedout", "timeout", "eaddrnotavail", "econnreset", "closed"]);

/** Every attempt failed: the most telling error, listing all attempts. */
function attemptsError(origin: PoolOrigin, failures: FailedAttempt[]): unknown {
  const reasonOf = (e: unknown): string => (e instanceof MintError ? e.reason : "");
  const chosen = failures.find((f) => f.error instanceof MintError && !UNREACHED.has(reasonOf(f.error))) ?? failures[0]!;
  const err = chosen.error;
  if (failures.length === 1 || !(err instanceof MintError)) return err;
  const list = failures.map((f) => `${f.address} (${reasonOf(f.error) || String(f.error)})`).join(", ");
  const message = `${err.message}; tried ${failures.length} addresses of ${where(origin)}: ${list}`;
  const details = { ...(err.details ?? {}), attempts: failures };
  return err instanceof HTTPError
    ? new HTTPError(err.protocol, err.reason, message, details, { cause: err })
    : new TransportError(err.reason, message, details, { cause: err });
}
