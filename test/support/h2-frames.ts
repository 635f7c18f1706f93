// Test kit: a fluent builder for the frames a server sends, and a parser for the bytes a
// client writes. Header lists are HPACK-encoded with the builder's encoder (share one per
// fake server so its dynamic table matches the client's decoder).

import { Encoder } from "../../src/hpack/index.js";
import type { Headers } from "../../src/types.js";
import { decodeFrame } from "../../src/core/http2/frames-decode.js";
import {
  encodeContinuation, encodeData, encodeGoaway, encodeHeaders, encodePing, encodePriority, encodePushPromise,
  encodeRstStream, encodeSettings, encodeWindowUpdate,
} from "../../src/core/http2/frames-encode.js";
import { FRAME_HEADER_SIZE, writeFrameHeader } from "../../src/core/http2/frame-header.js";
import type { Frame, PriorityInfo } from "../../src/core/http2/frame-types.js";
import { SETTING_IDS } from "../../src/core/http2/settings.js";
import type { HTTP2Settings } from "../../src/types.js";

const enc = new TextEncoder();
export const bytesOf = (d: string | Uint8Array): Uint8Array => (typeof d === "string" ? enc.encode(d) : d);

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

export type SettingsInput = Partial<Record<keyof HTTP2Settings, number | boolean>> | Array<[number, number]>;

function toParams(s: SettingsInput): Array<[number, number]> {
  if (Array.isArray(s)) return s;
  return Object.entries(s).map(([k, v]) => [SETTING_IDS[k as keyof HTTP2Settings], typeof v === "boolean" ? (v ? 1 : 0) : v]);
}

export class FrameBuilder {
  private readonly chunks: Uint8Array[] = [];
  constructor(readonly encoder: Encoder = new Encoder()) {}

  raw(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    return this;
  }
  /** Any frame from its header fields and payload. */
  frame(type: number, flags: number, streamId: number, payload: Uint8Array | number[] = []): this {
    const p = payload instanceof Uint8Array ? payload : new Uint8Array(payload);
    const buf = new Uint8Array(FRAME_HEADER_SIZE + p.length);
    writeFrameHeader(buf, 0, p.length, type, flags, streamId);
    buf.set(p, FRAME_HEADER_SIZE);
    return this.raw(buf);
  }
  settings(s: SettingsInput = {}): this {
    return this.raw(encodeSettings(toParams(s)));
  }
  settingsAck(): this {
    return this.raw(encodeSettings([], true));
  }
  /** HEADERS with an HPACK-encoded list; `split` > 0 cuts the block into CONTINUATIONs of that size. */
  headers(streamId: number, headers: Headers, opts: { endStream?: boolean; padLength?: number; priority?: PriorityInfo; split?: number } = {}): this {
    const block = this.encoder.encode(headers);
    return this.headerBlock(streamId, block, opts);
  }
  headerBlock(streamId: number, block: Uint8Array, opts: { endStream?: boolean; padLength?: number; priority?: PriorityInfo; split?: number } = {}): this {
    const split = opts.split && opts.split > 0 ? opts.split : block.length || 1;
    const first = block.subarray(0, split);
    const last = first.length === block.length;
    this.raw(encodeHeaders(streamId, first, { endStream: opts.endStream, endHeaders: last, padLength: opts.padLength, priority: opts.priority ?? null }));
    for (let off = split; off < block.length; off += split) {
      const piece = block.subarray(off, off + split);
      this.raw(encodeContinuation(streamId, piece, off + split >= block.length));
    }
    return this;
  }
  continuation(streamId: number, fragment: Uint8Array | Headers, endHeaders = true): this {
    const f = fragment instanceof Uint8Array ? fragment : this.encoder.encode(fragment);
    return this.raw(encodeContinuation(streamId, f, endHeaders));
  }
  data(streamId: number, data: string | Uint8Array, opts: { endStream?: boolean; padLength?: number } = {}): this {
    return this.raw(encodeData(streamId, bytesOf(data), opts.endStream ?? false, opts.padLength ?? 0));
  }
  rst(streamId: number, code: number): this {
    return this.raw(encodeRstStream(streamId, code));
  }
  ping(payload: Uint8Array = new Uint8Array(8), ack = false): this {
    return this.raw(encodePing(payload, ack));
  }
  goaway(lastStreamId: number, code: number, debug = ""): this {
    return this.raw(encodeGoaway(lastStreamId, code, bytesOf(debug)));
  }
  windowUpdate(streamId: number, increment: number): this {
    return this.raw(encodeWindowUpdate(streamId, increment));
  }
  priority(streamId: number, p: PriorityInfo = { exclusive: false, dependency: 0, weight: 16 }): this {
    return this.raw(encodePriority(streamId, p));
  }
  pushPromise(streamId: number, promisedId: number, headers: Headers, endHeaders = true): this {
    return this.raw(encodePushPromise(streamId, promisedId, this.encoder.encode(headers), endHeaders));
  }
  /** A complete response: status + headers (+ body) on one stream. */
  response(streamId: number, status: number, headers: Headers = [], body?: string | Uint8Array): this {
    this.headers(streamId, [[":status", String(status)], ...headers], { endStream: body === undefined });
    if (body !== undefined) this.data(streamId, body, { endStream: true });
    return this;
  }
  bytes(): Uint8Array {
    return concat(this.chunks);
  }
}

/** Split bytes holding whole frames into decoded frames. Throws if a frame is incomplete. */
export function parseFrames(bytes: Uint8Array): Frame[] {
  const out: Frame[] = [];
  let off = 0;
  while (off < bytes.length) {
    if (bytes.length - off < FRAME_HEADER_SIZE) throw new Error("truncated frame header");
    const len = (bytes[off]! << 16) | (bytes[off + 1]! << 8) | bytes[off + 2]!;
    const end = off + FRAME_HEADER_SIZE + len;
    if (end > bytes.length) throw new Error("truncated frame payload");
    const streamId = ((bytes[off + 5]! & 0x7f) << 24) | (bytes[off + 6]! << 16) | (bytes[off + 7]! << 8) | bytes[off + 8]!;
    out.push(decodeFrame(bytes[off + 3]!, bytes[off + 4]!, streamId, bytes.subarray(off + FRAME_HEADER_SIZE, end)));
    off = end;
  }
  return out;
}
