// A small HTTP/2 frame builder (server side) and a decoder for the engine's outgoing
// bytes, for the fuzz and limit tests (RFC 9113 §4.1, §6).

import { concat } from "./harness.js";

export const T = {
  DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9,
} as const;
export const F = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

export const ERROR_NAMES = [
  "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR",
  "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
];
export const errorName = (code: number): string => ERROR_NAMES[code] ?? `0x${code.toString(16)}`;

const PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/** One frame; `length` overrides the header's length field (inflated lengths). */
export function frame(type: number, flags: number, streamId: number, payload: Uint8Array = new Uint8Array(0), length?: number): Uint8Array {
  const len = length ?? payload.length;
  const out = new Uint8Array(9 + payload.length);
  out[0] = (len >>> 16) & 0xff;
  out[1] = (len >>> 8) & 0xff;
  out[2] = len & 0xff;
  out[3] = type & 0xff;
  out[4] = flags & 0xff;
  out[5] = (streamId >>> 24) & 0xff;
  out[6] = (streamId >>> 16) & 0xff;
  out[7] = (streamId >>> 8) & 0xff;
  out[8] = streamId & 0xff;
  out.set(payload, 9);
  return out;
}

export function u32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

export function settings(entries: Array<[id: number, value: number]> = [], ack = false): Uint8Array {
  const p = new Uint8Array(entries.length * 6);
  entries.forEach(([id, v], i) => {
    p[i * 6] = id >> 8;
    p[i * 6 + 1] = id & 0xff;
    p.set(u32(v), i * 6 + 2);
  });
  return frame(T.SETTINGS, ack ? F.ACK : 0, 0, p);
}

export const settingsAck = (): Uint8Array => frame(T.SETTINGS, F.ACK, 0);
export const ping = (data = new Uint8Array(8), ack = false): Uint8Array => frame(T.PING, ack ? F.ACK : 0, 0, data);
export const windowUpdate = (id: number, inc: number): Uint8Array => frame(T.WINDOW_UPDATE, 0, id, u32(inc));
export const rstStream = (id: number, code: number): Uint8Array => frame(T.RST_STREAM, 0, id, u32(code));
export const goaway = (last: number, code: number, debug = ""): Uint8Array =>
  frame(T.GOAWAY, 0, 0, concat([u32(last), u32(code), new TextEncoder().encode(debug)]));
export const data = (id: number, bytes: Uint8Array, end = false): Uint8Array => frame(T.DATA, end ? F.END_STREAM : 0, id, bytes);
export const headers = (id: number, block: Uint8Array, flags: number = F.END_HEADERS): Uint8Array => frame(T.HEADERS, flags, id, block);
export const continuation = (id: number, block: Uint8Array, end = false): Uint8Array => frame(T.CONTINUATION, end ? F.END_HEADERS : 0, id, block);
export const pushPromise = (id: number, promised: number, block: Uint8Array, flags: number = F.END_HEADERS): Uint8Array =>
  frame(T.PUSH_PROMISE, flags, id, concat([u32(promised), block]));

/** HPACK for `:status: 200` (static index 8). */
export const STATUS_200 = Uint8Array.of(0x88);

export interface OutFrame {
  type: number;
  flags: number;
  streamId: number;
  payload: Uint8Array;
}

/** Splits the engine's outgoing bytes into frames, skipping the client preface. */
export function parseOutgoing(chunks: readonly Uint8Array[]): OutFrame[] {
  let buf = concat(chunks);
  const pre = new TextEncoder().encode(PREFACE);
  if (buf.length >= pre.length && pre.every((b, i) => buf[i] === b)) buf = buf.subarray(pre.length);
  const out: OutFrame[] = [];
  let o = 0;
  while (o + 9 <= buf.length) {
    const len = (buf[o]! << 16) | (buf[o + 1]! << 8) | buf[o + 2]!;
    if (o + 9 + len > buf.length) break;
    out.push({
      type: buf[o + 3]!,
      flags: buf[o + 4]!,
      streamId: ((buf[o + 5]! & 0x7f) << 24) | (buf[o + 6]! << 16) | (buf[o + 7]! << 8) | buf[o + 8]!,
      payload: buf.subarray(o + 9, o + 9 + len),
    });
    o += 9 + len;
  }
  return out;
}

const readU32 = (p: Uint8Array, at: number): number => ((p[at]! << 24) >>> 0) + (p[at + 1]! << 16) + (p[at + 2]! << 8) + p[at + 3]!;

/** The GOAWAY the engine sent, if any: its error code name and debug text. */
export function sentGoaway(frames: readonly OutFrame[]): { code: string; last: number; debug: string } | undefined {
  const g = frames.filter((f) => f.type === T.GOAWAY).at(-1);
  if (g === undefined) return undefined;
  return { last: readU32(g.payload, 0) & 0x7fffffff, code: errorName(readU32(g.payload, 4)), debug: new TextDecoder().decode(g.payload.subarray(8)) };
}

/** RST_STREAM frames the engine sent: stream id and code name. */
export function sentResets(frames: readonly OutFrame[]): Array<{ streamId: number; code: string }> {
  return frames.filter((f) => f.type === T.RST_STREAM).map((f) => ({ streamId: f.streamId, code: errorName(readU32(f.payload, 0)) }));
}
