// Request bodies: what the caller gave, how it goes on the wire, whether it can be sent
// again. Text and bytes are replayable and sent whole (or in window-sized pieces on
// HTTP/2); an async iterable or a web ReadableStream is read once, chunk by chunk, and is
// replayable only while nothing has been read from it.

import type { RequestBody } from "./options.js";

const encoder = new TextEncoder();

export class BodySource {
  /** The whole body when it is known up front (null: no body). */
  readonly bytes: Uint8Array | null;
  readonly #iterable: AsyncIterable<Uint8Array> | undefined;
  #iterator: AsyncIterator<Uint8Array> | undefined;
  #touched = false;

  constructor(body: RequestBody | undefined) {
    if (body === undefined || body === null) this.bytes = null;
    else if (typeof body === "string") this.bytes = encoder.encode(body);
    else if (body instanceof Uint8Array) this.bytes = body;
    else if (typeof (body as ReadableStream<Uint8Array>).getReader === "function" && !(Symbol.asyncIterator in body)) {
      this.bytes = null;
      this.#iterable = readableToIterable(body as ReadableStream<Uint8Array>);
    } else if (typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === "function") {
      this.bytes = null;
      this.#iterable = body as AsyncIterable<Uint8Array>;
    } else throw new TypeError("body must be a string, a Uint8Array, an async iterable, a ReadableStream or null");
  }

  /** The body is a stream (sent with STREAM, chunk by chunk). */
  get streamed(): boolean {
    return this.#iterable !== undefined;
  }

  /** Whether the body can be sent again. */
  get replayable(): boolean {
    return this.#iterable === undefined || !this.#touched;
  }

  /** Next chunk of a streamed body; `undefined` at its end. Chunks are Uint8Array (strings encoded). */
  async next(): Promise<Uint8Array | undefined> {
    this.#touched = true;
    this.#iterator ??= this.#iterable![Symbol.asyncIterator]();
    const r = await this.#iterator.next();
    if (r.done === true) return undefined;
    const v = r.value as unknown;
    if (typeof v === "string") return encoder.encode(v);
    if (!(v instanceof Uint8Array)) throw new TypeError("a streamed request body must yield Uint8Array chunks");
    return v;
  }

  /** Stop reading a streamed body (the request failed or was aborted). */
  dispose(): void {
    const it = this.#iterator;
    this.#touched = true;
    if (it?.return !== undefined) void Promise.resolve().then(() => it.return!()).catch(() => {});
  }
}

/** The source of every request without a body: it holds no state, so one serves them all. */
export const NO_BODY = new BodySource(null);

async function* readableToIterable(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    reader.releaseLock();
    void stream.cancel().catch(() => {});
  }
}
