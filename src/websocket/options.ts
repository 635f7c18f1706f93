// WebSocketOptions (API.md "WebSocket") and their checks.
//
// How this works: `resolveOptions` validates what the caller passed and fills in the
// defaults once, so the handshake and the WebSocket read plain values.

import type { ConnectOptions } from "../options.js";
import { checkHeaders } from "../options.js";
import type { Headers } from "../types.js";
import { DEFAULT_MAX_FRAGMENTS, DEFAULT_MAX_MESSAGE_SIZE, type DeflateOptions } from "../core/websocket/index.js";

export interface WebSocketOptions {
  /** Sec-WebSocket-Protocol offer. */
  protocols?: string[];
  /** Extra request headers. */
  headers?: Headers;
  /** permessage-deflate (RFC 7692) offer; default true. */
  perMessageDeflate?: boolean | { clientNoContextTakeover?: boolean; serverNoContextTakeover?: boolean; clientMaxWindowBits?: number; serverMaxWindowBits?: number };
  /** wss: "prefer" (default) uses RFC 8441 when ALPN gives h2 and the server allows it; ws: HTTP/1.1 unless "require". */
  http2?: "never" | "prefer" | "require";
  /** Largest message accepted (default 64 MiB); larger: close 1009. */
  maxMessageSize?: number;
  /** Most frames per message (default 1,000,000); more: close 1009. */
  maxFragments?: number;
  /** "active" (default, events) or "passive" (`recv`). */
  mode?: "active" | "passive";
  /** Options of the connection connectWebSocket opens. */
  connect?: ConnectOptions;
  /** Time for the whole opening handshake in ms (default 30000); expiry: TransportError "timeout". */
  handshakeTimeout?: number;
  /** Time to wait for the closing handshake and the server's end of the transport in ms (default 30000). */
  closeTimeout?: number;
}

export interface ResolvedOptions {
  protocols: string[];
  headers: Headers;
  deflate: DeflateOptions | null;
  http2: "never" | "prefer" | "require";
  maxMessageSize: number;
  maxFragments: number;
  mode: "active" | "passive";
  connect: ConnectOptions;
  handshakeTimeout: number;
  closeTimeout: number;
  /** Called once after the close event (internal: connectWebSocket closes its HTTP/2 connection). */
  onClosed?: () => void;
}

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0)) throw new TypeError(`${name} must be a positive number, got ${String(value)}`);
  return value;
}

/** Validates WebSocketOptions; TypeError on misuse. */
export function resolveOptions(opts: WebSocketOptions = {}): ResolvedOptions {
  if (typeof opts !== "object" || opts === null) throw new TypeError("WebSocket options must be an object");
  const protocols = opts.protocols ?? [];
  if (!Array.isArray(protocols)) throw new TypeError("protocols must be an array of strings");
  const headers = opts.headers ?? [];
  checkHeaders(headers, "headers");
  const pmd = opts.perMessageDeflate ?? true;
  let deflate: DeflateOptions | null;
  if (pmd === false) deflate = null;
  else if (pmd === true) deflate = {};
  else if (typeof pmd === "object" && pmd !== null) deflate = { ...pmd };
  else throw new TypeError("perMessageDeflate must be a boolean or an object");
  const http2 = opts.http2 ?? "prefer";
  if (http2 !== "never" && http2 !== "prefer" && http2 !== "require") throw new TypeError(`http2 must be "never", "prefer" or "require", got ${String(http2)}`);
  const mode = opts.mode ?? "active";
  if (mode !== "active" && mode !== "passive") throw new TypeError(`mode must be "active" or "passive", got ${String(mode)}`);
  return {
    protocols,
    headers,
    deflate,
    http2,
    maxMessageSize: positive("maxMessageSize", opts.maxMessageSize, DEFAULT_MAX_MESSAGE_SIZE),
    maxFragments: positive("maxFragments", opts.maxFragments, DEFAULT_MAX_FRAGMENTS),
    mode,
    connect: opts.connect ?? {},
    handshakeTimeout: positive("handshakeTimeout", opts.handshakeTimeout, 30_000),
    closeTimeout: positive("closeTimeout", opts.closeTimeout, 30_000),
  };
}
