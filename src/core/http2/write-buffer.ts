// The engine's outgoing queue: frames are written into one growing buffer, and handed
// to the shell as a list of chunks by `take()`.
//
// Control frames and header blocks are copied into the buffer; large DATA payloads are
// queued as views of the caller's bytes (after their 9-octet header in the buffer), so a
// big body is never copied. `take()` hands out views; later frames are written after them.

import { FRAME_HEADER_SIZE, FrameType, Flag, writeFrameHeader } from "./frame-header.js";

const MIN_CAPACITY = 16 * 1024;
/** Header blocks up to this long are copied with a loop rather than set(). */
const SMALL_COPY = 64;
/** DATA payloads at least this large are queued by reference instead of copied. */
const ZERO_COPY_THRESHOLD = 4096;

export class WriteBuffer {
  private buf: Uint8Array = new Uint8Array(0);
  private len = 0;
  /** Start of the part of `buf` not yet moved to `chunks`. */
  private segStart = 0;
  private chunks: Uint8Array[] = [];

  /** Ensure `n` more bytes fit; returns the offset to write at. */
  private reserve(n: number): number {
    if (this.len + n > this.buf.length) {
      if (this.len > this.segStart) this.chunks.push(this.buf.subarray(this.segStart, this.len));
      this.buf = new Uint8Array(Math.max(MIN_CAPACITY, n));
      this.len = 0;
      this.segStart = 0;
    }
    const off = this.len;
    this.len += n;
    return off;
  }

  /** Queue bytes by copying them. */
  append(bytes: Uint8Array): void {
    const off = this.reserve(bytes.length);
    this.buf.set(bytes, off);
  }

  /** Queue a frame with the given payload (copied). */
  frame(type: number, flags: number, streamId: number, payload: Uint8Array): void {
    const off = this.reserve(FRAME_HEADER_SIZE + payload.length);
    writeFrameHeader(this.buf, off, payload.length, type, flags, streamId);
    this.buf.set(payload, off + FRAME_HEADER_SIZE);
  }

  /** Queue a header block as HEADERS + CONTINUATION frames of at most `maxFrameSize` (RFC 9113 §6.10). */
  headerBlock(streamId: number, block: Uint8Array, endStream: boolean, maxFrameSize: number): void {
    const n = block.length;
    if (n <= maxFrameSize && n <= SMALL_COPY) {
      // One HEADERS frame: the block is copied byte by byte (cheaper than set() when short).
      const off = this.reserve(FRAME_HEADER_SIZE + n);
      const buf = this.buf;
      writeFrameHeader(buf, off, n, FrameType.HEADERS, Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0), streamId);
      for (let i = 0, at = off + FRAME_HEADER_SIZE; i < n; i++) buf[at + i] = block[i]!;
      return;
    }
    let first = true;
    let off = 0;
    do {
      const n = Math.min(maxFrameSize, block.length - off);
      const last = off + n === block.length;
      const flags = (last ? Flag.END_HEADERS : 0) | (first && endStream ? Flag.END_STREAM : 0);
      this.frame(first ? FrameType.HEADERS : FrameType.CONTINUATION, flags, streamId, block.subarray(off, off + n));
      off += n;
      first = false;
    } while (off < block.length);
  }

  /** Queue `data` as DATA frames of at most `maxFrameSize`; the last one carries END_STREAM if asked. */
  data(streamId: number, data: Uint8Array, endStream: boolean, maxFrameSize: number): void {
    let off = 0;
    do {
      const n = Math.min(maxFrameSize, data.length - off);
      const last = off + n === data.length;
      const flags = last && endStream ? Flag.END_STREAM : 0;
      const piece = data.subarray(off, off + n);
      if (n >= ZERO_COPY_THRESHOLD) {
        const h = this.reserve(FRAME_HEADER_SIZE);
        writeFrameHeader(this.buf, h, n, FrameType.DATA, flags, streamId);
        this.chunks.push(this.buf.subarray(this.segStart, this.len));
        this.segStart = this.len;
        this.chunks.push(piece);
      } else {
        this.frame(FrameType.DATA, flags, streamId, piece);
      }
      off += n;
    } while (off < data.length);
  }

  /** True when nothing is queued. */
  isEmpty(): boolean {
    return this.chunks.length === 0 && this.len === this.segStart;
  }

  /** Everything queued since the last call, in order. */
  take(): Uint8Array[] {
    if (this.len > this.segStart) this.chunks.push(this.buf.subarray(this.segStart, this.len));
    const out = this.chunks;
    this.chunks = [];
    // The bytes handed out belong to the caller; later frames go after them in the same buffer.
    this.segStart = this.len;
    return out;
  }
}
