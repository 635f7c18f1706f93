// Frame encoders: one function per frame type, each returning the frame's wire bytes
// (header + payload). They are used for control frames and by tests; the engine's hot
// path (HEADERS, DATA) writes straight into its outgoing buffer instead (see write-buffer.ts).
//
// `encodeFrame` is the inverse of `decodeFrame`: decode(encode(f)) equals f.

import { Flag, FRAME_HEADER_SIZE, FrameType, writeFrameHeader, writeUint31, writeUint32 } from "./frame-header.js";
import type { Frame, PriorityInfo } from "./frame-types.js";

function frame(type: number, flags: number, streamId: number, payloadLength: number): Uint8Array {
  const buf = new Uint8Array(FRAME_HEADER_SIZE + payloadLength);
  writeFrameHeader(buf, 0, payloadLength, type, flags, streamId);
  return buf;
}

function writePriority(buf: Uint8Array, off: number, p: PriorityInfo): void {
  writeUint31(buf, off, p.dependency);
  if (p.exclusive) buf[off]! |= 0x80;
  buf[off + 4] = p.weight - 1;
}

/** A frame carrying `body` with optional padding and `fixed` octets before the body. */
function padded(type: number, flags: number, streamId: number, padLength: number, fixed: number, body: Uint8Array): { buf: Uint8Array; off: number } {
  const isPadded = padLength > 0 || (flags & Flag.PADDED) !== 0;
  const extra = isPadded ? 1 + padLength : 0;
  const buf = frame(type, isPadded ? flags | Flag.PADDED : flags, streamId, extra + fixed + body.length);
  let off = FRAME_HEADER_SIZE;
  if (isPadded) buf[off++] = padLength;
  buf.set(body, off + fixed);
  return { buf, off };
}

/** DATA frame; `padLength` > 0 (or `forcePadded`) sets PADDED. */
export function encodeData(streamId: number, data: Uint8Array, endStream = false, padLength = 0, forcePadded = false): Uint8Array {
  const flags = (endStream ? Flag.END_STREAM : 0) | (forcePadded ? Flag.PADDED : 0);
  return padded(FrameType.DATA, flags, streamId, padLength, 0, data).buf;
}

export function encodeHeaders(
  streamId: number, fragment: Uint8Array,
  opts: { endStream?: boolean; endHeaders?: boolean; padLength?: number; priority?: PriorityInfo | null } = {},
): Uint8Array {
  let flags = 0;
  if (opts.endStream) flags |= Flag.END_STREAM;
  if (opts.endHeaders ?? true) flags |= Flag.END_HEADERS;
  if (opts.priority) flags |= Flag.PRIORITY;
  const { buf, off } = padded(FrameType.HEADERS, flags, streamId, opts.padLength ?? 0, opts.priority ? 5 : 0, fragment);
  if (opts.priority) writePriority(buf, off, opts.priority);
  return buf;
}

export function encodePriority(streamId: number, priority: PriorityInfo): Uint8Array {
  const buf = frame(FrameType.PRIORITY, 0, streamId, 5);
  writePriority(buf, FRAME_HEADER_SIZE, priority);
  return buf;
}

export function encodeRstStream(streamId: number, errorCode: number): Uint8Array {
  const buf = frame(FrameType.RST_STREAM, 0, streamId, 4);
  writeUint32(buf, FRAME_HEADER_SIZE, errorCode);
  return buf;
}

export function encodeSettings(params: ReadonlyArray<readonly [number, number]>, ack = false): Uint8Array {
  const buf = frame(FrameType.SETTINGS, ack ? Flag.ACK : 0, 0, params.length * 6);
  let off = FRAME_HEADER_SIZE;
  for (const [id, value] of params) {
    buf[off] = id >>> 8;
    buf[off + 1] = id & 0xff;
    writeUint32(buf, off + 2, value);
    off += 6;
  }
  return buf;
}

export function encodePushPromise(streamId: number, promisedStreamId: number, fragment: Uint8Array, endHeaders = true, padLength = 0): Uint8Array {
  const { buf, off } = padded(FrameType.PUSH_PROMISE, endHeaders ? Flag.END_HEADERS : 0, streamId, padLength, 4, fragment);
  writeUint31(buf, off, promisedStreamId);
  return buf;
}

export function encodePing(payload: Uint8Array, ack = false): Uint8Array {
  const buf = frame(FrameType.PING, ack ? Flag.ACK : 0, 0, payload.length);
  buf.set(payload, FRAME_HEADER_SIZE);
  return buf;
}

export function encodeGoaway(lastStreamId: number, errorCode: number, debugData: Uint8Array = new Uint8Array(0)): Uint8Array {
  const buf = frame(FrameType.GOAWAY, 0, 0, 8 + debugData.length);
  writeUint31(buf, FRAME_HEADER_SIZE, lastStreamId);
  writeUint32(buf, FRAME_HEADER_SIZE + 4, errorCode);
  buf.set(debugData, FRAME_HEADER_SIZE + 8);
  return buf;
}

export function encodeWindowUpdate(streamId: number, increment: number): Uint8Array {
  const buf = frame(FrameType.WINDOW_UPDATE, 0, streamId, 4);
  writeUint31(buf, FRAME_HEADER_SIZE, increment);
  return buf;
}

export function encodeContinuation(streamId: number, fragment: Uint8Array, endHeaders = true): Uint8Array {
  const buf = frame(FrameType.CONTINUATION, endHeaders ? Flag.END_HEADERS : 0, streamId, fragment.length);
  buf.set(fragment, FRAME_HEADER_SIZE);
  return buf;
}

/** Encode any frame (the inverse of `decodeFrame`). */
export function encodeFrame(f: Frame): Uint8Array {
  switch (f.type) {
    case "data": return encodeData(f.streamId, f.data, f.endStream, f.padLength, f.flowLength > f.data.length);
    case "headers":
      return encodeHeaders(f.streamId, f.fragment, { endStream: f.endStream, endHeaders: f.endHeaders, padLength: f.padLength, priority: f.priority });
    case "priority": return encodePriority(f.streamId, f.priority);
    case "rst_stream": return encodeRstStream(f.streamId, f.errorCode);
    case "settings": return encodeSettings(f.params, f.ack);
    case "push_promise": return encodePushPromise(f.streamId, f.promisedStreamId, f.fragment, f.endHeaders, f.padLength);
    case "ping": return encodePing(f.payload, f.ack);
    case "goaway": return encodeGoaway(f.lastStreamId, f.errorCode, f.debugData);
    case "window_update": return encodeWindowUpdate(f.streamId, f.increment);
    case "continuation": return encodeContinuation(f.streamId, f.fragment, f.endHeaders);
    case "unknown": {
      const buf = frame(f.frameType, f.flags, f.streamId, f.payload.length);
      buf.set(f.payload, FRAME_HEADER_SIZE);
      return buf;
    }
  }
}
