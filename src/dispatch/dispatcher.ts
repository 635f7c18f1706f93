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
import { TransportError, type Headers } from "../index.js";
import type { PoolResponse, RequestOptions, Upgraded } from "../pool/index.js";
import { DispatchController } from "./controller.js";
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
  /** Send through the pool: `origin` (`scheme://host:port`) and a path starting with "/". */
  dispatchRequest(origin: string, path: string, init: RequestOptions): Promise<PoolResponse>;
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
      record = new DiagnosticsRequest(origin, parsed.method, parsed.path, parsed.headers, parsed.body, parsed.idempotent, parsed.upgrade);
      publishCreate(record);
    }
  } catch (err) {
    if (!sink.canError) throw err;
    sink.error(new DispatchController(() => {}), toError(err));
    return false;
  }
  new Run(target, sink, record).start(origin, parsed, (opts as { signal?: AbortSignal | null }).signal ?? undefined);
  if (target.queueFull(origin)) {
    needDrain.set(target, origin);
    return false;
  }
  return true;
}

/** One dispatched request, from onConnect to its single completion or error. */
class Run {
  readonly #target: DispatchTarget;
  readonly #sink: Sink;
  readonly #record: DiagnosticsRequest | undefined;
  readonly #c: DispatchController;
  readonly #abort = new AbortController();
  #done = false;
  #response: PoolResponse | undefined;
  #unlisten: (() => void) | undefined;

  constructor(target: DispatchTarget, sink: Sink, record: DiagnosticsRequest | undefined) {
    this.#target = target;
    this.#sink = sink;
    this.#record = record;
    this.#c = new DispatchController((reason) => this.#aborted(reason));
  }

  /** The upgrade path: a 101 hands the socket to onUpgrade, which is the request's one completion. */
  #upgrade(origin: string, p: ParsedDispatch, headers: Headers): void {
    // RFC 9110 §7.8: Upgrade is a connection option, named in Connection. (CONNECT: none.)
    if (p.upgrade !== null) headers.push(["connection", "upgrade"], ["upgrade", p.upgrade]);
    const init: { method: string; headers: Headers; signal: AbortSignal; headersTimeout?: number } = { method: p.method, headers, signal: this.#abort.signal };
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
    const headers = pairs(this.#record?.headers ?? p.headers);
    if (p.upgrade !== null || p.method === "CONNECT") return this.#upgrade(origin, p, headers);
    const init: RequestOptions = {
      method: p.method,
      headers,
      body: p.body,
      idempotent: p.idempotent,
      signal: this.#abort.signal,
      onInformational: (status, headers, reason) => this.#info(status, headers, reason),
    };
    if (p.reset) init.reset = true;
    if (p.expectContinue) init.expectContinue = true;
    if (p.headersTimeout !== undefined) init.headersTimeout = p.headersTimeout;
    if (p.bodyTimeout !== undefined) init.bodyTimeout = p.bodyTimeout;
    const record = this.#record;
    if (record !== undefined) {
      if (channels.sendHeaders.hasSubscribers) init.onSent = ({ socket }) => publishSendHeaders(record, headerBlock(record.headers), socket);
      if (channels.bodySent.hasSubscribers) init.onBodySent = () => publishBodySent(record);
    }
    this.#target.dispatchRequest(origin, p.path, init).then((r) => this.#head(r), (err: unknown) => this.#fail(err));
  }

  /** A 1xx response: onHeaders(1xx) / onResponseStart(1xx), as undici delivers them. */
  #info(status: number, headers: Headers, reason: string | undefined): void {
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

  #head(r: PoolResponse): void {
    checkDrain(this.#target);
    if (this.#done) {
      void r.body.cancel();
      return;
    }
    this.#response = r;
    const raw = rawHeaders(r.headers);
    // HTTP/2 has no reason phrase (RFC 9113 §8.3.2); on HTTP/1 the server's, when the
    // connection reports it (optionalResponses: ["status_reason"]), else the standard text.
    const statusText = r.protocol === "http1" ? r.statusText ?? STATUS_CODES[r.status] ?? "" : "";
    if (this.#record !== undefined) publishHeaders(this.#record, r.status, raw, statusText);
    try {
      this.#sink.head(this.#c, r.status, raw, statusText);
    } catch (err) {
      this.#c.abort(toError(err));
      return;
    }
    if (!this.#done) void this.#pump(r);
  }

  /**
   * Deliver the body: what is already buffered synchronously (a small response ends in the
   * same turn as its head, as with undici), then chunk by chunk as it arrives. Stops while
   * the controller is paused.
   */
  async #pump(r: PoolResponse): Promise<void> {
    const c = this.#c;
    const body = r.body;
    try {
      for (;;) {
        if (c.paused) {
          await c.whenResumed();
          if (this.#done) return;
          continue;
        }
        let v = body.read();
        if (v === null) {
          const step = await body.next();
          if (this.#done) return;
          v = step.done === true ? undefined : step.value;
        }
        if (v === undefined) break;
        const chunk = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        try {
          this.#sink.data(c, chunk);
        } catch (err) {
          c.abort(toError(err));
          return;
        }
        if (this.#done) return;
      }
      const trailers = body.endTrailers ?? (await r.trailers);
      if (this.#done) return;
      this.#finished();
      const raw = rawHeaders(trailers);
      if (this.#record !== undefined) publishTrailers(this.#record, raw);
      try {
        this.#sink.end(c, raw);
      } catch {
        // The one completion was delivered; a throwing handler gets no second callback.
      }
    } catch (err) {
      this.#fail(err);
    }
  }

  #fail(err: unknown): void {
    checkDrain(this.#target);
    if (this.#done) return;
    this.#finished();
    this.#error(toError(err));
  }

  #aborted(reason: Error | undefined): void {
    if (this.#done) return;
    this.#finished();
    const err = reason ?? new TransportError("aborted", "the request was aborted");
    this.#abort.abort(err);
    if (this.#response !== undefined) void this.#response.body.cancel();
    this.#c.release();
    // Delivered after the caller's abort() returns, never from inside another callback.
    queueMicrotask(() => this.#error(err));
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
