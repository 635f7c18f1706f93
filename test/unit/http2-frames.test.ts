import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrame } from "../../src/core/http2/frames-decode.js";
import {
  encodeContinuation, encodeData, encodeFrame, encodeGoaway, encodeHeaders, encodePing, encodePriority, encodePushPromise,
  encodeRstStream, encodeSettings, encodeWindowUpdate,
} from "../../src/core/http2/frames-encode.js";
import { DATA_PIECE, FrameReader, NEED_MORE, WHOLE_FRAME } from "../../src/core/http2/frame-reader.js";
import type { Frame } from "../../src/core/http2/frame-types.js";
import { WriteBuffer } from "../../src/core/http2/write-buffer.js";
import { HTTPError } from "../../src/errors.js";
import { concat, parseFrames } from "../support/h2-frames.js";

const b = (...xs: number[]) => new Uint8Array(xs);

function roundTrip(bytes: Uint8Array): Frame {
  const frames = parseFrames(bytes);
  assert.equal(frames.length, 1);
  assert.deepEqual(encodeFrame(frames[0]!), bytes);
  return frames[0]!;
}

test("DATA: exact bytes, padding and END_STREAM", () => {
  assert.deepEqual(encodeData(1, b(0x61), true), b(0, 0, 1, 0, 1, 0, 0, 0, 1, 0x61));
  const f = roundTrip(encodeData(3, b(1, 2), false, 2));
  assert.deepEqual(f, { type: "data", streamId: 3, endStream: false, data: b(1, 2), padLength: 2, flowLength: 5 });
});

test("HEADERS with priority and padding", () => {
  const bytes = encodeHeaders(5, b(0x88), { endStream: true, padLength: 1, priority: { exclusive: true, dependency: 3, weight: 256 } });
  assert.deepEqual(bytes, b(0, 0, 8, 1, 0x2d, 0, 0, 0, 5, 1, 0x80, 0, 0, 3, 255, 0x88, 0));
  assert.deepEqual(roundTrip(bytes), {
    type: "headers", streamId: 5, endStream: true, endHeaders: true, fragment: b(0x88), padLength: 1,
    priority: { exclusive: true, dependency: 3, weight: 256 },
  });
});

test("every control frame type round-trips", () => {
  assert.deepEqual(roundTrip(encodeSettings([[1, 4096], [4, 65535]])), { type: "settings", streamId: 0, ack: false, params: [[1, 4096], [4, 65535]] });
  assert.deepEqual(roundTrip(encodeSettings([], true)), { type: "settings", streamId: 0, ack: true, params: [] });
  assert.deepEqual(roundTrip(encodeRstStream(7, 8)), { type: "rst_stream", streamId: 7, errorCode: 8 });
  assert.deepEqual(roundTrip(encodePriority(7, { exclusive: false, dependency: 1, weight: 16 })), {
    type: "priority", streamId: 7, priority: { exclusive: false, dependency: 1, weight: 16 },
  });
  assert.deepEqual(roundTrip(encodePing(b(1, 2, 3, 4, 5, 6, 7, 8), true)), { type: "ping", streamId: 0, ack: true, payload: b(1, 2, 3, 4, 5, 6, 7, 8) });
  assert.deepEqual(roundTrip(encodeGoaway(9, 2, b(0x68, 0x69))), { type: "goaway", streamId: 0, lastStreamId: 9, errorCode: 2, debugData: b(0x68, 0x69) });
  assert.deepEqual(roundTrip(encodeWindowUpdate(0, 2 ** 31 - 1)), { type: "window_update", streamId: 0, increment: 2 ** 31 - 1 });
  assert.deepEqual(roundTrip(encodeContinuation(1, b(1, 2), false)), { type: "continuation", streamId: 1, endHeaders: false, fragment: b(1, 2) });
  assert.deepEqual(roundTrip(encodePushPromise(1, 2, b(0x82), true, 3)), {
    type: "push_promise", streamId: 1, endHeaders: true, promisedStreamId: 2, fragment: b(0x82), padLength: 3,
  });
});

test("unknown frame types decode as unknown", () => {
  assert.deepEqual(decodeFrame(0x20, 3, 5, b(1)), { type: "unknown", frameType: 0x20, flags: 3, streamId: 5, payload: b(1) });
});

test("the reserved bit of stream ids is ignored", () => {
  const bytes = encodeRstStream(1, 0);
  bytes[5] |= 0x80;
  assert.equal(parseFrames(bytes)[0]!.streamId, 1);
});

test("decode errors", () => {
  const reason = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof HTTPError);
      return e.reason;
    }
    return "none";
  };
  assert.equal(reason(() => decodeFrame(0, 0x8, 1, b())), "frame_size_error");
  assert.equal(reason(() => decodeFrame(0, 0x8, 1, b(1))), "protocol_error");
  assert.equal(reason(() => decodeFrame(1, 0x8, 1, b(3, 0, 0))), "protocol_error");
  assert.equal(reason(() => decodeFrame(1, 0x20, 1, b(0, 0))), "frame_size_error");
  assert.equal(reason(() => decodeFrame(5, 0, 1, b(0, 0))), "frame_size_error");
  assert.equal(reason(() => decodeFrame(7, 0, 0, b(0, 0, 0, 0))), "frame_size_error");
  assert.equal(reason(() => decodeFrame(4, 1, 0, b(0, 0, 0, 0, 0, 0))), "frame_size_error");
  assert.equal(reason(() => decodeFrame(4, 0, 0, b(0, 0, 0))), "frame_size_error");
  assert.equal(reason(() => decodeFrame(4, 0, 1, b())), "protocol_error");
  assert.equal(reason(() => decodeFrame(0, 0, 0, b())), "protocol_error");
});

test("FrameReader: frames inside one chunk are views, frames across chunks are joined", () => {
  const all = concat([encodeData(1, b(1, 2, 3)), encodePing(new Uint8Array(8)), encodeData(3, b(9))]);
  const r = new FrameReader();
  r.push(all);
  assert.equal(r.next(16384), WHOLE_FRAME);
  assert.equal(r.type, 0);
  assert.equal(r.payload.buffer, all.buffer, "a view into the chunk");
  assert.equal(r.next(16384), WHOLE_FRAME);
  assert.equal(r.type, 6);
  assert.equal(r.next(16384), WHOLE_FRAME);
  assert.equal(r.streamId, 3);
  assert.equal(r.next(16384), NEED_MORE);

  const split = encodePing(b(7, 7, 7, 7, 7, 7, 7, 7));
  r.push(split.subarray(0, 4));
  assert.equal(r.next(16384), NEED_MORE);
  r.push(split.subarray(4, 11));
  assert.equal(r.next(16384), NEED_MORE);
  r.push(split.subarray(11));
  assert.equal(r.next(16384), WHOLE_FRAME);
  assert.equal(r.type, 6);
  assert.deepEqual(r.payload, b(7, 7, 7, 7, 7, 7, 7, 7));
  assert.equal(r.bufferedBytes(), 0);

  // A header that came in the previous chunk, and a payload wholly in this one: a view.
  const ping = encodePing(b(1, 2, 3, 4, 5, 6, 7, 8));
  r.push(ping.subarray(0, 5));
  assert.equal(r.next(16384), NEED_MORE);
  const rest = ping.slice(5);
  r.push(rest);
  assert.equal(r.next(16384), WHOLE_FRAME);
  assert.equal(r.payload.buffer, rest.buffer, "a view into the second chunk");
  assert.deepEqual(r.payload, b(1, 2, 3, 4, 5, 6, 7, 8));
});

test("FrameReader hands out an unpadded DATA frame across chunks in pieces, each a view", () => {
  const frame = concat([encodeData(5, b(1, 2, 3, 4, 5, 6), true), encodePing(new Uint8Array(8))]);
  const r = new FrameReader();
  const seen: Array<[number[], boolean, boolean]> = [];
  const chunks = [frame.slice(0, 4), frame.slice(4, 9), frame.slice(9, 11), frame.slice(11, 12), frame.slice(12)];
  let ping = 0;
  for (const chunk of chunks) {
    r.push(chunk);
    for (let got = r.next(16384); got !== NEED_MORE; got = r.next(16384)) {
      if (got === WHOLE_FRAME) {
        ping++;
        continue;
      }
      assert.equal(got, DATA_PIECE);
      assert.equal(r.streamId, 5);
      assert.equal(r.frameLength, 6);
      assert.equal(r.flags & 1, 1, "END_STREAM is known from the first piece");
      if (r.payload.length > 0) assert.equal(r.payload.buffer, chunk.buffer, "a view into the chunk");
      seen.push([Array.from(r.payload), r.pieceStart, r.pieceEnd]);
    }
  }
  assert.deepEqual(seen, [[[], true, false], [[1, 2], false, false], [[3], false, false], [[4, 5, 6], false, true]]);
  assert.equal(ping, 1, "the frame after the DATA is read whole");

  // Padded DATA is assembled whole (its padding length is checked against the whole frame).
  const padded = encodeData(7, b(9, 9), false, 3);
  r.push(padded.subarray(0, 12));
  assert.equal(r.next(16384), NEED_MORE);
  r.push(padded.subarray(12));
  assert.equal(r.next(16384), WHOLE_FRAME);
  assert.equal(r.payload.length, 6);
});

test("FrameReader rejects an oversized frame as soon as its header is known", () => {
  const r = new FrameReader();
  r.push(b(0, 0x40, 1, 0, 0, 0));
  assert.equal(r.next(16384), NEED_MORE);
  r.push(b(0, 0, 1));
  assert.throws(() => r.next(16384), (e: HTTPError) => e.reason === "frame_size_error");
});

test("WriteBuffer splits header blocks and DATA and keeps large payloads by reference", () => {
  const w = new WriteBuffer();
  const block = new Uint8Array(25).fill(1);
  w.headerBlock(1, block, true, 10);
  const big = new Uint8Array(10000).fill(2);
  w.data(1, big, true, 16384);
  const chunks = w.take();
  assert.ok(chunks.some((c) => c.buffer === big.buffer), "the large payload is queued without copying");
  const frames = parseFrames(concat(chunks));
  assert.deepEqual(frames.map((f) => [f.type, f.type === "data" ? f.data.length : (f as { fragment: Uint8Array }).fragment.length]), [
    ["headers", 10], ["continuation", 10], ["continuation", 5], ["data", 10000],
  ]);
  assert.equal((frames[0] as { endStream: boolean }).endStream, true);
  assert.deepEqual(w.take(), []);
  assert.ok(w.isEmpty());
});
