// The two error classes of mint-http, after Mint's TransportError and HTTPError.
//
// Every error carries a stable snake_case `reason` (Mint's reason atom; the rest of
// Mint's tuple goes in `details`) and a `message` a person can act on. `instanceof`
// works across duplicate copies of the package: it checks a brand registered with
// `Symbol.for`, not the class identity. This module imports nothing, so every layer
// (core, hpack, transport) can throw these errors.

import type { ResponsePart } from "./types.js";

const BRAND = Symbol.for("mint-http.error-kind");

type Kind = "TransportError" | "HTTPError";

/** Base class of every error mint-http produces for network and protocol problems. */
export class MintError extends Error {
  /** Stable machine-readable code, e.g. `"closed"`, `"invalid_status_line"`. */
  readonly reason: string;
  /** Extra data, e.g. `{ status: 407 }` for `unexpected_status`. */
  readonly details?: Record<string, unknown>;
  /** Response parts parsed before a connection-level failure (passive `recv` rejections). */
  parts?: ResponsePart[];

  constructor(reason: string, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
    if (details !== undefined) this.details = details;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === MintError) return typeof value === "object" && value !== null && BRAND in value;
    const kind = (this as unknown as { readonly kind?: Kind }).kind;
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === kind;
  }
}

/** A socket, DNS or TLS problem. `reason` is `timeout`, `closed`, `tls_alert`, `econnrefused`, ... */
export class TransportError extends MintError {
  static readonly kind: Kind = "TransportError";
  constructor(reason: string, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(reason, message, details, options);
    this.name = "TransportError";
    Object.defineProperty(this, BRAND, { value: "TransportError" });
  }
}

/** Which protocol layer raised an {@link HTTPError}. */
export type ErrorProtocol = "http1" | "http2" | "proxy" | "websocket";

/** A protocol problem: a malformed response, a refused request, a proxy that said no. */
export class HTTPError extends MintError {
  static readonly kind: Kind = "HTTPError";
  /** The layer that raised it: "http1", "http2", "proxy" or "websocket". */
  readonly protocol: ErrorProtocol;
  constructor(protocol: ErrorProtocol, reason: string, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(reason, message, details, options);
    this.name = "HTTPError";
    this.protocol = protocol;
    Object.defineProperty(this, BRAND, { value: "HTTPError" });
  }
}
