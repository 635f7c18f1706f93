// Frame headers (RFC 6455 §5.2): encoding and the checks on a received header.
//
// How this works: `parseHeader` reads one header at `pos` (2 to 14 bytes) or returns null
// when the bytes end inside it; `checkHeader` applies the rules that depend only on the
// header and the codec's state (opcode, RSV bits, control frame limits, masking direction).
// `encodeHeader` writes the header of a frame we send.

import { protocolError } from "./errors.js";

export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

export interface FrameHeader {
  fin: boolean;
  /** The RSV1-3 bits as they sit in the first byte (0x40, 0x20, 0x10). */
  rsv: number;
  opcode: number;
  /** The masking key, or null for an unmasked frame. */
  mask: Uint8Array | null;
  length: number;
}

/** Control frames have the high bit of the opcode set (RFC 6455 §5.5). */
export const isControl = (opcode: number): boolean => (opcode & 0x8) !== 0;

/** Reads a header at `pos`; null when `end` comes first. Returns the header and its size. */
export function parseHeader(buf: Uint8Array, pos: number, end: number): { header: FrameHeader; size: number } | null {
  if (end - pos < 2) return null;
  const b0 = buf[pos]!;
  const b1 = buf[pos + 1]!;
  const masked = (b1 & 0x80) !== 0;
  let length = b1 & 0x7f;
  let size = 2;
  if (length === 126) {
    if (end - pos < 4) return null;
    length = (buf[pos + 2]! << 8) | buf[pos + 3]!;
    size = 4;
  } else if (length === 127) {
    if (end - pos < 10) return null;
    const high = ((buf[pos + 2]! << 24) >>> 0) + (buf[pos + 3]! << 16) + (buf[pos + 4]! << 8) + buf[pos + 5]!;
    const low = ((buf[pos + 6]! << 24) >>> 0) + (buf[pos + 7]! << 16) + (buf[pos + 8]! << 8) + buf[pos + 9]!;
    // RFC 6455 §5.2: the most significant bit of a 64-bit length MUST be 0
    if (high >= 0x80000000) throw protocolError("invalid_frame_length", "a frame length has its most significant bit set");
    // Lengths past 2^53 cannot be represented; they exceed any message size limit anyway.
    length = high >= 0x200000 ? Number.MAX_SAFE_INTEGER : high * 0x100000000 + low;
    size = 10;
  }
  let mask: Uint8Array | null = null;
  if (masked) {
    if (end - pos < size + 4) return null;
    mask = buf.slice(pos + size, pos + size + 4);
    size += 4;
  }
  return { header: { fin: (b0 & 0x80) !== 0, rsv: b0 & 0x70, opcode: b0 & 0x0f, mask, length }, size };
}

/**
 * Checks a received header. `allowedRsv`: the RSV bits negotiated extensions may set on
 * the first frame of a data message; `inMessage`: a fragmented message is in progress.
 */
export function checkHeader(h: FrameHeader, role: "client" | "server", allowedRsv: number, inMessage: boolean): void {
  const op = h.opcode;
  // RFC 6455 §5.2: opcodes 0x3-0x7 and 0xB-0xF are reserved; §5.5: unknown -> fail
  if (op !== Opcode.CONTINUATION && op !== Opcode.TEXT && op !== Opcode.BINARY && op !== Opcode.CLOSE && op !== Opcode.PING && op !== Opcode.PONG) {
    throw protocolError("unknown_opcode", `the peer sent a frame with reserved opcode 0x${op.toString(16)}`);
  }
  // RFC 6455 §5.1: a server MUST NOT mask its frames; a client MUST mask all of them
  if (role === "client" && h.mask !== null) throw protocolError("masked_frame", "the server sent a masked frame");
  if (role === "server" && h.mask === null) throw protocolError("unmasked_frame", "the client sent an unmasked frame");
  if (isControl(op)) {
    // RFC 6455 §5.5: control frames are at most 125 bytes and MUST NOT be fragmented
    if (!h.fin) throw protocolError("fragmented_control_frame", `the peer fragmented a control frame (opcode 0x${op.toString(16)})`);
    if (h.length > 125) throw protocolError("control_frame_too_long", `the peer sent a control frame of ${h.length} bytes (at most 125)`);
    // RFC 6455 §5.2 and RFC 7692 §6: RSV bits only as an extension defines them, never on control frames
    if (h.rsv !== 0) throw protocolError("invalid_rsv", "the peer set RSV bits on a control frame");
    return;
  }
  if (op === Opcode.CONTINUATION) {
    // RFC 6455 §5.4: a continuation frame only inside a fragmented message
    if (!inMessage) throw protocolError("unexpected_continuation", "the peer sent a continuation frame outside a fragmented message");
    // RFC 7692 §6.1: the per-message compressed bit is set only on the first frame
    if (h.rsv !== 0) throw protocolError("invalid_rsv", "the peer set RSV bits on a continuation frame");
    return;
  }
  // RFC 6455 §5.4: a new data message may not start before the fragmented one ends
  if (inMessage) throw protocolError("unfinished_message", "the peer started a new message before finishing a fragmented one");
  // RFC 6455 §5.2: RSV bits MUST be 0 unless an extension that defines them was negotiated
  if ((h.rsv & ~allowedRsv) !== 0) throw protocolError("invalid_rsv", `the peer set RSV bits 0x${h.rsv.toString(16)} that no negotiated extension defines`);
}

/** Size of the header for a payload of `length` bytes, masked or not. */
export function headerSize(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length < 0x10000 ? 4 : 10) + (masked ? 4 : 0);
}

/** Writes a header into `out` at 0 (without the masking key); returns where the key goes. */
export function encodeHeader(out: Uint8Array, fin: boolean, rsv: number, opcode: number, length: number, masked: boolean): number {
  out[0] = (fin ? 0x80 : 0) | rsv | opcode;
  const m = masked ? 0x80 : 0;
  if (length < 126) {
    out[1] = m | length;
    return 2;
  }
  if (length < 0x10000) {
    out[1] = m | 126;
    out[2] = length >> 8;
    out[3] = length & 0xff;
    return 4;
  }
  out[1] = m | 127;
  const high = Math.floor(length / 0x100000000);
  const low = length >>> 0;
  out[2] = high >>> 24;
  out[3] = (high >>> 16) & 0xff;
  out[4] = (high >>> 8) & 0xff;
  out[5] = high & 0xff;
  out[6] = low >>> 24;
  out[7] = (low >>> 16) & 0xff;
  out[8] = (low >>> 8) & 0xff;
  out[9] = low & 0xff;
  return 10;
}
