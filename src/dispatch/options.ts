// undici's DispatchOptions, checked and turned into what the pool's request() takes.
//
// How this works: fields are validated as undici's Request does (same misuse, same
// TypeError-class outcome), the query is serialized onto the path, header names are
// kept as given (HTTP/2 lowercases them on the wire) in [name, value] pairs (the
// diagnostics request object exposes a flat copy that subscribers may extend before the
// request is handed to the pool), and the body is turned
// into one of the pool's body kinds: bytes, or an async iterable for streams.

import type { RequestBody } from "../pool/index.js";
import { headerPairs } from "./raw-headers.js";

/** The fields of undici's DispatchOptions that this dispatcher reads. */
export interface DispatchOptions {
  /** `scheme://host:port` of the request (required by Agent; a Pool serves its own origin). */
  origin?: string | URL;
  /** Starts with "/" (or is an absolute URL of the origin). */
  path: string;
  method: string;
  /** A flat [name, value, ...] array, an array of pairs, a record of string | string[], or an iterable of pairs. */
  headers?: unknown;
  /** string, Buffer/Uint8Array/ArrayBuffer(View), Node Readable, (async) iterable of chunks, or null. */
  body?: unknown;
  /** Appended to the path as a query string. */
  query?: Record<string, unknown>;
  /** Whether the request may be retried (default: GET and HEAD, as undici). */
  idempotent?: boolean;
  /** HTTP/1: send `connection: close`, so that the connection closes after this request. */
  reset?: boolean;
  /** Send `expect: 100-continue` and hold the body until 100 Continue (at most 1 s); a final answer first means no body. */
  expectContinue?: boolean;
  /** ms to the response head; 0 or null: none. */
  headersTimeout?: number | null;
  /** ms of silence while the body streams; 0 or null: none. */
  bodyTimeout?: number | null;
  /** Upgrade protocol: sent on an HTTP/1 connection of its own; after 101 the socket goes to onUpgrade (method CONNECT: after a 2xx). */
  upgrade?: string | null;
  /** Aborts the request, like the controller's abort(). */
  signal?: AbortSignal | null;
  [other: string]: unknown;
}

/** A dispatched request, ready for the pool. */
export interface ParsedDispatch {
  origin: string | undefined;
  path: string;
  method: string;
  /** [name, value] pairs, names as given (fresh: the dispatcher may add to them). */
  headers: Array<[string, string]>;
  body: RequestBody;
  idempotent: boolean;
  headersTimeout: number | undefined;
  bodyTimeout: number | undefined;
  upgrade: string | null;
  reset: boolean;
  expectContinue: boolean;
}

// RFC 9110 §5.6.2: a method is a token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9112 §3.2: no whitespace or controls in the request target.
const BAD_PATH = /[^\u0021-\u00ff]/;

function timeout(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new TypeError(`invalid ${name}: ${String(v)}`);
  // undici: 0 turns the timeout off.
  return v === 0 ? Infinity : v;
}

function withQuery(path: string, query: Record<string, unknown> | undefined): string {
  if (query === undefined || query === null) return path;
  if (typeof query !== "object") throw new TypeError("query must be an object");
  if (path.includes("?") || path.includes("#")) throw new TypeError('query params cannot be passed when the path already contains "?" or "#"');
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const one of v) params.append(k, String(one));
    else params.append(k, String(v));
  }
  const qs = params.toString();
  return qs === "" ? path : `${path}?${qs}`;
}

async function* fromSyncIterable(it: Iterable<unknown>): AsyncGenerator<Uint8Array | string> {
  for (const chunk of it) yield chunk as Uint8Array | string;
}

/** A request body in one of the pool's kinds. Errors: TypeError for anything else. */
export function toPoolBody(body: unknown): RequestBody {
  if (body === undefined || body === null) return null;
  if (typeof body === "string") return body.length === 0 ? null : body;
  if (body instanceof Uint8Array) return body.length === 0 ? null : body;
  if (ArrayBuffer.isView(body)) return body.byteLength === 0 ? null : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return body.byteLength === 0 ? null : new Uint8Array(body);
  const b = body as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown; stream?: unknown };
  // Node Readables and async generators (what fetch sends) are async iterables.
  if (typeof b[Symbol.asyncIterator] === "function") return body as AsyncIterable<Uint8Array>;
  if (typeof b[Symbol.iterator] === "function") return fromSyncIterable(body as Iterable<unknown>) as AsyncIterable<Uint8Array>;
  if (typeof b.stream === "function") return (b.stream as () => ReadableStream<Uint8Array>).call(body);
  throw new TypeError("body must be a string, a Buffer, a Readable stream, an iterable, or an async iterable");
}

/**
 * Check `opts` as undici's Request does and shape it for the pool.
 * Errors: TypeError for a missing/bad path, method, header, body, timeout or query.
 */
export function parseDispatchOptions(opts: unknown): ParsedDispatch {
  if (opts === null || typeof opts !== "object") throw new TypeError("opts must be an object");
  const o = opts as DispatchOptions;
  const { path, method } = o;
  if (typeof method !== "string" || !TOKEN.test(method)) throw new TypeError(`invalid request method ${String(method)}`);
  if (typeof path !== "string") throw new TypeError("path must be a string");
  if (path[0] !== "/" && !path.startsWith("http://") && !path.startsWith("https://") && method !== "CONNECT") {
    throw new TypeError("path must be an absolute URL or start with a slash");
  }
  if (BAD_PATH.test(path)) throw new TypeError("invalid request path");
  if (o.upgrade !== undefined && o.upgrade !== null && typeof o.upgrade !== "string") throw new TypeError("upgrade must be a string");
  for (const k of ["reset", "expectContinue", "idempotent"] as const) {
    if (o[k] !== undefined && o[k] !== null && typeof o[k] !== "boolean") throw new TypeError(`invalid ${k}`);
  }
  let origin: string | undefined;
  if (o.origin !== undefined && o.origin !== null) {
    if (typeof o.origin === "string") origin = o.origin;
    else if (o.origin instanceof URL) origin = o.origin.origin;
    else throw new TypeError("origin must be a string or a URL");
  }
  const headers = headerPairs(o.headers);
  for (let i = 0; i < headers.length; i++) {
    const name = headers[i]![0];
    if (!TOKEN.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
  }
  return {
    origin,
    path: withQuery(path, o.query),
    method,
    headers,
    body: toPoolBody(o.body),
    // undici: GET and HEAD are idempotent unless the caller says otherwise.
    idempotent: typeof o.idempotent === "boolean" ? o.idempotent : method === "GET" || method === "HEAD",
    headersTimeout: timeout(o.headersTimeout, "headersTimeout"),
    bodyTimeout: timeout(o.bodyTimeout, "bodyTimeout"),
    upgrade: typeof o.upgrade === "string" ? o.upgrade : null,
    reset: o.reset === true,
    expectContinue: o.expectContinue === true,
  };
}
