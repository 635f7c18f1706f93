// Payload decoders, one per frame type (RFC 9113 §6). Each takes the header fields and a
// view of the payload and returns a frame whose byte fields are sub-views of it.
//
// The checks every frame type makes on its own (length of fixed-size frames, padding,
// which stream it may travel on) are here; rules that need connection state (stream
// states, windows, settings values) live in the engine.

import { connectionError, ErrorCode } from "./errors.js";
import { Flag, FrameType, readUint31, readUint32 } from "./frame-header.js";
import type {
  ContinuationFrame, DataFrame, Frame, GoawayFrame, HeadersFrame, PingFrame, PriorityFrame, PriorityInfo,
  PushPromiseFrame, RstStreamFrame, SettingsFrame, UnknownFrame, WindowUpdateFrame,
} from "./frame-types.js";

function onStream(type: string, streamId: number): void {
  // RFC 9113 §6.1, §6.2, §6.3, §6.4, §6.6, §6.10: stream frames MUST NOT use stream 0.
  if (streamId === 0) throw connectionError(ErrorCode.PROTOCOL_ERROR, `${type} frame on stream 0`);
}

function onConnection(type: string, streamId: number): void {
  // RFC 9113 §6.5, §6.7, §6.8: connection frames MUST use stream 0.
  if (streamId !== 0) throw connectionError(ErrorCode.PROTOCOL_ERROR, `${type} frame on stream ${streamId}`);
}

/** Strip padding: returns the pad length, checking it fits (RFC 9113 §6.1, §6.2, §6.6). */
function padLength(type: string, flags: number, payload: Uint8Array, fixed: number): number {
  if ((flags & Flag.PADDED) === 0) return 0;
  if (payload.length < 1) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, `padded ${type} frame without a pad length`);
  const pad = payload[0]!;
  // RFC 9113 §6.1: padding length >= payload length is a PROTOCOL_ERROR.
  if (pad + 1 + fixed > payload.length) throw connectionError(ErrorCode.PROTOCOL_ERROR, `${type} frame padding exceeds its payload`);
  return pad;
}

function readPriority(payload: Uint8Array, off: number): PriorityInfo {
  return { exclusive: (payload[off]! & 0x80) !== 0, dependency: readUint31(payload, off), weight: payload[off + 4]! + 1 };
}

export function decodeData(flags: number, streamId: number, payload: Uint8Array): DataFrame {
  onStream("DATA", streamId);
  const pad = padLength("DATA", flags, payload, 0);
  const padded = (flags & Flag.PADDED) !== 0;
  return {
    type: "data", streamId, endStream: (flags & Flag.END_STREAM) !== 0,
    data: padded ? payload.subarray(1, payload.length - pad) : payload, padLength: pad, flowLength: payload.length,
  };
}

export function decodeHeaders(flags: number, streamId: number, payload: Uint8Array): HeadersFrame {
  onStream("HEADERS", streamId);
  const hasPriority = (flags & Flag.PRIORITY) !== 0;
  const pad = padLength("HEADERS", flags, payload, hasPriority ? 5 : 0);
  let off = (flags & Flag.PADDED) !== 0 ? 1 : 0;
  let priority: PriorityInfo | null = null;
  if (hasPriority) {
    if (payload.length < off + 5) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, "HEADERS frame too short for its priority fields");
    priority = readPriority(payload, off);
    off += 5;
  }
  return {
    type: "headers", streamId, endStream: (flags & Flag.END_STREAM) !== 0, endHeaders: (flags & Flag.END_HEADERS) !== 0,
    fragment: off === 0 && pad === 0 ? payload : payload.subarray(off, payload.length - pad), padLength: pad, priority,
  };
}

export function decodePriority(streamId: number, payload: Uint8Array): PriorityFrame {
  onStream("PRIORITY", streamId);
  // RFC 9113 §6.3: a PRIORITY frame with a length other than 5 octets is a FRAME_SIZE_ERROR
  // (stream error in the RFC; treated as connection error, as PRIORITY is otherwise ignored).
  if (payload.length !== 5) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, `PRIORITY frame of ${payload.length} octets (must be 5)`);
  return { type: "priority", streamId, priority: readPriority(payload, 0) };
}

export function decodeRstStream(streamId: number, payload: Uint8Array): RstStreamFrame {
  onStream("RST_STREAM", streamId);
  // RFC 9113 §6.4: length other than 4 octets is a FRAME_SIZE_ERROR.
  if (payload.length !== 4) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, `RST_STREAM frame of ${payload.length} octets (must be 4)`);
  return { type: "rst_stream", streamId, errorCode: readUint32(payload, 0) };
}

export function decodeSettings(flags: number, streamId: number, payload: Uint8Array): SettingsFrame {
  onConnection("SETTINGS", streamId);
  const ack = (flags & Flag.ACK) !== 0;
  // RFC 9113 §6.5: an ACK with a payload, or a length not a multiple of 6, is a FRAME_SIZE_ERROR.
  if (ack && payload.length !== 0) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, "SETTINGS ACK with a payload");
  if (payload.length % 6 !== 0) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, `SETTINGS frame of ${payload.length} octets (not a multiple of 6)`);
  const params: Array<[number, number]> = [];
  for (let off = 0; off < payload.length; off += 6) {
    params.push([(payload[off]! << 8) | payload[off + 1]!, readUint32(payload, off + 2)]);
  }
  return { type: "settings", streamId: 0, ack, params };
}

export function decodePushPromise(flags: number, streamId: number, payload: Uint8Array): PushPromiseFrame {
  onStream("PUSH_PROMISE", streamId);
  const pad = padLength("PUSH_PROMISE", flags, payload, 4);
  const off = (flags & Flag.PADDED) !== 0 ? 1 : 0;
  if (payload.length < off + 4) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, "PUSH_PROMISE frame too short");
  return {
    type: "push_promise", streamId, endHeaders: (flags & Flag.END_HEADERS) !== 0,
    promisedStreamId: readUint31(payload, off), fragment: payload.subarray(off + 4, payload.length - pad), padLength: pad,
  };
}

export function decodePing(flags: number, streamId: number, payload: Uint8Array): PingFrame {
  onConnection("PING", streamId);
  // RFC 9113 §6.7: length other than 8 octets is a FRAME_SIZE_ERROR.
  if (payload.length !== 8) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, `PING frame of ${payload.length} octets (must be 8)`);
  return { type: "ping", streamId: 0, ack: (flags & Flag.ACK) !== 0, payload };
}

export function decodeGoaway(streamId: number, payload: Uint8Array): GoawayFrame {
  onConnection("GOAWAY", streamId);
  if (payload.length < 8) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, `GOAWAY frame of ${payload.length} octets (at least 8)`);
  return {
    type: "goaway", streamId: 0, lastStreamId: readUint31(payload, 0), errorCode: readUint32(payload, 4),
    debugData: payload.subarray(8),
  };
}

export function decodeWindowUpdate(streamId: number, payload: Uint8Array): WindowUpdateFrame {
  // RFC 9113 §6.9: length other than 4 octets is a FRAME_SIZE_ERROR.
  if (payload.length !== 4) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, `WINDOW_UPDATE frame of ${payload.length} octets (must be 4)`);
  return { type: "window_update", streamId, increment: readUint31(payload, 0) };
}

export function decodeContinuation(flags: number, streamId: number, payload: Uint8Array): ContinuationFrame {
  onStream("CONTINUATION", streamId);
  return { type: "continuation", streamId, endHeaders: (flags & Flag.END_HEADERS) !== 0, fragment: payload };
}

/**
 * Decode one frame from its header fields and payload view.
 * Throws connection errors `frame_size_error` / `protocol_error` for malformed frames.
 */
export function decodeFrame(type: number, flags: number, streamId: number, payload: Uint8Array): Frame {
  switch (type) {
    case FrameType.DATA: return decodeData(flags, streamId, payload);
    case FrameType.HEADERS: return decodeHeaders(flags, streamId, payload);
    case FrameType.PRIORITY: return decodePriority(streamId, payload);
    case FrameType.RST_STREAM: return decodeRstStream(streamId, payload);
    case FrameType.SETTINGS: return decodeSettings(flags, streamId, payload);
    case FrameType.PUSH_PROMISE: return decodePushPromise(flags, streamId, payload);
    case FrameType.PING: return decodePing(flags, streamId, payload);
    case FrameType.GOAWAY: return decodeGoaway(streamId, payload);
    case FrameType.WINDOW_UPDATE: return decodeWindowUpdate(streamId, payload);
    case FrameType.CONTINUATION: return decodeContinuation(flags, streamId, payload);
    default: {
      const unknown: UnknownFrame = { type: "unknown", frameType: type, flags, streamId, payload };
      return unknown;
    }
  }
}
