// How a response reaches whoever asked for it.
//
// How this works: an exchange pushes its response to a ResponseReceiver as it arrives:
// 1xx heads, the final head, each body chunk, then exactly one of end or error. request()
// uses a PromiseReceiver, which resolves the caller's promise with a PoolResponse at the
// head and feeds its ResponseBody (a pull-based reader with its own back-pressure). The
// dispatcher receives the pushes directly (no promise, no reader in between) and drives
// back-pressure and cancellation through the RequestControl it is handed back.

import type { Headers, Protocol } from "../index.js";
import { ResponseBody, type BodyOwner } from "./response-body.js";
import type { RequestOptions } from "./options.js";

/** Receives one request's response, pushed as it arrives. */
export interface ResponseReceiver {
  /** A 1xx interim response (RFC 9110 §15.2), before the final head. */
  informational(status: number, headers: Headers, reason: string | undefined): void;
  /** The final response head; `owner` paces and cancels the body. */
  head(status: number, headers: Headers, protocol: Protocol, statusText: string | undefined, owner: BodyOwner): void;
  /** A chunk of the body (only after head). */
  data(chunk: Uint8Array): void;
  /** The body ended, with its trailers (undefined when none came). */
  end(trailers: Headers | undefined): void;
  /** The request failed, before or after its head. At most once, and never after end. */
  error(err: Error): void;
}

/** What the sender of a pushed request can do with it. */
export interface RequestControl {
  /** Stop taking body data: the stream's window is held (HTTP/2) or the socket is not read (HTTP/1). */
  pauseBody(): void;
  resumeBody(): void;
  /** End the request with `err` wherever it is (queued, sent, body streaming); the receiver gets error(err). */
  abort(err: Error): void;
}

/** The control of a request that never started (its receiver already has the error). */
export const NO_CONTROL: RequestControl = Object.freeze({ pauseBody() {}, resumeBody() {}, abort() {} });

/** What `request()` resolves with. */
export class PoolResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly protocol: Protocol;
  readonly body: ResponseBody;
  /**
   * HTTP/1: the server's reason phrase, when the connection reports it (connect option
   * `optionalResponses: ["status_reason"]`); otherwise undefined. HTTP/2 has none (RFC 9113 §8.3.2).
   */
  readonly statusText: string | undefined;

  constructor(status: number, headers: Headers, protocol: Protocol, body: ResponseBody, statusText?: string) {
    this.status = status;
    this.headers = headers;
    this.protocol = protocol;
    this.body = body;
    this.statusText = statusText;
  }

  /** Resolves when the body has been read ([] when none or cancelled); rejects with the body's error. */
  get trailers(): Promise<Headers> {
    return this.body.trailers();
  }
}

/** request()'s receiver: a promise of the head, then a ResponseBody for the reader. */
export class PromiseReceiver implements ResponseReceiver {
  readonly promise: Promise<PoolResponse>;
  #resolve!: (r: PoolResponse) => void;
  #reject!: (e: unknown) => void;
  #body: ResponseBody | undefined;
  readonly #onInformational: RequestOptions["onInformational"];

  constructor(onInformational: RequestOptions["onInformational"]) {
    this.#onInformational = onInformational;
    this.promise = new Promise<PoolResponse>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  informational(status: number, headers: Headers, reason: string | undefined): void {
    this.#onInformational?.(status, headers, reason);
  }

  head(status: number, headers: Headers, protocol: Protocol, statusText: string | undefined, owner: BodyOwner): void {
    this.#body = new ResponseBody(owner);
    this.#resolve(new PoolResponse(status, headers, protocol, this.#body, statusText));
  }

  data(chunk: Uint8Array): void {
    this.#body!.push(chunk);
  }

  end(trailers: Headers | undefined): void {
    this.#body!.end(trailers);
  }

  error(err: Error): void {
    if (this.#body !== undefined) this.#body.fail(err);
    else this.#reject(err);
  }
}
