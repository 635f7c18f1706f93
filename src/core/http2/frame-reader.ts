// Resumable frame splitter: feed it chunks as they arrive, pull whole frames out.
//
// It keeps the current chunk and an offset into it. A frame that lies wholly inside the
// chunk is handed out as a view (no copy). Only a frame that spans chunks is copied, into
// one buffer sized from its header, filled as the next chunks arrive; nothing is ever
// concatenated in a loop. The length check against our SETTINGS_MAX_FRAME_SIZE happens
// as soon as the 9 header octets are known, before any buffer is sized from it.

import { connectionError, ErrorCode } from "./errors.js";
import { FRAME_HEADER_SIZE } from "./frame-header.js";

const EMPTY = new Uint8Array(0);

export class FrameReader {
  /** Fields of the frame returned by the last successful `next()`. */
  type = 0;
  flags = 0;
  streamId = 0;
  payload: Uint8Array = EMPTY;

  private chunk: Uint8Array = EMPTY;
  private off = 0;
  /** Frame being assembled across chunks (header first, then header + payload). */
  private partial: Uint8Array | null = null;
  private partialLen = 0;
  private header = new Uint8Array(FRAME_HEADER_SIZE);

  /** Add received bytes; the previous chunk must have been fully consumed by `next()`. */
  push(chunk: Uint8Array): void {
    this.chunk = chunk;
    this.off = 0;
  }

  /** Bytes held back waiting for the rest of a frame. */
  bufferedBytes(): number {
    return this.partialLen + (this.chunk.length - this.off);
  }

  /**
   * Advance to the next complete frame. Returns false when more bytes are needed.
   * Throws `frame_size_error` when a frame is longer than `maxFrameSize` (RFC 9113 §4.2).
   */
  next(maxFrameSize: number): boolean {
    if (this.partial !== null || (this.partialLen > 0)) return this.continuePartial(maxFrameSize);
    const chunk = this.chunk;
    const off = this.off;
    const avail = chunk.length - off;
    if (avail === 0) return false;
    if (avail < FRAME_HEADER_SIZE) {
      this.header.set(chunk.subarray(off), 0);
      this.partialLen = avail;
      this.off = chunk.length;
      return false;
    }
    const length = (chunk[off]! << 16) | (chunk[off + 1]! << 8) | chunk[off + 2]!;
    this.checkLength(length, maxFrameSize);
    if (avail < FRAME_HEADER_SIZE + length) {
      const buf = new Uint8Array(FRAME_HEADER_SIZE + length);
      buf.set(chunk.subarray(off), 0);
      this.partial = buf;
      this.partialLen = avail;
      this.off = chunk.length;
      return false;
    }
    this.setHeader(chunk, off);
    this.payload = chunk.subarray(off + FRAME_HEADER_SIZE, off + FRAME_HEADER_SIZE + length);
    this.off = off + FRAME_HEADER_SIZE + length;
    return true;
  }

  private checkLength(length: number, maxFrameSize: number): void {
    // RFC 9113 §4.2: a frame larger than SETTINGS_MAX_FRAME_SIZE is a FRAME_SIZE_ERROR.
    if (length > maxFrameSize) {
      throw connectionError(ErrorCode.FRAME_SIZE_ERROR, `frame of ${length} octets exceeds the maximum frame size ${maxFrameSize}`);
    }
  }

  private setHeader(buf: Uint8Array, off: number): void {
    this.type = buf[off + 3]!;
    this.flags = buf[off + 4]!;
    this.streamId = ((buf[off + 5]! & 0x7f) * 0x1000000) + (buf[off + 6]! << 16) + (buf[off + 7]! << 8) + buf[off + 8]!;
  }

  private continuePartial(maxFrameSize: number): boolean {
    const chunk = this.chunk;
    if (this.partial === null) {
      // Still collecting the 9 header octets.
      const take = Math.min(FRAME_HEADER_SIZE - this.partialLen, chunk.length - this.off);
      this.header.set(chunk.subarray(this.off, this.off + take), this.partialLen);
      this.partialLen += take;
      this.off += take;
      if (this.partialLen < FRAME_HEADER_SIZE) return false;
      const h = this.header;
      const length = (h[0]! << 16) | (h[1]! << 8) | h[2]!;
      this.checkLength(length, maxFrameSize);
      const buf = new Uint8Array(FRAME_HEADER_SIZE + length);
      buf.set(h, 0);
      this.partial = buf;
    }
    const buf = this.partial;
    const take = Math.min(buf.length - this.partialLen, chunk.length - this.off);
    if (take > 0) {
      buf.set(chunk.subarray(this.off, this.off + take), this.partialLen);
      this.partialLen += take;
      this.off += take;
    }
    if (this.partialLen < buf.length) return false;
    this.setHeader(buf, 0);
    this.payload = buf.subarray(FRAME_HEADER_SIZE);
    this.partial = null;
    this.partialLen = 0;
    return true;
  }
}
