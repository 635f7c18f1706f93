// Pool-level errors: TransportError with the reasons API.md lists for the pool
// (`queue_timeout`, `queue_full`, `headers_timeout`, `body_timeout`, `aborted`,
// `pool_closed`). Everything else a request fails with comes from the connection as is.

import { TransportError } from "../index.js";

export type PoolReason = "queue_timeout" | "queue_full" | "headers_timeout" | "body_timeout" | "aborted" | "pool_closed";

const POOL_REASONS: ReadonlySet<string> = new Set<PoolReason>(["queue_timeout", "queue_full", "headers_timeout", "body_timeout", "aborted", "pool_closed"]);

/** A TransportError with a pool reason. */
export function poolError(reason: PoolReason, message: string, cause?: unknown): TransportError {
  return new TransportError(reason, message, undefined, cause === undefined ? undefined : { cause });
}

/** Whether `err` was raised by the pool itself (never retried). */
export function isPoolError(err: unknown): boolean {
  return err instanceof TransportError && POOL_REASONS.has(err.reason);
}

/** The error a request fails with when its signal aborts: reason `aborted`, cause the signal's reason. */
export function abortedError(signal: AbortSignal): TransportError {
  return poolError("aborted", "the request was aborted", signal.reason);
}
