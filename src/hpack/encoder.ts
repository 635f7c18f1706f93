// HPACK header block encoder (RFC 7541 §6), used for request headers.
//
// For each field, in order of preference:
// 1. sensitive fields (authorization, proxy-authorization, set-cookie, cookie shorter
//    than 20 octets) → literal never indexed (§6.2.3, §7.1.3), name from the static
//    table when it is there;
// 2. a full (name, value) match in the static table, then in the dynamic table →
//    indexed field (§6.1), found with Map lookups;
// 3. otherwise a literal, with the name by index when known; with incremental
//    indexing (§6.2.1) unless the field is too big for the table (over 3/4 of it) or
//    its value rarely repeats (content-length, conditional request fields), in which case
//    without indexing (§6.2.2).
// Every string is Huffman-coded when that is shorter (§5.2).
//
// resize(n) records the peer's SETTINGS_HEADER_TABLE_SIZE; the next block starts with
// the dynamic table size update(s) (§4.2, §6.3): the smallest size seen since the last
// block, then the final one if it is larger.
//
// Output is written into a reused growable buffer; encode() returns a copy, encodeShared() a
// view that stays valid until the next call (for a caller that copies it at once).
//
// A block made only of indexed fields (§6.1) leaves the table as it was, so the same list
// encodes to the same bytes again: the last such list and its block are kept, and a call
// with an equal list (compared field by field) returns a copy of that block at once.

import type { Headers } from "../types.js";
import { EncoderTable } from "./encoder-table.js";
import { ENTRY_OVERHEAD } from "./dynamic-table.js";
import { huffmanEncode, huffmanLength } from "./huffman.js";
import { STATIC_LOOKUP } from "./static-table.js";

/** Optional settings for {@link Encoder}. */
export interface EncoderOptions {
  /**
   * Upper bound on the table size the encoder uses, whatever the peer allows
   * (the encoder may always use less, RFC 7541 §4.2). Default 65536.
   */
  maxTableSizeLimit?: number;
  /** "auto" (default): Huffman when shorter; "never": always raw octets; "always": always Huffman. */
  huffman?: "auto" | "never" | "always";
}

/** Largest output buffer kept between blocks. */
const BUFFER_KEPT = 65536;

/** Request fields whose values rarely repeat: not worth a dynamic table slot. */
const NOT_INDEXED: ReadonlySet<string> = new Set([
  "content-length", "if-modified-since", "if-unmodified-since", "if-none-match", "if-match", "if-range",
]);

/** Encodes HPACK header blocks sent to one peer (one instance per connection). */
export class Encoder {
  private readonly table: EncoderTable;
  private readonly limit: number;
  private readonly huffman: "auto" | "never" | "always";
  /** Smallest and last sizes passed to resize() since the last block; -1 when none. */
  private pendingMin = -1;
  private pendingFinal = -1;
  private buf = new Uint8Array(1024);
  private pos = 0;
  /** The last list that encoded to indexed fields only, and its block (see the module comment). */
  private lastList: Array<[string, string]> | undefined;
  private lastBlock: Uint8Array | undefined;

  /**
   * @param maxTableSize dynamic table size in octets to start with (default 4096, the
   *   HTTP/2 initial SETTINGS_HEADER_TABLE_SIZE).
   * @throws TypeError when an argument is not a non-negative integer.
   */
  constructor(maxTableSize = 4096, options: EncoderOptions = {}) {
    checkSize("maxTableSize", maxTableSize);
    this.limit = options.maxTableSizeLimit ?? 65536;
    checkSize("maxTableSizeLimit", this.limit);
    this.huffman = options.huffman ?? "auto";
    this.table = new EncoderTable(Math.min(maxTableSize, this.limit));
  }

  /**
   * Applies the peer's SETTINGS_HEADER_TABLE_SIZE (capped at `maxTableSizeLimit`). The next
   * block starts with a dynamic table size update; if the size went down and back up since
   * the last block, with the smallest size first, then the final one (RFC 7541 §4.2).
   * @throws TypeError when `maxTableSize` is not a non-negative integer.
   */
  resize(maxTableSize: number): void {
    checkSize("maxTableSize", maxTableSize);
    const size = Math.min(maxTableSize, this.limit);
    this.pendingMin = this.pendingMin < 0 ? size : Math.min(this.pendingMin, size);
    this.pendingFinal = size;
  }

  /** Current dynamic table size in octets (RFC 7541 §4.1). */
  get tableSize(): number {
    return this.table.size;
  }

  /** Current maximum dynamic table size in octets. */
  get tableMaxSize(): number {
    return this.table.maxSize;
  }

  /**
   * Encodes one header list into a header block. Names are sent as given (HTTP/2 wants
   * them lowercase; that is the caller's job).
   * @throws TypeError when a field is not a pair of strings, or a string has a character
   *   above U+00FF (header fields are octets).
   */
  encode(headers: Headers): Uint8Array {
    return this.encodeShared(headers).slice();
  }

  /**
   * As {@link encode}, but the block returned is the encoder's own: it stays valid only until
   * the next call, and must not be modified. For a caller that copies it at once (no
   * allocation when the list repeats).
   * @throws TypeError as {@link encode}.
   */
  encodeShared(headers: Headers): Uint8Array {
    if (!Array.isArray(headers)) throw new TypeError("HPACK: encode expects an array of [name, value] pairs");
    if (this.lastBlock !== undefined && this.pendingFinal < 0 && sameList(this.lastList!, headers)) return this.lastBlock;
    // Validate everything before touching the table, so a rejected call leaves the
    // encoder in step with the peer's decoder.
    let total = 0;
    for (let i = 0; i < headers.length; i++) {
      const field = headers[i];
      if (!Array.isArray(field) || typeof field[0] !== "string" || typeof field[1] !== "string") {
        throw new TypeError(`HPACK: header ${i} must be a [name, value] pair of strings`);
      }
      checkLatin1(field[0]);
      checkLatin1(field[1]);
      total += field[0].length + field[1].length;
    }
    this.pos = 0;
    // Worst case: Huffman "always" expands a string up to 30/8 times; each field has at
    // most three integers of up to 6 octets; two size updates.
    this.ensure((this.huffman === "always" ? 4 * total : total) + 20 * headers.length + 12);
    if (this.pendingFinal >= 0) {
      // RFC 7541 §4.2: signal the smallest size reached, then the final one.
      if (this.pendingMin < this.pendingFinal) {
        this.writeInteger(0x20, 0x1f, this.pendingMin);
        this.table.setMaxSize(this.pendingMin);
      }
      this.writeInteger(0x20, 0x1f, this.pendingFinal);
      this.table.setMaxSize(this.pendingFinal);
      this.pendingMin = this.pendingFinal = -1;
    }
    const table = this.table;
    let indexedOnly = this.pos === 0;
    for (let i = 0; i < headers.length; i++) {
      const field = headers[i]!;
      const name = field[0];
      const value = field[1];
      const known = STATIC_LOOKUP.get(name);

      // RFC 7541 §7.1.3: never index sensitive fields (short cookies are guessable).
      if (name === "authorization" || name === "proxy-authorization" || name === "set-cookie" ||
          (name === "cookie" && value.length < 20)) {
        this.writeInteger(0x10, 0x0f, known !== undefined ? known.index : 0);
        if (known === undefined) this.writeString(name);
        this.writeString(value);
        indexedOnly = false;
        continue;
      }

      let index = known !== undefined ? (known.values.get(value) ?? 0) : 0;
      if (index === 0) index = table.findExact(name, value);
      if (index !== 0) {
        this.writeInteger(0x80, 0x7f, index); // RFC 7541 §6.1
        continue;
      }

      indexedOnly = false;
      const nameIndex = known !== undefined ? known.index : table.findName(name);
      const size = name.length + value.length + ENTRY_OVERHEAD;
      if (size * 4 <= table.maxSize * 3 && !NOT_INDEXED.has(name)) {
        this.writeInteger(0x40, 0x3f, nameIndex); // RFC 7541 §6.2.1
        if (nameIndex === 0) this.writeString(name);
        this.writeString(value);
        table.add(name, value);
      } else {
        this.writeInteger(0x00, 0x0f, nameIndex); // RFC 7541 §6.2.2
        if (nameIndex === 0) this.writeString(name);
        this.writeString(value);
      }
    }
    let block = this.buf.subarray(0, this.pos);
    if (indexedOnly) {
      this.lastList = headers.map((f) => [f[0], f[1]]);
      this.lastBlock = block = block.slice();
    } else this.lastList = this.lastBlock = undefined;
    // do not hold on to one huge block's buffer (the view returned keeps the old one alive)
    if (this.buf.length > BUFFER_KEPT) this.buf = new Uint8Array(1024);
    return block;
  }

  private ensure(size: number): void {
    if (size > this.buf.length) this.buf = new Uint8Array(Math.max(size, this.buf.length * 2));
  }

  /** RFC 7541 §5.1: `first` holds the representation's flag bits, `mask` the prefix. */
  private writeInteger(first: number, mask: number, value: number): void {
    const buf = this.buf;
    let pos = this.pos;
    if (value < mask) {
      buf[pos++] = first | value;
    } else {
      buf[pos++] = first | mask;
      value -= mask;
      while (value >= 128) {
        buf[pos++] = (value % 128) | 0x80;
        value = Math.floor(value / 128);
      }
      buf[pos++] = value;
    }
    this.pos = pos;
  }

  /** RFC 7541 §5.2: Huffman-coded when shorter (or as configured), raw octets otherwise. */
  private writeString(s: string): void {
    const length = s.length;
    const mode = this.huffman;
    const coded = mode === "never" ? length + 1 : huffmanLength(s);
    if (mode === "always" || coded < length) {
      this.writeInteger(0x80, 0x7f, coded);
      this.pos = huffmanEncode(s, this.buf, this.pos);
      return;
    }
    this.writeInteger(0x00, 0x7f, length);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < length; i++) buf[pos++] = s.charCodeAt(i);
    this.pos = pos;
  }
}

/** Whether `b` holds the same [name, value] strings as `a`, in the same order. */
function sameList(a: ReadonlyArray<readonly [string, string]>, b: Headers): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const f = b[i];
    if (!Array.isArray(f) || f[0] !== a[i]![0] || f[1] !== a[i]![1]) return false;
  }
  return true;
}

function checkLatin1(s: string): void {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) throw nonLatin1(s);
}

function checkSize(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new TypeError(`HPACK: ${what} must be an integer from 0 to 2^32-1, got ${String(n)}`);
  }
}

function nonLatin1(s: string): TypeError {
  return new TypeError(`HPACK: header strings must be latin1 (characters up to U+00FF); got ${JSON.stringify(s.slice(0, 40))}. Encode other text (e.g. as UTF-8 or percent-encoding) first.`);
}
