// Options of Pool, Agent and each request: their shapes (API.md "Pool and Agent"),
// defaults and validation. Misuse is a TypeError naming the option.

import type { Socket } from "node:net";
import type { ConnectOptions, Headers, Protocol } from "../index.js";

/** Options of a {@link Pool}. */
export interface PoolOptions {
  /** Given to connect(): transportOpts, protocols, clientSettings, proxy, ... */
  connect?: ConnectOptions;
  /** Most connections per origin (HTTP/1 and extra HTTP/2 ones); default 16. */
  connections?: number;
  /** HTTP/1 requests in flight per connection (idempotent ones only beyond the first); default 1. */
  pipelining?: number;
  /** ms an idle connection is kept; default 4000; closed before a server's Keep-Alive: timeout runs out. */
  keepAliveTimeout?: number;
  /** ms (plus up to 10% jitter) after which a connection takes no new request; default Infinity. */
  maxConnectionAge?: number;
  /** ms a request may wait for a connection; default 30000. */
  queueTimeout?: number;
  /** Requests waiting for a connection (not those in flight); default Infinity. */
  maxQueued?: number;
  /** ms from the request's first byte written to its final response head; default 300000. */
  headersTimeout?: number;
  /** ms of silence while a response body streams; default 300000. */
  bodyTimeout?: number;
  /** default { maxAttempts: 3 }; false: never retry. */
  retry?: false | { maxAttempts?: number };
}

/** Options of an {@link Agent}: those of its pools, plus a proxy. */
export interface AgentOptions extends PoolOptions {
  /** A proxy URL, or "env" for HTTP_PROXY / HTTPS_PROXY / NO_PROXY read at construction. */
  proxy?: string | URL | "env";
}

/** A request body: bytes or text (replayable), or a stream (sent once). */
export type RequestBody = string | Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null;

/** Options of one request. */
export interface RequestOptions {
  /** Default GET. */
  method?: string;
  headers?: Headers | Record<string, string | string[]>;
  body?: RequestBody;
  signal?: AbortSignal;
  /** Default: true for GET, HEAD, OPTIONS, TRACE, PUT, DELETE. */
  idempotent?: boolean;
  headersTimeout?: number;
  bodyTimeout?: number;
  /**
   * Called when the request head has been handed to a connection, once per attempt, with
   * that connection's socket and protocol (what tracing reports as "headers sent").
   * A throw from it is ignored.
   */
  onSent?: (info: { socket: Socket; protocol: Protocol }) => void;
  /** Called when the whole request body has been handed to the connection, once per attempt. A throw is ignored. */
  onBodySent?: () => void;
  /**
   * Called for each 1xx informational response (RFC 9110 §15.2: 100 Continue, 103 Early
   * Hints, ...) before the final one, on HTTP/1 and HTTP/2, with its status, headers and,
   * when the connection reports reason phrases (connect option `optionalResponses:
   * ["status_reason"]`), its HTTP/1 reason phrase. 101 is never one (see `upgrade()`).
   * A throw from it is ignored.
   */
  onInformational?: (status: number, headers: Headers, statusText: string | undefined) => void;
  /**
   * Send `expect: 100-continue` (RFC 9110 §10.1.1) and hold the body back until the server
   * answers 100 Continue, or for at most 1 s without an answer (as curl); a final response
   * that comes first means the body is never sent (an HTTP/1 connection then closes, an
   * HTTP/2 stream is reset). Ignored for a request without a body.
   */
  expectContinue?: boolean;
  /**
   * HTTP/1: send `connection: close` (RFC 9112 §9.6), so that the connection closes after
   * this request's response. Ignored on HTTP/2, where each request is a stream.
   */
  reset?: boolean;
}

/** PoolOptions with every default filled in. */
export interface ResolvedPoolOptions {
  connect: ConnectOptions;
  connections: number;
  pipelining: number;
  keepAliveTimeout: number;
  maxConnectionAge: number;
  queueTimeout: number;
  maxQueued: number;
  headersTimeout: number;
  bodyTimeout: number;
  maxAttempts: number;
}

function positive(value: unknown, name: string, fallback: number, integer = false, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || value < 0 || (!allowZero && value === 0) || (integer && Number.isFinite(value) && !Number.isInteger(value))) {
    throw new TypeError(`option ${name} must be a ${integer ? "positive integer" : "positive number"}${allowZero ? " or 0" : ""}, got ${String(value)}`);
  }
  return value;
}

/** Validate and default PoolOptions. Throws TypeError naming the first bad option. */
export function resolvePoolOptions(opts: PoolOptions = {}): ResolvedPoolOptions {
  if (typeof opts !== "object" || opts === null) throw new TypeError("pool options must be an object");
  if (opts.connect !== undefined && (typeof opts.connect !== "object" || opts.connect === null)) throw new TypeError("option connect must be an object");
  let maxAttempts = 3;
  if (opts.retry === false) maxAttempts = 1;
  else if (opts.retry !== undefined) {
    if (typeof opts.retry !== "object" || opts.retry === null) throw new TypeError("option retry must be false or { maxAttempts }");
    maxAttempts = positive(opts.retry.maxAttempts, "retry.maxAttempts", 3, true);
  }
  const connections = positive(opts.connections, "connections", 16, true);
  if (!Number.isFinite(connections)) throw new TypeError("option connections must be finite");
  return {
    connect: opts.connect ?? {},
    connections,
    pipelining: positive(opts.pipelining, "pipelining", 1, true),
    keepAliveTimeout: positive(opts.keepAliveTimeout, "keepAliveTimeout", 4000, false, true),
    maxConnectionAge: positive(opts.maxConnectionAge, "maxConnectionAge", Infinity),
    queueTimeout: positive(opts.queueTimeout, "queueTimeout", 30_000),
    maxQueued: positive(opts.maxQueued, "maxQueued", Infinity, true, true),
    headersTimeout: positive(opts.headersTimeout, "headersTimeout", 300_000),
    bodyTimeout: positive(opts.bodyTimeout, "bodyTimeout", 300_000),
    maxAttempts,
  };
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);

/** RFC 9110 §9.2.2: the methods whose repetition has the same effect. */
export function isIdempotentMethod(method: string): boolean {
  // GET first: the common case is one string compare, not a set lookup (which hashes the string).
  return method === "GET" || IDEMPOTENT.has(method);
}

/** Request headers as the Connection takes them: an array of [name, value] pairs. */
export function normalizeHeaders(h: RequestOptions["headers"]): Headers {
  if (h === undefined || h === null) return [];
  if (Array.isArray(h)) return h;
  if (typeof h !== "object") throw new TypeError("headers must be an array of [name, value] pairs or a record");
  const out: Headers = [];
  for (const name of Object.keys(h)) {
    const v = h[name];
    if (Array.isArray(v)) for (const one of v) out.push([name, String(one)]);
    else if (v !== undefined) out.push([name, String(v)]);
  }
  return out;
}

/** The options of a request that gives none (shared: read-only). */
export const NO_OPTIONS: RequestOptions = Object.freeze({});
