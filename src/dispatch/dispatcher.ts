// undici's Dispatcher.dispatch(opts, handler) over a Pool or Agent.
//
// How this works: dispatch() normalises the handler (handler.ts), checks the options
// (options.ts) and, when tracing is on, publishes `undici:request:create` with a request
// object whose headers subscribers may still extend. A misuse or a closed dispatcher never
// throws out of dispatch: the handler's error callback gets it and dispatch returns false,
// as undici's DispatcherBase does. Otherwise a Run takes the request: onConnect /
// onRequestStart first, then the pool's request(); its response head becomes onHeaders
// (raw Buffer pairs), its body iterator is pulled chunk by chunk into onData while the
// controller is not paused (a paused run stops pulling; the pool's body then holds back the
// HTTP/2 stream window or stops reading the HTTP/1 socket once about 64 KiB wait), and its
// end becomes onComplete(raw trailers). Exactly one of onComplete / onError runs; after
// abort only the error does. dispatch returns false when the pool's wait queue is full
// (maxQueued), and the dispatcher emits "drain" once it has room again. An upgrade request
// or a CONNECT goes to the pool's upgrade() (an HTTP/1 connection of its own); its 101 (a
// 2xx for CONNECT) and socket go to onUpgrade, the request's one completion.

import { STATUS_CODES } from "node:http";
import { TransportError, type Headers, type Protocol } from "../index.js";
import { NO_CONTROL, type RequestControl, type RequestOptions, type ResponseReceiver, type Upgraded } from "../pool/index.js";
import { DispatchController, type ControllerOwner } from "./controller.js";
import { channels, publishBodySent, publishCreate, publishError, publishHeaders, publishSendHeaders, publishTrailers, tracing } from "./diagnostics.js";
import { normalizeHandler, type Sink } from "./handler.js";
import { parseDispatchOptions, type ParsedDispatch } from "./options.js";
import { rawHeaders } from "./raw-headers.js";
import { DiagnosticsRequest } from "./request-record.js";

/** What a Pool or Agent offers the dispatcher. */
export interface DispatchTarget {
  /** The origin of requests without `opts.origin` (a Pool's own), else undefined. */
  readonly dispatchOrigin: string | undefined;
  /** "closed" after close(), "destroyed" after destroy(). */
  readonly dispatchState: "open" | "closed" | "destroyed";
  /**
   * Send through the pool: `origin` (`scheme://host:port`) and a path starting with "/"; the
   * response is pushed to `receiver` (every failure too, possibly before this returns).
   */
  dispatchRequest(origin: string, path: string, init: RequestOptions, receiver: ResponseReceiver): RequestControl;
  /** An HTTP/1 upgrade on a connection of its own (the socket after 101). */
  dispatchUpgrade(origin: string, path: string, init: { method: string; headers: Headers; signal?: AbortSignal; headersTimeout?: number }): Promise<Upgraded>;
  /** Whether the wait queue of `origin` is at maxQueued. */
  queueFull(origin: string): boolean;
  emit(event: "drain", origin: URL, targets: unknown[]): boolean;
}

const needDrain = new WeakMap<DispatchTarget, string>();

function checkDrain(target: DispatchTarget): void {
  const origin = needDrain.get(target);
  if (origin === undefined || target.queueFull(origin)) return;
  needDrain.delete(target);
  process.nextTick(() => target.emit("drain", new URL(origin), [target]));
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new TransportError("aborted", `the request was aborted: ${String(err)}`, undefined, { cause: err });
}

/** The request's headers as `name: value\r\n` lines (the `headers` of undici:client:sendHeaders). */
function headerBlock(flat: string[]): string {
  let out = "";
  for (let i = 0; i < flat.length; i += 2) out += `${flat[i]}: ${flat[i + 1]}\r\n`;
  return out;
}

function pairs(flat: string[]): Headers {
  const out: Headers = new Array(flat.length >> 1);
  for (let i = 0; i < flat.length; i += 2) out[i >> 1] = [flat[i]!, flat[i + 1]!];
  return out;
}

/**
 * undici's dispatch(opts, handler) on `target`. Returns false when the request could not be
 * started (its handler got the error) or when the queue is full (wait for "drain").
 * Errors (to the handler's onError / onResponseError): TypeError for bad options; TransportError
 * `pool_closed` after close()/destroy(); HTTPError `upgrade_failed` when an upgrade is
 * answered without 101 (a CONNECT without a 2xx);
 * then those of the pool's request() and response body. Throws only when `handler` is not
 * an object, or when it has no error callback to take the error (as undici).
 */
export function dispatch(target: DispatchTarget, opts: unknown, handler: unknown): boolean {
  const sink = normalizeHandler(handler);
  let origin: string;
  let parsed: ParsedDispatch;
  let record: DiagnosticsRequest | undefined;
  try {
    const state = target.dispatchState;
    if (state !== "open") throw new TransportError("pool_closed", state === "destroyed" ? "the dispatcher was destroyed" : "the dispatcher is closed");
    parsed = parseDispatchOptions(opts);
    if ((parsed.upgrade !== null || parsed.method === "CONNECT") && !sink.canUpgrade) throw new TypeError("an upgrade or CONNECT request needs a handler with onUpgrade (or onRequestUpgrade)");
    const o = target.dispatchOrigin ?? parsed.origin;
    if (o === undefined) throw new TypeError("opts.origin is required");
    origin = o.endsWith("/") ? o.slice(0, -1) : o;
    if (tracing()) {
      record = new DiagnosticsRequest(origin, parsed.method, parsed.path, parsed.headers.flat(), parsed.body, parsed.idempotent, parsed.upgrade);
      publishCreate(record);
    }
  } catch (err) {
    if (!sink.canError) throw err;
    sink.error(new DispatchController(), toError(err));
    return false;
  }
  new Run(target, sink, record).start(origin, parsed, (opts as { signal?: AbortSignal | null }).signal ?? undefined);
  if (target.queueFull(origin)) {
    needDrain.set(target, origin);
    return false;
  }
  return true;
}

/**
 * One dispatched request, from onConnect to its single completion or error. The pool
 * pushes the response here as it arrives (a ResponseReceiver); what arrives while the
 * handler has paused waits in `#held` (at most what was already read: the pool stops
 * taking more as soon as the pause is known) and goes out after resume, a microtask later
 * so that a handler's resume() is never re-entered.
 */
class Run implements ResponseReceiver, ControllerOwner {
  readonly #target: DispatchTarget;
  readonly #sink: Sink;
  readonly #record: DiagnosticsRequest | undefined;
  readonly #c: DispatchController;
  /** The request in the pool; a no-op until it is handed over. */
  #control: RequestControl = NO_CONTROL;
  /** The upgrade path's cancellation (the pool's upgrade() takes a signal). */
  #upgradeAbort: AbortController | undefined;
  #done = false;
  /** The final head was delivered: from then on a pause holds the body back in the pool. */
  #headSeen = false;
  /** Body chunks that arrived while paused, and whether the end came after them. */
  #held: Buffer[] | undefined;
  #heldFrom = 0;
  #endHeld = false;
  #heldTrailers: Headers | undefined;
  #draining = false;
  #unlisten: (() => void) | undefined;

  constructor(target: DispatchTarget, sink: Sink, record: DiagnosticsRequest | undefined) {
    this.#target = target;
    this.#sink = sink;
    this.#record = record;
    this.#c = new DispatchController(this);
  }

  /** The upgrade path: a 101 hands the socket to onUpgrade, which is the request's one completion. */
  #upgrade(origin: string, p: ParsedDispatch, headers: Headers): void {
    // RFC 9110 §7.8: Upgrade is a connection option, named in Connection. (CONNECT: none.)
    if (p.upgrade !== null) headers.push(["connection", "upgrade"], ["upgrade", p.upgrade]);
    const ac = (this.#upgradeAbort = new AbortController());
    const init: { method: string; headers: Headers; signal: AbortSignal; headersTimeout?: number } = { method: p.method, headers, signal: ac.signal };
    if (p.headersTimeout !== undefined) init.headersTimeout = p.headersTimeout;
    this.#target.dispatchUpgrade(origin, p.path, init).then((u) => {
      if (this.#done) {
        u.socket.destroy();
        return;
      }
      this.#finished();
      const raw = rawHeaders(u.headers);
      if (this.#record !== undefined) {
        publishHeaders(this.#record, u.status, raw, STATUS_CODES[u.status] ?? "");
        publishTrailers(this.#record, []);
      }
      try {
        this.#sink.upgrade(this.#c, u.status, raw, u.socket);
      } catch {
        u.socket.destroy();
      }
    }, (err: unknown) => this.#fail(err));
  }

  start(origin: string, p: ParsedDispatch, signal: AbortSignal | undefined): void {
    try {
      this.#sink.start(this.#c);
    } catch (err) {
      this.#c.abort(toError(err));
    }
    if (this.#done) return;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.#c.abort(toError(signal.reason));
        return;
      }
      // Removed when the request ends, so that a long-lived signal does not collect listeners.
      const onAbort = (): void => this.#c.abort(toError(signal.reason));
      signal.addEventListener("abort", onAbort, { once: true });
      this.#unlisten = () => signal.removeEventListener("abort", onAbort);
    }
    const headers: Headers = this.#record !== undefined ? pairs(this.#record.headers) : p.headers;
    if (p.upgrade !== null || p.method === "CONNECT") return this.#upgrade(origin, p, headers);
    const init: RequestOptions = { method: p.method, headers, body: p.body, idempotent: p.idempotent };
    if (p.reset) init.reset = true;
    if (p.expectContinue) init.expectContinue = true;
    if (p.headersTimeout !== undefined) init.headersTimeout = p.headersTimeout;
    if (p.bodyTimeout !== undefined) init.bodyTimeout = p.bodyTimeout;
    const record = this.#record;
    if (record !== undefined) {
      if (channels.sendHeaders.hasSubscribers) init.onSent = ({ socket }) => publishSendHeaders(record, headerBlock(record.headers), socket);
      if (channels.bodySent.hasSubscribers) init.onBodySent = () => publishBodySent(record);
    }
    this.#control = this.#target.dispatchRequest(origin, p.path, init, this);
  }

  // ResponseReceiver: what the pool pushes.

  /** A 1xx response: onHeaders(1xx) / onResponseStart(1xx), as undici delivers them. */
  informational(status: number, headers: Headers, reason: string | undefined): void {
    if (this.#done) return;
    const raw = rawHeaders(headers);
    const statusText = reason ?? STATUS_CODES[status] ?? "";
    if (this.#record !== undefined) publishHeaders(this.#record, status, raw, statusText);
    try {
      this.#sink.info(this.#c, status, raw, statusText);
    } catch (err) {
      this.#c.abort(toError(err));
    }
  }

  head(status: number, headers: Headers, protocol: Protocol, reason: string | undefined): void {
    checkDrain(this.#target);
    if (this.#done) return;
    const raw = rawHeaders(headers);
    // HTTP/2 has no reason phrase (RFC 9113 §8.3.2); on HTTP/1 the server's, when the
    // connection reports it (optionalResponses: ["status_reason"]), else the standard text.
    const statusText = protocol === "http1" ? reason ?? STATUS_CODES[status] ?? "" : "";
    if (this.#record !== undefined) publishHeaders(this.#record, status, raw, statusText);
    this.#headSeen = true;
    try {
      this.#sink.head(this.#c, status, raw, statusText);
    } catch (err) {
      this.#c.abort(toError(err));
      return;
    }
    // Paused before the head (a pause only holds the body): hold it now.
    if (this.#c.paused && !this.#done) this.#control.pauseBody();
  }

  data(chunk: Uint8Array): void {
    if (this.#done) return;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#c.paused || this.#held !== undefined) {
      (this.#held ??= []).push(buf);
      return;
    }
    this.#deliver(buf);
  }

  end(trailers: Headers | undefined): void {
    if (this.#done) return;
    if (this.#c.paused || this.#held !== undefined) {
      this.#endHeld = true;
      this.#heldTrailers = trailers;
      return;
    }
    this.#complete(trailers);
  }

  error(err: Error): void {
    this.#fail(err);
  }

  // ControllerOwner: the handler's wishes.

  paused(): void {
    // Before the head there is no body to hold yet; head() applies the pause when it comes.
    if (!this.#done && this.#headSeen) this.#control.pauseBody();
  }

  resumed(): void {
    if (this.#done || this.#draining) return;
    this.#draining = true;
    queueMicrotask(() => this.#drain());
  }

  aborted(reason: Error | undefined): void {
    if (this.#done) return;
    this.#finished();
    const err = reason ?? new TransportError("aborted", "the request was aborted");
    this.#held = undefined;
    this.#upgradeAbort?.abort(err);
    this.#control.abort(err);
    // Delivered after the caller's abort() returns, never from inside another callback.
    queueMicrotask(() => this.#error(err));
  }

  /** After resume: what was held goes out (until paused again), then the end or more body. */
  #drain(): void {
    this.#draining = false;
    const c = this.#c;
    const held = this.#held;
    if (this.#done || c.paused) return;
    if (held !== undefined) {
      while (this.#heldFrom < held.length) {
        const chunk = held[this.#heldFrom]!;
        held[this.#heldFrom++] = undefined as unknown as Buffer;
        this.#deliver(chunk);
        if (this.#done || c.paused) return;
      }
      this.#held = undefined;
      this.#heldFrom = 0;
    }
    if (this.#endHeld) this.#complete(this.#heldTrailers);
    else this.#control.resumeBody();
  }

  #deliver(chunk: Buffer): void {
    try {
      this.#sink.data(this.#c, chunk);
    } catch (err) {
      this.#c.abort(toError(err));
    }
  }

  #complete(trailers: Headers | undefined): void {
    this.#finished();
    const raw = trailers === undefined || trailers.length === 0 ? [] : rawHeaders(trailers);
    if (this.#record !== undefined) publishTrailers(this.#record, raw);
    try {
      this.#sink.end(this.#c, raw);
    } catch {
      // The one completion was delivered; a throwing handler gets no second callback.
    }
  }

  #fail(err: unknown): void {
    checkDrain(this.#target);
    if (this.#done) return;
    this.#finished();
    this.#held = undefined;
    this.#error(toError(err));
  }

  #finished(): void {
    this.#done = true;
    const unlisten = this.#unlisten;
    this.#unlisten = undefined;
    unlisten?.();
  }

  #error(err: Error): void {
    if (this.#record !== undefined) publishError(this.#record, err);
    try {
      this.#sink.error(this.#c, err);
    } catch {
      // Nothing may throw out of the dispatcher's callbacks.
    }
  }
}
