// curl's --retry rules: which failures are transient, how long to wait before the next
// attempt, and when to give up.
//
// How it works: one RetryState per URL of the command line. After a failed attempt (an
// error, or a transient HTTP status), `delayAfter*` says how long to wait, or undefined
// when the failure stands. Transient are: timeouts (-m included) and HTTP 408, 429, 500, 502, 503, 504;
// with --retry-connrefused a refused connection too; with --retry-all-errors any error.
// The wait starts at 1 s and doubles up to 10 minutes; --retry-delay fixes it; a larger
// Retry-After (seconds) replaces it. --retry-max-time stops retrying once that much time
// has passed since the first attempt (and refuses a Retry-After that would go past it).
// Each retry is announced on stderr with curl's warning, unless -s.

import { MintError } from "../index.js";
import type { CliOptions } from "./args.js";
import { TransferFailure } from "./failure.js";

// curl --retry: "a timeout, ... or an HTTP 408, 429, 500, 502, 503 or 504 response code".
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const TIMEOUT_REASONS = new Set(["timeout", "headers_timeout", "body_timeout", "queue_timeout"]);
const MAX_SLEEP_MS = 600_000;

/** Tracks the retries of one transfer. */
export class RetryState {
  readonly #options: CliOptions;
  readonly #warn: (line: string) => void;
  readonly #start = performance.now();
  #left: number;
  #sleepMs: number;

  /** `warn` prints a warning line (the caller drops it under -s). */
  constructor(options: CliOptions, warn: (line: string) => void) {
    this.#options = options;
    this.#warn = warn;
    this.#left = options.retry;
    this.#sleepMs = options.retryDelayMs ?? 1000;
  }

  /** The wait (ms) before retrying after a response with `status`, or undefined to keep it. */
  delayAfterStatus(status: number, retryAfter: string | undefined): number | undefined {
    if (!RETRY_STATUSES.has(status) || !this.#mayRetry()) return undefined;
    let sleep = this.#sleepMs;
    // RFC 9110 §10.2.3: Retry-After (curl honours it when it is longer than its own wait).
    const seconds = retryAfterSeconds(retryAfter);
    if (seconds * 1000 > sleep) sleep = seconds * 1000;
    const max = this.#options.retryMaxTimeMs;
    if (seconds > 0 && max !== undefined && performance.now() - this.#start + sleep > max) {
      this.#warn("The Retry-After: time would make this command line exceed the maximum allowed time for retries.");
      return undefined;
    }
    return this.#take(": HTTP error", sleep);
  }

  /** The wait (ms) before retrying after `err`, or undefined when it is not transient. */
  delayAfterError(err: unknown): number | undefined {
    if (!this.#mayRetry()) return undefined;
    const reason = err instanceof MintError ? err.reason : undefined;
    const timedOut = (reason !== undefined && TIMEOUT_REASONS.has(reason)) || (err instanceof TransferFailure && err.exitCode === 28);
    if (timedOut) return this.#take(": timeout", this.#sleepMs);
    if (reason === "econnrefused" && this.#options.retryConnrefused) return this.#take(": connection refused", this.#sleepMs);
    if (this.#options.retryAllErrors) return this.#take("(retrying all errors)", this.#sleepMs);
    return undefined;
  }

  #mayRetry(): boolean {
    const max = this.#options.retryMaxTimeMs;
    return this.#left > 0 && (max === undefined || performance.now() - this.#start < max);
  }

  #take(what: string, sleep: number): number {
    const s = Math.floor(sleep / 1000);
    this.#warn(`Problem ${what}. Will retry in ${s} second${s === 1 ? "" : "s"}. ${this.#left} retr${this.#left > 1 ? "ies" : "y"} left.`);
    this.#left--;
    if (this.#options.retryDelayMs === undefined) this.#sleepMs = Math.min(MAX_SLEEP_MS, this.#sleepMs * 2);
    return sleep;
  }
}

/** RFC 9110 §10.2.3: Retry-After = HTTP-date / delay-seconds; whole seconds from now, 0 when absent or unusable. */
export function retryAfterSeconds(value: string | undefined, now = Date.now()): number {
  if (value === undefined) return 0;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? 0 : Math.max(0, Math.ceil((at - now) / 1000));
}
