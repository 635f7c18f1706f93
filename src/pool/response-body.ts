// A response body as the caller reads it: an async iterable of Uint8Array chunks with
// text(), json(), bytes() and cancel(), and the trailers promise.
//
// How this works: the exchange pushes chunks as they arrive; the reader takes them. When
// more than HIGH_WATER bytes wait unread, the owner is asked to pause (its stream's window
// is held on HTTP/2, its socket stops being read on HTTP/1); once the reader has brought it
// under LOW_WATER, to resume. So what waits here stays around one window, whatever the
// reader does. text()/json()/bytes() collect without pausing (they keep everything anyway).

import type { Headers } from "../index.js";

/** What the body tells the exchange that feeds it. */
export interface BodyOwner {
  pauseBody(): void;
  resumeBody(): void;
  /** The reader stopped reading before the end (cancel(), break out of for await). */
  cancelBody(): void;
}

const HIGH_WATER = 64 * 1024;
const LOW_WATER = 16 * 1024;
const decoder = new TextDecoder();
const noop = (): void => {};
/**
 * The buffer of a body with nothing waiting: shared and never written (a first chunk makes
 * a new one). Not frozen, and made from an array that held a chunk, so that it has the
 * same shape as the buffers that hold chunks and reading either stays one fast path.
 */
const NO_CHUNKS: Uint8Array[] = [new Uint8Array(0)];
NO_CHUNKS.pop();

type Waiter = { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (e: unknown) => void };

export class ResponseBody implements AsyncIterableIterator<Uint8Array> {
  #owner: BodyOwner | undefined;
  #chunks: Uint8Array[] = NO_CHUNKS;
  #head = 0;
  #buffered = 0;
  #paused = false;
  /** "open" until the last chunk; then "ended", "failed" or "cancelled". */
  #state: "open" | "ended" | "failed" | "cancelled" = "open";
  #error: Error | undefined;
  /** The trailers; made empty on first ask when none came (no array per body without trailers). */
  #trailers: Headers | undefined;
  #waiter: Waiter | undefined;
  #collect: { resolve: (b: Uint8Array[]) => void; reject: (e: unknown) => void } | undefined;
  #trailersDeferred: { promise: Promise<Headers>; resolve: (h: Headers) => void; reject: (e: unknown) => void } | undefined;
  #used = false;

  constructor(owner: BodyOwner) {
    this.#owner = owner;
  }

  // Fed by the exchange.

  /** A chunk of the body arrived. */
  push(chunk: Uint8Array): void {
    if (this.#state !== "open") return;
    const w = this.#waiter;
    if (w !== undefined) {
      this.#waiter = undefined;
      w.resolve({ value: chunk, done: false });
      return;
    }
    if (this.#chunks === NO_CHUNKS) this.#chunks = [chunk];
    else this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#collect === undefined && !this.#paused && this.#buffered > HIGH_WATER) {
      this.#paused = true;
      this.#owner?.pauseBody();
    }
  }

  /** The body ended, with `trailers` (undefined or [] when none). */
  end(trailers: Headers | undefined): void {
    if (this.#state !== "open") return;
    this.#state = "ended";
    this.#trailers = trailers;
    this.#owner = undefined;
    this.#trailersDeferred?.resolve(this.#trailerList());
    const c = this.#collect;
    if (c !== undefined) {
      this.#collect = undefined;
      c.resolve(this.#takeAll());
    }
    const w = this.#waiter;
    if (w !== undefined) {
      this.#waiter = undefined;
      w.resolve({ value: undefined, done: true });
    }
  }

  /** The body failed. */
  fail(err: Error): void {
    if (this.#state !== "open") return;
    this.#state = "failed";
    this.#error = err;
    this.#owner = undefined;
    this.#chunks = NO_CHUNKS;
    this.#buffered = 0;
    this.#trailersDeferred?.reject(err);
    const c = this.#collect;
    if (c !== undefined) {
      this.#collect = undefined;
      c.reject(err);
    }
    const w = this.#waiter;
    if (w !== undefined) {
      this.#waiter = undefined;
      w.reject(err);
    }
  }

  /** The trailers: [] when none or cancelled; rejects with the body's error (handled, never unhandled). */
  trailers(): Promise<Headers> {
    if (this.#state === "ended" || this.#state === "cancelled") return Promise.resolve(this.#trailerList());
    if (this.#state === "failed") {
      const p = Promise.reject(this.#error);
      p.catch(noop);
      return p;
    }
    if (this.#trailersDeferred === undefined) {
      let resolve!: (h: Headers) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<Headers>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(noop);
      this.#trailersDeferred = { promise, resolve, reject };
    }
    return this.#trailersDeferred.promise;
  }

  // Read by the caller.

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    let chunk: Uint8Array | null | undefined;
    try {
      chunk = this.read();
    } catch (err) {
      return Promise.reject(err);
    }
    if (chunk !== null) return Promise.resolve(chunk === undefined ? { value: undefined, done: true } : { value: chunk, done: false });
    if (this.#waiter !== undefined || this.#collect !== undefined) return Promise.reject(new TypeError("the body is already being read"));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /**
   * Take what is already buffered without waiting: the next chunk, `null` when nothing is
   * buffered yet (then wait with next()), or `undefined` once the body has ended (see
   * `endTrailers`). Paces the connection as next() does. Throws the body's error.
   */
  read(): Uint8Array | null | undefined {
    if (this.#head < this.#chunks.length) {
      const chunk = this.#chunks[this.#head]!;
      this.#chunks[this.#head++] = undefined as unknown as Uint8Array;
      if (this.#head === this.#chunks.length) {
        this.#chunks = NO_CHUNKS;
        this.#head = 0;
      }
      this.#buffered -= chunk.length;
      if (this.#paused && this.#buffered <= LOW_WATER) {
        this.#paused = false;
        this.#owner?.resumeBody();
      }
      return chunk;
    }
    if (this.#paused) {
      this.#paused = false;
      this.#owner?.resumeBody();
    }
    if (this.#state === "failed") throw this.#error;
    return this.#state === "open" ? null : undefined;
  }

  /** The trailers once the body has ended ([] when none or cancelled); undefined before. */
  get endTrailers(): Headers | undefined {
    return this.#state === "ended" || this.#state === "cancelled" ? this.#trailerList() : undefined;
  }

  #trailerList(): Headers {
    return (this.#trailers ??= []);
  }

  /** Leaving a for-await loop early cancels the body. */
  async return(): Promise<IteratorResult<Uint8Array>> {
    await this.cancel();
    return { value: undefined, done: true };
  }

  /** The whole body as bytes. Rejects with the body's error. */
  async bytes(): Promise<Uint8Array> {
    const chunks = await this.#all();
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  /** The whole body decoded as UTF-8. */
  async text(): Promise<string> {
    return decoder.decode(await this.bytes());
  }

  /** The whole body parsed as JSON. */
  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  /** Stop reading: buffered data is dropped, the stream is reset (HTTP/2) or the connection closed (HTTP/1). */
  cancel(): Promise<void> {
    if (this.#state !== "open") return Promise.resolve();
    this.#state = "cancelled";
    this.#chunks = NO_CHUNKS;
    this.#buffered = 0;
    this.#trailersDeferred?.resolve([]);
    const owner = this.#owner;
    this.#owner = undefined;
    const w = this.#waiter;
    if (w !== undefined) {
      this.#waiter = undefined;
      w.resolve({ value: undefined, done: true });
    }
    owner?.cancelBody();
    return Promise.resolve();
  }

  #all(): Promise<Uint8Array[]> {
    if (this.#used || this.#waiter !== undefined) return Promise.reject(new TypeError("the body is already being read"));
    this.#used = true;
    switch (this.#state) {
      case "ended":
        return Promise.resolve(this.#takeAll());
      case "failed":
        return Promise.reject(this.#error);
      case "cancelled":
        return Promise.resolve([]);
    }
    if (this.#paused) {
      this.#paused = false;
      this.#owner?.resumeBody();
    }
    return new Promise((resolve, reject) => {
      this.#collect = { resolve, reject };
    });
  }

  #takeAll(): Uint8Array[] {
    const out = this.#head === 0 ? this.#chunks : this.#chunks.slice(this.#head);
    this.#chunks = NO_CHUNKS;
    this.#head = 0;
    this.#buffered = 0;
    return out;
  }
}
