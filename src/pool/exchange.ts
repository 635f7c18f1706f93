// One request through the pool, across its attempts: waiting in the queue, sent on a
// connection, its response head, its body. The pool starts an attempt on a slot; parts
// come back through `onPart`; a failure goes through `mayRetry` (back to the queue) or
// ends the request with the error.
//
// Deadlines are numbers the pool's clock checks (`deadline`): the queue deadline while
// queued, the headers deadline once sent, the body deadline (moved on each chunk, and
// suspended while the reader is behind) while the body streams.

import { HTTPError, MintError, STREAM, type Body, type Headers, type RequestRef, type ResponsePart } from "../index.js";
import type { BodySource } from "./body-source.js";
import { abortedError, poolError } from "./errors.js";
import type { Waiting } from "./queue.js";
import type { BodyOwner } from "./response-body.js";
import type { RequestControl, ResponseReceiver } from "./receiver.js";
import { keepAliveHint } from "./keep-alive.js";
import { mayRetry } from "./retry.js";
import { sendBody } from "./request-body.js";
import { ContinueGate } from "./continue-gate.js";
import type { Slot } from "./slot.js";
import type { RequestOptions } from "./options.js";

/** What an exchange needs from its pool. */
export interface ExchangeHost {
  readonly maxAttempts: number;
  /** Put a request back in front of the queue for another attempt. */
  requeue(ex: Exchange): void;
  /** Take a request out of the queue (abort). */
  unqueue(ex: Exchange): void;
  /** The request left `slot` (finished, failed or cancelled). */
  release(slot: Slot): void;
  /** Make sure the clock wakes up `inMs` from `now`. */
  wakeIn(now: number, inMs: number): void;
}

const enum Phase { Waiting, Sent, Body, Done }

export class Exchange implements Waiting, BodyOwner, RequestControl {
  queued = false;
  /** Queue deadline, then headers deadline, then body deadline (ms). */
  deadline = Infinity;
  attempt = 0;
  slot: Slot | undefined;
  ref: RequestRef | undefined;
  readonly method: string;
  readonly path: string;
  readonly headers: Headers;
  readonly source: BodySource;
  readonly idempotent: boolean;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
  readonly signal: AbortSignal | undefined;
  /** RequestOptions.onSent / onBodySent. */
  onSent: RequestOptions["onSent"];
  onBodySent: RequestOptions["onBodySent"];
  /** RequestOptions.expectContinue / reset. */
  expectContinue = false;
  reset = false;
  /** The current attempt's wait for 100 Continue (expectContinue). */
  #gate: ContinueGate | undefined;
  /** The reason phrase of the last status (status_reason parts). */
  #reason: string | undefined;
  #host: ExchangeHost;
  #phase = Phase.Waiting;
  #reused = false;
  #status = 0;
  /** The status of a 1xx head being read (0: none). */
  #interim = 0;
  #responseStarted = false;
  #paused = false;
  /** A streamed request body is still being sent on the current attempt. */
  #sending = false;
  #lastError: MintError | undefined;
  /** Where the response goes. */
  readonly #rx: ResponseReceiver;

  constructor(host: ExchangeHost, rx: ResponseReceiver, method: string, path: string, headers: Headers, source: BodySource, idempotent: boolean,
    headersTimeout: number, bodyTimeout: number, signal: AbortSignal | undefined) {
    this.#rx = rx;
    this.#host = host;
    this.method = method;
    this.path = path;
    this.headers = headers;
    this.source = source;
    this.idempotent = idempotent;
    this.headersTimeout = headersTimeout;
    this.bodyTimeout = bodyTimeout;
    this.signal = signal;
    if (signal !== undefined) signal.addEventListener("abort", this, { once: true });
  }

  /** Whether the request has ended (response body included). */
  get done(): boolean {
    return this.#phase === Phase.Done;
  }

  /**
   * Start an attempt on `slot`. Returns the error when the connection refused the request
   * synchronously (nothing was sent): the pool decides what to do with it.
   */
  start(slot: Slot, now: number): unknown {
    const conn = slot.conn;
    const src = this.source;
    let body: Body = src.bytes;
    let pieces = false;
    let headers = this.headers;
    const expect = this.expectContinue && (src.streamed || (body !== null && body.length > 0));
    // RFC 9112 §9.6: "close" makes this the connection's last request (HTTP/1 only: RFC 9113 §8.2.2).
    const close = this.reset && !slot.http2;
    if (close || expect) {
      headers = [...headers];
      if (close) headers.push(["connection", "close"]);
    }
    if (expect) {
      // RFC 9110 §10.1.1: the head goes now, the body once the server says 100 Continue.
      headers.push(["expect", "100-continue"]);
      if (body !== null && !headers.some(([n]) => n.toLowerCase() === "content-length")) headers.push(["content-length", String(body.length)]);
      body = STREAM;
      pieces = src.bytes !== null;
    } else if (src.streamed) body = STREAM;
    else if (body !== null && slot.http2 && body.length > 0 && body.length > Math.min(conn.getWindowSize("connection"), conn.getServerSetting("initialWindowSize") as number)) {
      // RFC 9113 §6.9.1: no more DATA than the send window allows; the rest waits for WINDOW_UPDATE.
      body = STREAM;
      pieces = true;
    }
    let ref: RequestRef;
    try {
      ref = conn.request(this.method, this.path, headers, body);
    } catch (err) {
      return err;
    }
    this.attempt++;
    this.slot = slot;
    this.ref = ref;
    this.#reused = slot.proven;
    this.#phase = Phase.Sent;
    this.#status = 0;
    this.#interim = 0;
    this.#reason = undefined;
    this.#gate = expect ? new ContinueGate() : undefined;
    slot.inFlight.set(ref, this);
    if (!this.idempotent) slot.unsafeInFlight++;
    if (slot.idleSince !== -1) {
      slot.idleSince = -1;
      conn.getSocket().ref();
    }
    this.deadline = now + this.headersTimeout;
    this.#host.wakeIn(now, this.headersTimeout);
    if (this.onSent !== undefined) this.#notify(() => this.onSent!({ socket: conn.getSocket(), protocol: slot.http2 ? "http2" : "http1" }));
    if (body === STREAM) void this.#sendBody(slot, ref, pieces ? src.bytes : undefined);
    else if (this.onBodySent !== undefined) this.#notify(this.onBodySent);
    return undefined;
  }

  #notify(hook: () => void): void {
    try {
      hook();
    } catch {
      // An observer's failure is not the request's.
    }
  }

  // Request body.

  async #sendBody(slot: Slot, ref: RequestRef, whole: Uint8Array | null | undefined): Promise<void> {
    this.#sending = true;
    try {
      // Not sending at all (a final response came first) keeps #sending: the attempt is cut.
      if (this.#gate !== undefined && !(await this.#gate.decided)) return;
      await sendBody(slot, ref, this.source, whole ?? undefined, () => this.ref === ref);
      if (this.ref === ref) {
        this.#sending = false;
        if (this.onBodySent !== undefined) this.#notify(this.onBodySent);
      }
    } catch (err) {
      if (this.ref === ref) this.#sending = false;
      if (this.ref !== ref || this.#phase === Phase.Done) return;
      // The caller's body failed: the request is abandoned (its stream reset, or its HTTP/1
      // connection closed, since half a body cannot be taken back).
      if (!(err instanceof MintError)) return this.fail(err instanceof Error ? err : new TypeError(String(err)));
      // The server may answer before reading the whole body: then its response stands.
      if (this.#phase === Phase.Body) return;
      this.#cancelOnConnection();
      this.#failAttempt(err);
    }
  }

  // Response parts.

  /** A part of this request's response; `now` is when its batch arrived (ms). */
  onPart(part: ResponsePart, now: number): void {
    switch (part.type) {
      case "data":
        this.#rx.data(part.data);
        if (!this.#paused) this.deadline = now + this.bodyTimeout;
        return;
      case "status":
        this.#responseStarted = true;
        if (part.status < 200) this.#interim = part.status;
        else this.#status = part.status;
        this.#reason = undefined;
        // RFC 9110 §10.1.1: 100 lets the held body go; a final status means it is not wanted.
        if (this.#gate?.open === true && (part.status === 100 || part.status >= 200)) this.#gate.decide(part.status === 100);
        return;
      case "status_reason":
        this.#reason = part.reason;
        return;
      case "headers":
        if (this.#phase === Phase.Sent) {
          // RFC 9110 §15.2: 1xx heads are interim; the final one follows.
          if (this.#interim !== 0) {
            const status = this.#interim;
            this.#interim = 0;
            // The server is alive: the headers timeout counts again from this interim head.
            this.deadline = now + this.headersTimeout;
            const reason = this.#reason;
            this.#notify(() => this.#rx.informational(status, part.headers, reason));
            return;
          }
          this.#onHead(part.headers, now);
        } else this.#trailers = part.headers;
        return;
      case "done":
        this.#finish();
        return;
      case "error":
        this.#failAttempt(part.error);
        return;
      default:
        return;
    }
  }

  /** The response's trailers (undefined: none arrived). */
  #trailers: Headers | undefined;

  #onHead(headers: Headers, now: number): void {
    const slot = this.slot!;
    slot.proven = true;
    this.#phase = Phase.Body;
    this.deadline = now + this.bodyTimeout;
    this.#host.wakeIn(now, this.bodyTimeout);
    if (!slot.http2) {
      const hint = keepAliveHint(headers);
      if (hint !== undefined && hint < slot.keepAlive) slot.keepAlive = hint;
    }
    this.#rx.head(this.#status, headers, slot.http2 ? "http2" : "http1", this.#reason, this);
  }

  #finish(): void {
    if (this.#phase === Phase.Sent) {
      // Ended without a final response head (RST_STREAM NO_ERROR first, RFC 9113 §8.1).
      this.#failAttempt(new HTTPError(this.slot?.http2 === false ? "http1" : "http2", "server_closed_request", "the server ended the request without sending a response"));
      return;
    }
    if (this.#sending) {
      // The response ended before our body did (RFC 9113 §8.1 allows it): stop sending. On
      // HTTP/2 the stream is reset so it stops counting against the server's limit; an
      // HTTP/1 connection in the middle of a body cannot carry another request.
      this.#sending = false;
      this.#cancelOnConnection();
      this.source.dispose();
    } else this.#detach();
    this.#end();
    this.#rx.end(this.#trailers);
  }

  /** This attempt failed with `err`: retry when the rules allow, else end the request. */
  #failAttempt(err: MintError): void {
    const phase = this.#phase;
    this.#detach();
    if (phase === Phase.Body) {
      this.#end();
      this.#rx.error(err);
      return;
    }
    if (mayRetry(err, {
      reused: this.#reused, idempotent: this.idempotent, replayable: this.source.replayable,
      responseStarted: this.#responseStarted, attempt: this.attempt, maxAttempts: this.#host.maxAttempts,
    })) {
      this.#lastError = err;
      this.#phase = Phase.Waiting;
      this.#responseStarted = false;
      this.#host.requeue(this);
      return;
    }
    this.fail(err);
  }

  /** The connection this attempt runs on closed without reporting the request. */
  connectionLost(err: MintError): void {
    if (this.#phase === Phase.Sent || this.#phase === Phase.Body) this.#failAttempt(err);
  }

  /** End the request with `err`, wherever it is (queued, in flight, body streaming). */
  fail(err: Error): void {
    const phase = this.#phase;
    if (phase === Phase.Done) return;
    if (this.queued) this.#host.unqueue(this);
    if (phase === Phase.Sent || phase === Phase.Body) this.#cancelOnConnection();
    this.#end();
    this.#rx.error(err);
    this.source.dispose();
  }

  /** The clock found `deadline` passed. */
  timedOut(): void {
    switch (this.#phase) {
      case Phase.Waiting:
        this.fail(poolError("queue_timeout", `no connection became free within the queue timeout${this.#lastError ? ` (last error: ${this.#lastError.message})` : ""}`, this.#lastError));
        return;
      case Phase.Sent:
        this.fail(poolError("headers_timeout", `no response head within ${this.headersTimeout} ms`));
        return;
      case Phase.Body:
        this.fail(poolError("body_timeout", `no response body data for ${this.bodyTimeout} ms`));
        return;
    }
  }

  /** RequestControl: end the request with `err`. */
  abort(err: Error): void {
    this.fail(err);
  }

  /** The signal aborted (EventListener). */
  handleEvent(): void {
    this.fail(abortedError(this.signal!));
  }

  // BodyOwner: the reader's pace.

  pauseBody(): void {
    const slot = this.slot;
    if (slot === undefined || this.#paused) return;
    this.#paused = true;
    this.deadline = Infinity;
    if (slot.http2) slot.conn.holdReceiveWindow(this.ref!, true);
    else slot.pauseReading();
  }

  resumeBody(): void {
    const slot = this.slot;
    if (slot === undefined || !this.#paused) return;
    this.#paused = false;
    const now = Date.now();
    this.deadline = now + this.bodyTimeout;
    this.#host.wakeIn(now, this.bodyTimeout);
    if (slot.http2) slot.conn.holdReceiveWindow(this.ref!, false);
    else slot.resumeReading();
  }

  cancelBody(): void {
    if (this.#phase !== Phase.Body) return;
    this.#cancelOnConnection();
    this.#end();
  }

  /** Stop this attempt on its connection: RST_STREAM CANCEL on HTTP/2, close on HTTP/1. */
  #cancelOnConnection(): void {
    const slot = this.slot;
    if (slot === undefined) return;
    const ref = this.ref!;
    this.#detach();
    if (slot.http2) {
      try {
        // RFC 9113 §7: CANCEL says the stream is no longer needed; the others go on.
        slot.conn.cancelRequest(ref);
      } catch {
        // The connection is closed already.
      }
    } else slot.retire();
  }

  #detach(): void {
    const slot = this.slot;
    if (slot === undefined) return;
    if (this.#paused) {
      this.#paused = false;
      if (!slot.http2) slot.resumeReading();
    }
    this.#sending = false;
    this.#gate?.decide(false);
    slot.inFlight.delete(this.ref!);
    if (!this.idempotent) slot.unsafeInFlight--;
    this.slot = undefined;
    this.ref = undefined;
    this.#host.release(slot);
  }

  #end(): void {
    this.#phase = Phase.Done;
    this.deadline = Infinity;
    this.signal?.removeEventListener("abort", this);
  }
}
