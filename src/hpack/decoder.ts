// HPACK header block decoder (RFC 7541 §3, §6).
//
// decode() walks the block once. The first byte of each representation selects it
// (§6): 1xxxxxxx indexed, 01xxxxxx literal with incremental indexing, 001xxxxx
// dynamic table size update, 0001xxxx literal never indexed, 0000xxxx literal
// without indexing. Integers (§5.1) and strings (§5.2) are read in place with bounds
// checks against the end of the block, so a short block can never make us allocate
// more than it could carry. Any malformation throws HTTPError("http2",
// "compression_error"); after that the decoder refuses further blocks, because its
// dynamic table may be half-updated and no longer matches the peer's.
//
// Table size: `maxAllowed` is the SETTINGS_HEADER_TABLE_SIZE we announced; a size
// update above it is an error (§6.3). When the announced size drops below the
// table's current maximum, the peer must open its next block with a size update
// at most that low (§4.2); a block that does not is an error.

import type { Headers } from "../types.js";
import { HTTPError } from "../errors.js";
import { compressionError } from "./compression-error.js";
import { DynamicTable, ENTRY_OVERHEAD } from "./dynamic-table.js";
import { huffmanDecode } from "./huffman.js";
import { latin1 } from "./latin1.js";
import { STATIC_COUNT, STATIC_NAMES, STATIC_VALUES } from "./static-table.js";

/** Optional limits for {@link Decoder}. */
export interface DecoderOptions {
  /** Longest decoded name or value, in octets; longer is a `compression_error`. Default: no limit beyond the block's size. */
  maxStringLength?: number;
  /**
   * Largest header list (sum of name + value + 32 per field, RFC 9113 §6.5.2).
   * A larger list makes `decode` throw `max_header_list_size_exceeded` after the
   * whole block has been processed, so the decoder stays usable. Default: no limit.
   */
  maxHeaderListSize?: number;
}

/** Largest Huffman scratch buffer kept between strings. */
const SCRATCH_KEPT = 65536;

/** Largest integer the decoder accepts (RFC 7541 §5.1 lets us set a limit). */
const MAX_INTEGER = 0xffffffff;

// Position after the last integer or string read (avoids allocating a result pair).
let nextPos = 0;

function truncated(pos: number): HTTPError {
  return compressionError("header block is truncated", { offset: pos });
}

/** RFC 7541 §5.1: reads an integer whose prefix is the low bits of `buf[pos]` selected by `mask`. */
function readInteger(buf: Uint8Array, pos: number, end: number, mask: number): number {
  let value = buf[pos]! & mask;
  pos++;
  if (value < mask) {
    nextPos = pos;
    return value;
  }
  let multiplier = 1;
  for (let octets = 1; ; octets++) {
    if (pos >= end) throw truncated(pos);
    const b = buf[pos++]!;
    value += (b & 0x7f) * multiplier;
    if ((b & 0x80) === 0) break;
    // RFC 7541 §5.1: encodings that exceed implementation limits, in value or octet length, are errors.
    if (octets >= 5) throw compressionError("integer encoding is too long", { offset: pos });
    multiplier *= 128;
  }
  if (value > MAX_INTEGER) throw compressionError("integer overflow", { offset: pos, value });
  nextPos = pos;
  return value;
}

/**
 * Decodes HPACK header blocks received from one peer (one instance per connection).
 */
export class Decoder {
  private readonly table: DynamicTable;
  private maxAllowed: number;
  /** When >= 0, the next block must start with a size update at most this large (RFC 7541 §4.2). */
  private requiredUpdate = -1;
  private scratch = new Uint8Array(512);
  private failed = false;
  private readonly maxStringLength: number;
  private maxHeaderListSize: number;

  /**
   * @param maxTableSize the dynamic table's initial and maximum size in octets (default 4096,
   *   the HTTP/2 initial SETTINGS_HEADER_TABLE_SIZE).
   * @param options optional limits on decoded strings and header lists.
   * @throws TypeError when an argument is not a non-negative integer.
   */
  constructor(maxTableSize = 4096, options: DecoderOptions = {}) {
    checkSize("maxTableSize", maxTableSize);
    this.table = new DynamicTable(maxTableSize);
    this.maxAllowed = maxTableSize;
    this.maxStringLength = options.maxStringLength ?? Infinity;
    this.maxHeaderListSize = options.maxHeaderListSize ?? Infinity;
    if (options.maxStringLength !== undefined) checkSize("maxStringLength", options.maxStringLength);
    if (options.maxHeaderListSize !== undefined) checkSize("maxHeaderListSize", options.maxHeaderListSize);
  }

  /**
   * Change the header-list cap (e.g. once a new SETTINGS_MAX_HEADER_LIST_SIZE is acknowledged).
   * Past it, entries are still decoded to keep the table in step but no longer collected.
   * @throws TypeError when `n` is not a non-negative integer (Infinity allowed).
   */
  setMaxHeaderListSize(n: number): void {
    if (n !== Infinity) checkSize("maxHeaderListSize", n);
    this.maxHeaderListSize = n;
  }

  /**
   * Sets the largest dynamic table size the peer may select: the SETTINGS_HEADER_TABLE_SIZE
   * we sent, once the peer has acknowledged it. If it is below the table's current size,
   * the peer's next block must start with a size update that low (RFC 7541 §4.2).
   * @throws TypeError when `n` is not a non-negative integer.
   */
  setMaxTableSize(n: number): void {
    checkSize("maxTableSize", n);
    this.maxAllowed = n;
    if (n < this.table.maxSize) {
      this.requiredUpdate = this.requiredUpdate < 0 ? n : Math.min(this.requiredUpdate, n);
    } else if (this.requiredUpdate >= 0 && n >= this.table.maxSize) {
      // Grown back before any block arrived: no eviction is owed any more.
      this.requiredUpdate = -1;
    }
  }

  /** Current dynamic table size in octets (RFC 7541 §4.1). */
  get tableSize(): number {
    return this.table.size;
  }

  /** Maximum dynamic table size last selected by the peer. */
  get tableMaxSize(): number {
    return this.table.maxSize;
  }

  /**
   * Decodes one complete header block (the concatenated HEADERS/PUSH_PROMISE and
   * CONTINUATION fragments). Names are returned as sent, strings as latin1.
   * @throws HTTPError `compression_error` (protocol "http2") on any malformed block: an index
   *   of 0 or past the tables, bad Huffman data, an integer or string that overflows or runs
   *   past the block, a size update above the allowed maximum or not at the start of the
   *   block, a missing required size update, a string over `maxStringLength`; also for every
   *   block after such an error.
   * @throws HTTPError `max_header_list_size_exceeded` when the list exceeds `maxHeaderListSize`
   *   (the block was fully processed; the decoder stays in sync).
   * @throws TypeError when `block` is not a Uint8Array.
   */
  decode(block: Uint8Array): Headers {
    if (!(block instanceof Uint8Array)) throw new TypeError("HPACK: decode expects a Uint8Array header block");
    if (this.failed) throw compressionError("decoder is unusable after an earlier compression error");
    try {
      return this.decodeBlock(block);
    } catch (err) {
      if (err instanceof HTTPError && err.reason === "max_header_list_size_exceeded") throw err;
      this.failed = true;
      if (err instanceof HTTPError) throw err;
      throw compressionError(`header block could not be decoded (${String(err)})`);
    }
  }

  private decodeBlock(buf: Uint8Array): Headers {
    const end = buf.length;
    const table = this.table;
    const headers: Headers = [];
    let listSize = 0;
    let pos = 0;
    let atStart = true;

    while (pos < end) {
      const b = buf[pos]!;
      let name: string;
      let value: string;

      if ((b & 0xe0) === 0x20) {
        // RFC 7541 §4.2: a dynamic table size update must occur at the start of a block.
        if (!atStart) throw compressionError("dynamic table size update after the start of the header block", { offset: pos });
        const size = readInteger(buf, pos, end, 0x1f);
        // RFC 7541 §6.3: the new maximum must not exceed the limit set by the protocol.
        if (size > this.maxAllowed) {
          throw compressionError(`dynamic table size update to ${size} exceeds the allowed maximum ${this.maxAllowed}`, { offset: pos, size, max: this.maxAllowed });
        }
        pos = nextPos;
        table.setMaxSize(size);
        if (this.requiredUpdate >= 0 && size <= this.requiredUpdate) this.requiredUpdate = -1;
        continue;
      }
      if (atStart) {
        // RFC 7541 §4.2: a reduced maximum must be signalled at the start of the next block.
        if (this.requiredUpdate >= 0) {
          throw compressionError(`expected a dynamic table size update to at most ${this.requiredUpdate} at the start of the header block`, { offset: pos });
        }
        atStart = false;
      }

      if (b & 0x80) {
        // RFC 7541 §6.1: indexed header field.
        const index = readInteger(buf, pos, end, 0x7f);
        if (index === 0) throw compressionError("index 0 in an indexed header field", { offset: pos });
        if (index <= STATIC_COUNT) {
          name = STATIC_NAMES[index]!;
          value = STATIC_VALUES[index]!;
        } else {
          const d = index - STATIC_COUNT - 1;
          if (d >= table.count) throw this.badIndex(index, pos);
          name = table.name(d);
          value = table.value(d);
        }
        pos = nextPos;
      } else {
        // RFC 7541 §6.2: literal header field; 6-bit name index with incremental
        // indexing (01), 4-bit without indexing (0000) or never indexed (0001).
        const indexing = (b & 0x40) !== 0;
        const index = readInteger(buf, pos, end, indexing ? 0x3f : 0x0f);
        if (index === 0) {
          name = this.readString(buf, nextPos, end);
        } else if (index <= STATIC_COUNT) {
          name = STATIC_NAMES[index]!;
        } else {
          const d = index - STATIC_COUNT - 1;
          if (d >= table.count) throw this.badIndex(index, pos);
          name = table.name(d);
        }
        value = this.readString(buf, nextPos, end);
        pos = nextPos;
        // RFC 7541 §6.2.1: insert into the dynamic table.
        if (indexing) table.add(name, value);
      }

      listSize += name.length + value.length + ENTRY_OVERHEAD;
      if (listSize <= this.maxHeaderListSize) headers.push([name, value]);
    }

    if (listSize > this.maxHeaderListSize) {
      throw new HTTPError("http2", "max_header_list_size_exceeded",
        `HPACK: decoded header list is ${listSize} octets, over the limit of ${this.maxHeaderListSize}`,
        { size: listSize, max: this.maxHeaderListSize });
    }
    return headers;
  }

  /** RFC 7541 §5.2: reads a string literal starting at `pos`; sets nextPos past it. */
  private readString(buf: Uint8Array, pos: number, end: number): string {
    if (pos >= end) throw truncated(pos);
    const huffman = (buf[pos]! & 0x80) !== 0;
    const length = readInteger(buf, pos, end, 0x7f);
    const start = nextPos;
    // A string cannot be longer than what is left of the block: this bounds every allocation.
    if (length > end - start) {
      throw compressionError(`string length ${length} runs past the end of the header block`, { offset: pos, length });
    }
    const stop = start + length;
    let s: string;
    if (huffman) {
      // At most one symbol per 5 bits. Scratch space is kept for reuse up to 64 KiB only.
      const max = ((length * 8) / 5) | 0;
      let dst = this.scratch;
      if (dst.length < max) {
        dst = new Uint8Array(Math.max(max, dst.length * 2));
        if (dst.length <= SCRATCH_KEPT) this.scratch = dst;
      }
      const n = huffmanDecode(buf, start, stop, dst);
      if (n > this.maxStringLength) throw this.tooLong(n, pos);
      s = latin1(dst, 0, n);
    } else {
      if (length > this.maxStringLength) throw this.tooLong(length, pos);
      s = latin1(buf, start, stop);
    }
    nextPos = stop;
    return s;
  }

  private badIndex(index: number, pos: number): HTTPError {
    return compressionError(`index ${index} is past the end of the tables (61 static + ${this.table.count} dynamic entries)`, { offset: pos, index });
  }

  private tooLong(length: number, pos: number): HTTPError {
    return compressionError(`decoded string of ${length} octets exceeds the limit of ${this.maxStringLength}`, { offset: pos, length });
  }
}

function checkSize(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > MAX_INTEGER) {
    throw new TypeError(`HPACK: ${what} must be an integer from 0 to 2^32-1, got ${String(n)}`);
  }
}
