// The two handler shapes undici's dispatch(opts, handler) accepts, and one internal shape.
//
// How this works: undici tells the shapes apart by `onRequestStart` (present: undici 7's
// controller shape; absent: the legacy shape of undici 6, Node's bundled fetch and undici
// 7's own fetch/request). normalizeHandler() returns a Sink that the dispatcher drives the
// same way for both: back-pressure always goes through the DispatchController (a legacy
// `false` from onHeaders/onData becomes controller.pause(), its `resume` callback
// controller.resume()).

import type { Duplex } from "node:stream";
import type { DispatchController } from "./controller.js";
import { headerRecord } from "./raw-headers.js";

/** undici's handler, either shape (every callback optional, as undici treats them). */
export interface DispatchHandler {
  // Legacy shape.
  onConnect?(abort: (reason?: Error) => void, context?: object): void;
  onResponseStarted?(): void;
  onHeaders?(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean | void;
  onData?(chunk: Buffer): boolean | void;
  onComplete?(rawTrailers: Buffer[]): void;
  onError?(err: Error): void;
  onUpgrade?(statusCode: number, rawHeaders: Buffer[], socket: unknown): void;
  // undici 7 shape.
  onRequestStart?(controller: DispatchController, context: object): void;
  onResponseStart?(controller: DispatchController, statusCode: number, headers: Record<string, string | string[]>, statusText: string): void;
  onResponseData?(controller: DispatchController, chunk: Buffer): void;
  onResponseEnd?(controller: DispatchController, trailers: Record<string, string | string[]>): void;
  onResponseError?(controller: DispatchController, err: Error): void;
  onRequestUpgrade?(controller: DispatchController, statusCode: number, headers: Record<string, string | string[]>, socket: unknown): void;
}

/** What the dispatcher calls, whatever the handler's shape. Callbacks may pause or abort through `c`. */
export interface Sink {
  /** Whether the handler can be told about an error (else undici rethrows it from dispatch). */
  readonly canError: boolean;
  start(c: DispatchController): void;
  head(c: DispatchController, status: number, raw: Buffer[], statusText: string): void;
  /** A 1xx informational response before the final head (its back-pressure answer is ignored, as undici). */
  info(c: DispatchController, status: number, raw: Buffer[], statusText: string): void;
  data(c: DispatchController, chunk: Buffer): void;
  end(c: DispatchController, rawTrailers: Buffer[]): void;
  error(c: DispatchController, err: Error): void;
  /** Whether the handler takes upgrades (undici requires it for upgrade requests). */
  readonly canUpgrade: boolean;
  upgrade(c: DispatchController, status: number, raw: Buffer[], socket: Duplex): void;
}

const context = Object.freeze({});

class LegacySink implements Sink {
  readonly #h: DispatchHandler;
  constructor(h: DispatchHandler) {
    this.#h = h;
  }
  get canError(): boolean {
    return typeof this.#h.onError === "function";
  }
  start(c: DispatchController): void {
    this.#h.onConnect?.((reason) => c.abort(reason), context);
  }
  head(c: DispatchController, status: number, raw: Buffer[], statusText: string): void {
    this.#h.onResponseStarted?.();
    if (this.#h.onHeaders?.(status, raw, () => c.resume(), statusText) === false) c.pause();
  }
  info(c: DispatchController, status: number, raw: Buffer[], statusText: string): void {
    // undici's HTTP/1 client: onResponseStarted at each message, then onHeaders(1xx).
    this.#h.onResponseStarted?.();
    this.#h.onHeaders?.(status, raw, () => c.resume(), statusText);
  }
  data(c: DispatchController, chunk: Buffer): void {
    if (this.#h.onData?.(chunk) === false) c.pause();
  }
  end(_c: DispatchController, rawTrailers: Buffer[]): void {
    this.#h.onComplete?.(rawTrailers);
  }
  error(_c: DispatchController, err: Error): void {
    this.#h.onError?.(err);
  }
  get canUpgrade(): boolean {
    return typeof this.#h.onUpgrade === "function";
  }
  upgrade(_c: DispatchController, status: number, raw: Buffer[], socket: Duplex): void {
    this.#h.onUpgrade?.(status, raw, socket);
  }
}

class ControllerSink implements Sink {
  readonly #h: DispatchHandler;
  constructor(h: DispatchHandler) {
    this.#h = h;
  }
  get canError(): boolean {
    return typeof this.#h.onResponseError === "function";
  }
  start(c: DispatchController): void {
    this.#h.onRequestStart?.(c, context);
  }
  head(c: DispatchController, status: number, raw: Buffer[], statusText: string): void {
    c.rawHeaders = raw;
    this.#h.onResponseStart?.(c, status, headerRecord(raw), statusText);
  }
  info(c: DispatchController, status: number, raw: Buffer[], statusText: string): void {
    this.head(c, status, raw, statusText);
  }
  data(c: DispatchController, chunk: Buffer): void {
    this.#h.onResponseData?.(c, chunk);
  }
  end(c: DispatchController, rawTrailers: Buffer[]): void {
    c.rawTrailers = rawTrailers;
    this.#h.onResponseEnd?.(c, headerRecord(rawTrailers));
  }
  error(c: DispatchController, err: Error): void {
    this.#h.onResponseError?.(c, err);
  }
  get canUpgrade(): boolean {
    return typeof this.#h.onRequestUpgrade === "function";
  }
  upgrade(c: DispatchController, status: number, raw: Buffer[], socket: Duplex): void {
    c.rawHeaders = raw;
    this.#h.onRequestUpgrade?.(c, status, headerRecord(raw), socket);
  }
}

/**
 * The handler as a Sink, told apart as undici does: `onRequestStart` means undici 7's shape.
 * Errors: TypeError when `handler` is not an object.
 */
export function normalizeHandler(handler: unknown): Sink {
  if (handler === null || typeof handler !== "object") throw new TypeError("handler must be an object");
  const h = handler as DispatchHandler;
  return typeof h.onRequestStart === "function" ? new ControllerSink(h) : new LegacySink(h);
}
