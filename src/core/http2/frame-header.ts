// The 9-octet HTTP/2 frame header (RFC 9113 §4.1) and the frame type and flag numbers.
//
//   +-----------------------------------------------+
//   |                 Length (24)                   |
//   +---------------+---------------+---------------+
//   |   Type (8)    |   Flags (8)   |
//   +-+-------------+---------------+-------------------------------+
//   |R|                 Stream Identifier (31)                      |
//   +=+=============================================================+
//
// Readers take the header fields straight from the byte array; writers put them at an
// offset of a caller-owned buffer so a whole batch of frames lands in one allocation.

export const FRAME_HEADER_SIZE = 9;

/** Frame types of RFC 9113 §6. */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** Frame flags (their meaning depends on the frame type). */
export const Flag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

/** The client connection preface, RFC 9113 §3.4. */
export const CONNECTION_PREFACE = new Uint8Array([
  0x50, 0x52, 0x49, 0x20, 0x2a, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x32, 0x2e, 0x30, 0x0d, 0x0a, 0x0d, 0x0a,
  0x53, 0x4d, 0x0d, 0x0a, 0x0d, 0x0a,
]);

/** Smallest and largest SETTINGS_MAX_FRAME_SIZE (RFC 9113 §6.5.2). */
export const MIN_MAX_FRAME_SIZE = 16_384;
export const MAX_MAX_FRAME_SIZE = 16_777_215;
/** Largest flow-control window (RFC 9113 §6.9.1). */
export const MAX_WINDOW_SIZE = 2 ** 31 - 1;

/** Write a frame header at `off` of `buf`. */
export function writeFrameHeader(buf: Uint8Array, off: number, length: number, type: number, flags: number, streamId: number): void {
  buf[off] = length >>> 16;
  buf[off + 1] = (length >>> 8) & 0xff;
  buf[off + 2] = length & 0xff;
  buf[off + 3] = type;
  buf[off + 4] = flags;
  writeUint31(buf, off + 5, streamId);
}

/** Read a 32-bit big-endian value with its reserved top bit cleared (stream ids, increments). */
export function readUint31(buf: Uint8Array, off: number): number {
  return ((buf[off]! & 0x7f) * 0x1000000) + (buf[off + 1]! << 16) + (buf[off + 2]! << 8) + buf[off + 3]!;
}

/** Read an unsigned 32-bit big-endian value. */
export function readUint32(buf: Uint8Array, off: number): number {
  return (buf[off]! * 0x1000000) + (buf[off + 1]! << 16) + (buf[off + 2]! << 8) + buf[off + 3]!;
}

/** Write a 31-bit value (reserved bit 0). */
export function writeUint31(buf: Uint8Array, off: number, v: number): void {
  writeUint32(buf, off, v & 0x7fffffff);
}

/** Write an unsigned 32-bit big-endian value. */
export function writeUint32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = (v >>> 24) & 0xff;
  buf[off + 1] = (v >>> 16) & 0xff;
  buf[off + 2] = (v >>> 8) & 0xff;
  buf[off + 3] = v & 0xff;
}
