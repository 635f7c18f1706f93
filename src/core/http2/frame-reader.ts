// Resumable frame splitter: feed it chunks as they arrive, pull frames out.
//
// It keeps the current chunk and an offset into it. A frame that lies wholly inside the
// chunk is handed out as a view (no copy), and so is a payload whose 9 header octets came
// in the previous chunk. An unpadded DATA frame that spans chunks is not copied either: it
// is handed out in pieces, each a view of the bytes that arrived (`next()` returns
// `DATA_PIECE`; `pieceStart`/`pieceEnd` mark the frame's first and last piece, and
// `frameLength` is known from the first). Any other frame that spans chunks is copied into
// one buffer sized from its header, filled as the next chunks arrive; nothing is ever
// concatenated in a loop. The length check against our SETTINGS_MAX_FRAME_SIZE happens as
// soon as the 9 header octets are known, before any buffer is sized from it.

import { connectionError, ErrorCode } from "./errors.js";
import { Flag, FRAME_HEADER_SIZE, FrameType } from "./frame-header.js";

const EMPTY = new Uint8Array(0);

/** `next()`: more bytes are needed. */
export const NEED_MORE = 0;
/** `next()`: a whole frame is in `type`, `flags`, `streamId` and `payload`. */
export const WHOLE_FRAME = 1;
/** `next()`: `payload` is a piece of an unpadded DATA frame on `streamId` (see `pieceStart`, `pieceEnd`). */
export const DATA_PIECE = 2;

export class FrameReader {
  /** Fields of the frame returned by the last successful `next()`. */
  type = 0;
  flags = 0;
  streamId = 0;
  payload: Uint8Array = EMPTY;
  /** For a DATA piece: the frame's whole payload length, and whether this is its first / last piece. */
  frameLength = 0;
  pieceStart = false;
  pieceEnd = false;

  private chunk: Uint8Array = EMPTY;
  private off = 0;
  /** Frame being assembled across chunks (header first, then header + payload). */
  private partial: Uint8Array | null = null;
  private partialLen = 0;
  private header = new Uint8Array(FRAME_HEADER_SIZE);
  /** Octets of the DATA frame being handed out in pieces that have not arrived yet. */
  private dataLeft = 0;
  /** The next piece handed out is the frame's first. */
  private firstPiece = false;

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
   * Advance to the next frame or DATA piece: returns NEED_MORE, WHOLE_FRAME or DATA_PIECE.
   * Throws `frame_size_error` when a frame is longer than `maxFrameSize` (RFC 9113 §4.2).
   */
  next(maxFrameSize: number): number {
    if (this.dataLeft > 0) return this.nextPiece();
    if (this.partial !== null || (this.partialLen > 0)) return this.continuePartial(maxFrameSize);
    const chunk = this.chunk;
    const off = this.off;
    const avail = chunk.length - off;
    if (avail === 0) return NEED_MORE;
    if (avail < FRAME_HEADER_SIZE) {
      this.header.set(chunk.subarray(off), 0);
      this.partialLen = avail;
      this.off = chunk.length;
      return NEED_MORE;
    }
    const length = (chunk[off]! << 16) | (chunk[off + 1]! << 8) | chunk[off + 2]!;
    this.checkLength(length, maxFrameSize);
    if (avail < FRAME_HEADER_SIZE + length) {
      this.setHeader(chunk, off);
      if (this.streamable()) return this.startPieces(length, off + FRAME_HEADER_SIZE);
      const buf = new Uint8Array(FRAME_HEADER_SIZE + length);
      buf.set(chunk.subarray(off), 0);
      this.partial = buf;
      this.partialLen = avail;
      this.off = chunk.length;
      return NEED_MORE;
    }
    this.setHeader(chunk, off);
    this.payload = chunk.subarray(off + FRAME_HEADER_SIZE, off + FRAME_HEADER_SIZE + length);
    this.off = off + FRAME_HEADER_SIZE + length;
    return WHOLE_FRAME;
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

  /**
   * DATA without padding on a stream is handed out in pieces. Padded DATA (its padding
   * length must be checked against the whole frame, RFC 9113 §6.1) and DATA on stream 0
   * (a connection error once whole) are assembled like other frames.
   */
  private streamable(): boolean {
    return this.type === FrameType.DATA && (this.flags & Flag.PADDED) === 0 && this.streamId !== 0;
  }

  /** Enter piece mode for a DATA frame of `length` octets whose payload starts at `off`. */
  private startPieces(length: number, off: number): number {
    this.frameLength = length;
    this.dataLeft = length;
    this.off = off;
    this.firstPiece = true;
    return this.nextPiece();
  }

  /** The next piece of the current DATA frame: all of it that is in the chunk (the first may be empty). */
  private nextPiece(): number {
    const avail = this.chunk.length - this.off;
    if (avail === 0 && !this.firstPiece) return NEED_MORE;
    this.pieceStart = this.firstPiece;
    this.firstPiece = false;
    const take = avail < this.dataLeft ? avail : this.dataLeft;
    this.payload = this.chunk.subarray(this.off, this.off + take);
    this.off += take;
    this.dataLeft -= take;
    this.pieceEnd = this.dataLeft === 0;
    return DATA_PIECE;
  }

  private continuePartial(maxFrameSize: number): number {
    const chunk = this.chunk;
    if (this.partial === null) {
      // Still collecting the 9 header octets.
      const take = Math.min(FRAME_HEADER_SIZE - this.partialLen, chunk.length - this.off);
      this.header.set(chunk.subarray(this.off, this.off + take), this.partialLen);
      this.partialLen += take;
      this.off += take;
      if (this.partialLen < FRAME_HEADER_SIZE) return NEED_MORE;
      const h = this.header;
      const length = (h[0]! << 16) | (h[1]! << 8) | h[2]!;
      this.checkLength(length, maxFrameSize);
      this.setHeader(h, 0);
      this.partialLen = 0;
      if (chunk.length - this.off >= length) {
        // The whole payload is in this chunk: a view, as for a frame inside one chunk.
        this.payload = chunk.subarray(this.off, this.off + length);
        this.off += length;
        return WHOLE_FRAME;
      }
      if (this.streamable()) return this.startPieces(length, this.off);
      const buf = new Uint8Array(FRAME_HEADER_SIZE + length);
      buf.set(h, 0);
      this.partial = buf;
      this.partialLen = FRAME_HEADER_SIZE;
    }
    const buf = this.partial;
    const take = Math.min(buf.length - this.partialLen, chunk.length - this.off);
    if (take > 0) {
      buf.set(chunk.subarray(this.off, this.off + take), this.partialLen);
      this.partialLen += take;
      this.off += take;
    }
    if (this.partialLen < buf.length) return NEED_MORE;
    this.setHeader(buf, 0);
    this.payload = buf.subarray(FRAME_HEADER_SIZE);
    this.partial = null;
    this.partialLen = 0;
    return WHOLE_FRAME;
  }
}
