// Splits received bytes into frame headers and payload pieces, without copying payloads.
//
// How this works: the reader walks each chunk with an offset. A header is parsed in place;
// only when a chunk ends inside a header are those few bytes (at most 14) kept and joined
// with the next chunk. Payload bytes are handed to the sink as views of the chunk as soon
// as they arrive, so a large frame is never buffered here and a check on its content (UTF-8)
// can fail on the first bad byte. The sink may ask to stop (an asynchronous step such as
// inflating is under way): the unread rest of the chunk is kept for the next `feed`.

import { type FrameHeader, parseHeader } from "./frame-header.js";

export interface FrameSink {
  /** A header was read; checks that throw end the reading. */
  header(h: FrameHeader): void;
  /** `data[start, end)` is the next part of the payload; `last` is true at the frame's end. Return false to stop reading. */
  payload(data: Uint8Array, start: number, end: number, last: boolean): boolean;
}

const EMPTY = new Uint8Array(0);

export class FrameReader {
  /** Bytes of a header split across chunks. */
  #headerPart: Uint8Array = EMPTY;
  /** Payload bytes of the current frame still to come; -1 when a header is expected. */
  #left = -1;
  /** A chunk's unread rest, kept when the sink stopped. */
  #held: Uint8Array = EMPTY;

  /** Whether bytes are held back (the sink stopped before they were read). */
  get holding(): boolean {
    return this.#held.length > 0;
  }

  /** Keeps `chunk` unread, after what is already held (the sink is busy). */
  hold(chunk: Uint8Array): void {
    if (chunk.length > 0) this.#held = this.#held.length === 0 ? chunk.slice() : concat2(this.#held, chunk);
  }

  /** Reads `chunk` (after anything held back); stops early when the sink says so. */
  feed(chunk: Uint8Array, sink: FrameSink): void {
    let data = chunk;
    if (this.#held.length > 0) {
      data = chunk.length === 0 ? this.#held : concat2(this.#held, chunk);
      this.#held = EMPTY;
    }
    let pos = 0;
    const end = data.length;
    while (true) {
      if (this.#left < 0) {
        if (this.#headerPart.length > 0) {
          // Join only the split header: up to 14 bytes from this chunk.
          const take = Math.min(14, end - pos);
          const joined = concat2(this.#headerPart, data.subarray(pos, pos + take));
          const parsed = parseHeader(joined, 0, joined.length);
          if (parsed === null) {
            this.#headerPart = joined;
            return;
          }
          pos += parsed.size - this.#headerPart.length;
          this.#headerPart = EMPTY;
          this.#left = parsed.header.length;
          sink.header(parsed.header);
        } else {
          if (pos === end) return;
          const parsed = parseHeader(data, pos, end);
          if (parsed === null) {
            this.#headerPart = data.slice(pos, end);
            return;
          }
          pos += parsed.size;
          this.#left = parsed.header.length;
          sink.header(parsed.header);
        }
        if (this.#left === 0) {
          this.#left = -1;
          if (!sink.payload(data, pos, pos, true)) return this.#hold(data, pos);
          continue;
        }
      }
      if (pos === end) return;
      const take = Math.min(this.#left, end - pos);
      this.#left -= take;
      const last = this.#left === 0;
      if (last) this.#left = -1;
      const go = sink.payload(data, pos, pos + take, last);
      pos += take;
      if (!go) return this.#hold(data, pos);
    }
  }

  #hold(data: Uint8Array, pos: number): void {
    if (pos < data.length) this.#held = data.slice(pos);
  }
}

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
