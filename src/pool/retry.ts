// Whether a failed attempt may be sent again: one pure function, after Go's
// shouldRetryRequest and API.md's retry rules. A request is never sent twice unless:
// - the server provably did not process it (HTTP/2 `unprocessed` after GOAWAY, or
//   RST_STREAM REFUSED_STREAM, RFC 9113 §8.7), whatever its method; or
// - it failed on a *reused* connection before any byte of its response arrived, and it is
//   idempotent (RFC 9110 §9.2.2) — the connection was probably closed by the server while idle.
// Both need a body that can be replayed, and an attempt left. A fresh connection's failure
// is not retried; errors the pool raised itself (timeouts, abort, close) never are.

import { MintError } from "../index.js";
import { isPoolError } from "./errors.js";

export interface RetryFacts {
  /** The attempt that failed was sent on a connection that had already delivered a response head. */
  reused: boolean;
  idempotent: boolean;
  /** The body can be sent again (bytes, text, none, or a stream not read yet). */
  replayable: boolean;
  /** A byte of the response (its status) had arrived. */
  responseStarted: boolean;
  /** Attempts made so far, this one included (1 for the first). */
  attempt: number;
  maxAttempts: number;
}

/** The server did not process the request: HTTP/2 unprocessed (GOAWAY) or REFUSED_STREAM. */
export function isUnprocessed(err: unknown): boolean {
  if (!(err instanceof MintError)) return false;
  if (err.reason === "unprocessed") return true;
  // RFC 9113 §8.7: REFUSED_STREAM means no application processing happened.
  return err.reason === "server_closed_request" && err.details?.errorCode === "refused_stream";
}

/** Whether the attempt that failed with `err` may be made again (see the module comment). */
export function mayRetry(err: unknown, f: RetryFacts): boolean {
  if (f.attempt >= f.maxAttempts || !f.replayable || f.responseStarted) return false;
  if (!(err instanceof MintError) || isPoolError(err)) return false;
  if (isUnprocessed(err)) return true;
  return f.reused && f.idempotent;
}
