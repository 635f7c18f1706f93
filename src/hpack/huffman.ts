// HPACK Huffman coding (RFC 7541 §5.2, Appendix B).
//
// Everything here is derived from HUFFMAN_CODE when the module loads:
// - CODES/LENGTHS: per-symbol code and bit length, for the encoder.
// - A 4-bit state machine for the decoder. A state is an internal node of the code
//   tree (256 of them, root = 0). TRANSITIONS[state * 16 + nibble] packs the state
//   reached after reading those four bits, the symbol completed on the way (at most
//   one: the shortest code is 5 bits) and a failure flag for a path through EOS.
//   Decoding a byte is two table lookups; no per-bit branching, no tree objects.
// - ACCEPTS[state]: whether the input may end in that state, i.e. the bits read
//   since the last symbol are all ones and at most 7 of them (RFC 7541 §5.2).

import { HUFFMAN_CODE } from "./huffman-code.js";
import { compressionError } from "./compression-error.js";

const SYMBOLS = 257;
const EOS = 256;

/** Per-symbol code (LSB-aligned) and length in bits. */
export const CODES = new Uint32Array(SYMBOLS);
export const LENGTHS = new Uint8Array(SYMBOLS);

const EMIT = 1 << 16;
const FAIL = 1 << 17;
const TRANSITIONS = new Uint32Array(256 * 16);
const ACCEPTS = new Uint8Array(256);

function build(): void {
  if (HUFFMAN_CODE.length !== SYMBOLS) throw new Error("HPACK Huffman code list must have 257 entries");
  for (let s = 0; s < SYMBOLS; s++) {
    const [code, bits] = HUFFMAN_CODE[s]!;
    if (bits < 5 || bits > 30 || code >= 2 ** bits) throw new Error(`HPACK Huffman code for symbol ${s} is malformed`);
    CODES[s] = code;
    LENGTHS[s] = bits;
  }
  // The RFC's code is canonical: walking symbols by (length, symbol) and counting up
  // must reproduce every listed code and end exactly at 2^30 (a complete code).
  const order = Array.from({ length: SYMBOLS }, (_, s) => s).sort((a, b) => LENGTHS[a]! - LENGTHS[b]! || a - b);
  let next = 0;
  let prevLen = LENGTHS[order[0]!]!;
  for (const s of order) {
    next *= 2 ** (LENGTHS[s]! - prevLen);
    prevLen = LENGTHS[s]!;
    if (CODES[s] !== next) throw new Error(`HPACK Huffman code for symbol ${s} is not the canonical one`);
    next++;
  }
  if (next !== 2 ** prevLen) throw new Error("HPACK Huffman code is not complete");

  // Code tree: child[node * 2 + bit] is an internal node id, or LEAF | symbol.
  const LEAF = 0x10000;
  const NONE = -1;
  const child = new Int32Array(256 * 2).fill(NONE);
  let nodes = 1;
  for (let s = 0; s < SYMBOLS; s++) {
    const code = CODES[s]!;
    let node = 0;
    let allOnes = true;
    for (let i = LENGTHS[s]! - 1; i >= 1; i--) {
      const bit = (code >>> i) & 1;
      allOnes &&= bit === 1;
      let c = child[node * 2 + bit]!;
      if (c === NONE) {
        c = nodes++;
        child[node * 2 + bit] = c;
        // RFC 7541 §5.2: padding is a prefix of EOS (all ones) of at most 7 bits.
        if (allOnes && LENGTHS[s]! - i <= 7) ACCEPTS[c] = 1;
      }
      node = c;
    }
    child[node * 2 + (code & 1)] = LEAF | s;
  }
  ACCEPTS[0] = 1;
  if (nodes !== 256) throw new Error("HPACK Huffman tree has an unexpected shape");

  for (let state = 0; state < 256; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let i = 3; i >= 0; i--) {
        const c = child[node * 2 + ((nibble >>> i) & 1)]!;
        if (c & LEAF) {
          const sym = c & 0x1ff;
          // RFC 7541 §5.2: an EOS symbol in the string is a decoding error.
          if (sym === EOS) { entry = FAIL; break; }
          entry = EMIT | (sym << 8);
          node = 0;
        } else {
          node = c;
        }
      }
      TRANSITIONS[state * 16 + nibble] = entry & FAIL ? FAIL : entry | node;
    }
  }
}
build();

/**
 * Decodes the Huffman string `src[start..end)` into `dst` from index 0 and returns the
 * number of bytes written. `dst` must hold at least `((end - start) * 8 / 5) | 0` bytes.
 * @throws HTTPError `compression_error` on an EOS symbol or invalid padding.
 */
export function huffmanDecode(src: Uint8Array, start: number, end: number, dst: Uint8Array): number {
  let state = 0;
  let out = 0;
  for (let i = start; i < end; i++) {
    const b = src[i]!;
    let e = TRANSITIONS[(state << 4) | (b >>> 4)]!;
    if (e > 0xffff) {
      if (e & FAIL) throw compressionError("Huffman string contains the EOS symbol", { offset: i });
      dst[out++] = e >>> 8;
    }
    state = e & 0xff;
    e = TRANSITIONS[(state << 4) | (b & 15)]!;
    if (e > 0xffff) {
      if (e & FAIL) throw compressionError("Huffman string contains the EOS symbol", { offset: i });
      dst[out++] = e >>> 8;
    }
    state = e & 0xff;
  }
  // RFC 7541 §5.2: padding longer than 7 bits, or not a prefix of EOS, is an error.
  if (ACCEPTS[state] === 0) throw compressionError("Huffman string has invalid padding (more than 7 bits, or not all ones)", { offset: end });
  return out;
}

/** Length in octets of the Huffman encoding of `s`, a latin1 string (checked by the caller). */
export function huffmanLength(s: string): number {
  let bits = 0;
  for (let i = 0; i < s.length; i++) bits += LENGTHS[s.charCodeAt(i)]!;
  return (bits + 7) >>> 3;
}

/** Writes the Huffman encoding of the latin1 string `s` at `dst[pos]`; returns the new position. */
export function huffmanEncode(s: string, dst: Uint8Array, pos: number): number {
  let acc = 0; // pending bits in the low `n` bits (higher bits are garbage, shifted out)
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let code = CODES[c]!;
    let len = LENGTHS[c]!;
    if (len > 24) {
      // Keep acc within 32 bits: push the high part first.
      acc = (acc << (len - 16)) | (code >>> 16);
      n += len - 16;
      while (n >= 8) { n -= 8; dst[pos++] = acc >>> n; }
      code &= 0xffff;
      len = 16;
    }
    acc = (acc << len) | code;
    n += len;
    while (n >= 8) { n -= 8; dst[pos++] = acc >>> n; }
  }
  // RFC 7541 §5.2: pad with the most significant bits of EOS (ones).
  if (n > 0) dst[pos++] = (acc << (8 - n)) | (0xff >>> n);
  return pos;
}

