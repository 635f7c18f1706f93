// Handling of each frame the server sends (RFC 9113 §6), turning them into response
// parts and queued answers (ACKs, WINDOW_UPDATEs, RST_STREAMs).
//
// Connection errors are thrown (the engine answers with GOAWAY and turns terminal);
// stream errors reset the one stream and add an `error` part for it. Frames for streams
// we closed are ignored where RFC 9113 §5.1 allows, but header blocks are still decoded
// to keep the HPACK table in sync, and DATA still counts against the connection window.

import type { Headers, ResponsePart } from "../../types.js";
import { connectionError, ErrorCode, errorCodeDetails, errorCodeName, h2Error, malformed, streamError } from "./errors.js";
import { HTTPError } from "../../errors.js";
import { Flag, FrameType } from "./frame-header.js";
import {
  decodeContinuation, decodeData, decodeGoaway, decodeHeaders, decodePing, decodePriority, decodePushPromise,
  decodeRstStream, decodeSettings, decodeWindowUpdate,
} from "./frames-decode.js";
import { growWindow, refillIncrement } from "./flow-control.js";
import { checkSize, continueBlock, decodeBlock, decodeBytes, startBlock } from "./header-block.js";
import type { H2Connection, PendingBlock } from "./connection.js";
import type { Stream } from "./stream-state.js";
import { handleResponseHeaders, handlePushPromise, endResponse } from "./response.js";
import { applyClientAck, applyServerSettings } from "./settings-exchange.js";
import { canReceive, Phase } from "./stream-state.js";

// Floods: frames that ask for an answer (PING, SETTINGS, and those we answer with RST_STREAM)
// are limited by the answers queued and not yet taken (H2Connection.countAck), not by how many
// arrive; frames that give the caller nothing (RST_STREAM, empty DATA, ignored or refused
// frames, unsolicited ACKs, empty CONTINUATION) are limited by how many come in a row.

export { MAX_IDLE_FRAMES } from "./connection.js";

const textDecoder = new TextDecoder();

function idle(c: H2Connection): void {
  c.noteIdle();
}

/** Frames that may not come now: inside a header block, or before the server's SETTINGS. */
function checkSequence(c: H2Connection, type: number, flags: number, streamId: number, payload: Uint8Array): void {
  // RFC 9113 §6.10: while a header block is open, only its CONTINUATION frames may arrive.
  if (c.block !== null && (type !== FrameType.CONTINUATION || streamId !== c.block.streamId)) {
    throw connectionError(ErrorCode.PROTOCOL_ERROR, `frame of type ${type} on stream ${streamId} inside a header block of stream ${c.block.streamId}`);
  }
  if (!c.handshakeDone) {
    // RFC 9113 §3.4: the server preface is a SETTINGS frame, and must come first.
    if (type === FrameType.GOAWAY) {
      const f = decodeGoaway(streamId, payload);
      throw h2Error("server_closed_connection", `the server refused the connection with GOAWAY ${errorCodeName(f.errorCode)}`, {
        ...errorCodeDetails(f.errorCode), debugData: textDecoder.decode(f.debugData),
      });
    }
    if (type !== FrameType.SETTINGS || (flags & Flag.ACK) !== 0) {
      throw connectionError(ErrorCode.PROTOCOL_ERROR, "the server's first frame was not SETTINGS");
    }
    c.handshakeDone = true;
  }
}

/** Process one frame. Throws connection errors; pushes parts. */
export function handleFrame(c: H2Connection, type: number, flags: number, streamId: number, payload: Uint8Array, parts: ResponsePart[]): void {
  if (c.block !== null || !c.handshakeDone) checkSequence(c, type, flags, streamId, payload);
  switch (type) {
    case FrameType.DATA: return onData(c, flags, streamId, payload, parts);
    case FrameType.HEADERS: {
      // Without padding and priority fields, on a stream other than 0, the payload is the
      // fragment; otherwise decodeHeaders checks the frame (RFC 9113 §6.2) and cuts it out.
      const fragment = (flags & (Flag.PADDED | Flag.PRIORITY)) === 0 && streamId !== 0
        ? payload : decodeHeaders(flags, streamId, payload).fragment;
      if (c.isIdle(streamId) && !c.byId.has(streamId)) {
        // RFC 9113 §5.1: HEADERS on an idle stream the server may not open (odd id, or an unpromised even id).
        throw connectionError(ErrorCode.PROTOCOL_ERROR, `HEADERS on idle stream ${streamId}`);
      }
      const endStream = (flags & Flag.END_STREAM) !== 0;
      if ((flags & Flag.END_HEADERS) !== 0) {
        checkSize(c, fragment.length);
        return onHeaderList(c, "headers", streamId, endStream, 0, decodeBytes(c, fragment), parts);
      }
      startBlock(c, "headers", streamId, endStream, 0, fragment, false);
      return;
    }
    case FrameType.CONTINUATION: {
      const f = decodeContinuation(flags, streamId, payload);
      if (f.fragment.length === 0 && !f.endHeaders) idle(c);
      const block = continueBlock(c, f.fragment, f.endHeaders);
      if (block !== null) return onBlock(c, block, parts);
      return;
    }
    case FrameType.PRIORITY:
      // RFC 9113 §5.3.2: priority signals are deprecated; check the frame, then ignore it.
      decodePriority(streamId, payload);
      c.log?.("h2: ignored PRIORITY frame");
      return idle(c);
    case FrameType.RST_STREAM: return onRstStream(c, streamId, payload, parts);
    case FrameType.SETTINGS: {
      const f = decodeSettings(flags, streamId, payload);
      if (f.ack) {
        if (c.pendingSettings.length === 0) idle(c);
        return applyClientAck(c);
      }
      c.countAck();
      applyServerSettings(c, f.params);
      c.queueSettingsAck();
      return;
    }
    case FrameType.PUSH_PROMISE: {
      // RFC 9113 §6.6: PUSH_PROMISE after we disabled push is a PROTOCOL_ERROR.
      if (!c.client.enablePush) throw connectionError(ErrorCode.PROTOCOL_ERROR, "PUSH_PROMISE received with push disabled");
      const f = decodePushPromise(flags, streamId, payload);
      const promised = f.promisedStreamId;
      // RFC 9113 §5.1.1: server streams are even and new ids are larger than all earlier ones.
      if ((promised & 1) === 1 || promised <= c.lastPushId) {
        throw connectionError(ErrorCode.PROTOCOL_ERROR, `PUSH_PROMISE with invalid promised stream id ${promised}`);
      }
      if ((streamId & 1) === 0 || (c.isIdle(streamId) && !c.byId.has(streamId))) {
        throw connectionError(ErrorCode.PROTOCOL_ERROR, `PUSH_PROMISE on stream ${streamId}, not an open request`);
      }
      c.lastPushId = promised;
      const block = startBlock(c, "push_promise", streamId, false, promised, f.fragment, f.endHeaders);
      if (block !== null) return onBlock(c, block, parts);
      return;
    }
    case FrameType.PING: {
      const f = decodePing(flags, streamId, payload);
      if (f.ack) return onPingAck(c, f.payload, parts);
      c.countAck();
      // RFC 9113 §6.7: answer with a PING ACK carrying the same payload.
      c.out.frame(FrameType.PING, Flag.ACK, 0, f.payload);
      return;
    }
    case FrameType.GOAWAY: return onGoaway(c, streamId, payload, parts);
    case FrameType.WINDOW_UPDATE: return onWindowUpdate(c, streamId, payload, parts);
    default:
      // RFC 9113 §4.1, §5.5: unknown frame types are ignored.
      return idle(c);
  }
}

function onData(c: H2Connection, flags: number, streamId: number, payload: Uint8Array, parts: ResponsePart[]): void {
  // Without padding, on a stream other than 0, the payload is the data; otherwise decodeData
  // checks the frame (RFC 9113 §6.1) and cuts the data out.
  const data = (flags & Flag.PADDED) === 0 && streamId !== 0 ? payload : decodeData(flags, streamId, payload).data;
  const endStream = (flags & Flag.END_STREAM) !== 0;
  const s = startData(c, streamId, payload.length, data.length, parts);
  if (s === null) return;
  if (data.length > 0) {
    c.idleFrames = 0;
    parts.push({ type: "data", ref: s.ref, data });
  } else if (!endStream) {
    idle(c);
  }
  if (endStream) endResponse(c, s, parts);
}

/**
 * One piece of an unpadded DATA frame that spans reads (frame-reader.ts). The first piece
 * checks and counts the whole frame, as a whole DATA frame would be; each piece's bytes go
 * out as they arrive, while the stream still takes them; the last piece ends the response
 * on END_STREAM.
 */
export function handleDataPiece(
  c: H2Connection, flags: number, streamId: number, piece: Uint8Array, first: boolean, last: boolean, frameLength: number,
  parts: ResponsePart[],
): void {
  if (first) {
    if (c.block !== null || !c.handshakeDone) checkSequence(c, FrameType.DATA, flags, streamId, piece);
    c.dataStream = startData(c, streamId, frameLength, frameLength, parts);
    if (c.dataStream !== null) c.idleFrames = 0;
  }
  const s = c.dataStream;
  if (s === null) return;
  if (last) c.dataStream = null;
  // The caller may have cancelled the request, or a stream error ended it, since the first piece.
  if (c.byId.get(streamId) !== s || s.phase !== Phase.Body) return;
  if (piece.length > 0) parts.push({ type: "data", ref: s.ref, data: piece });
  if (last && (flags & Flag.END_STREAM) !== 0) endResponse(c, s, parts);
}

/**
 * Checks and counts a DATA frame of `flowLength` octets carrying `dataLength` octets of
 * content. Returns the stream to deliver it to, or null when it is dropped (closed stream,
 * or a stream error pushed for it).
 */
function startData(c: H2Connection, streamId: number, flowLength: number, dataLength: number, parts: ResponsePart[]): Stream | null {
  // RFC 9113 §6.1: flow control counts the whole payload, padding included.
  const n = flowLength;
  // RFC 9113 §6.9.1: the sender MUST NOT exceed the window; every DATA counts, padding included,
  // even on streams we closed (§6.9).
  if (n > c.recv.remaining) {
    throw connectionError(ErrorCode.FLOW_CONTROL_ERROR, `DATA of ${n} octets exceeds the connection receive window ${c.recv.remaining}`);
  }
  c.recv.remaining -= n;
  const s = c.byId.get(streamId);
  if (s === undefined) {
    // RFC 9113 §6.1: DATA on an idle stream is a PROTOCOL_ERROR; on a closed one it is ignored.
    if (c.isIdle(streamId)) throw connectionError(ErrorCode.PROTOCOL_ERROR, `DATA on idle stream ${streamId}`);
    // Data still in flight for a cancelled request is bounded by flow control; only empty frames count as idle.
    if (n === 0) idle(c);
    return null;
  }
  if (n > s.recvRemaining) {
    c.failStream(s, ErrorCode.FLOW_CONTROL_ERROR, streamError(ErrorCode.FLOW_CONTROL_ERROR, `DATA exceeds the stream receive window ${s.recvRemaining}`), parts);
    return null;
  }
  s.recvRemaining -= n;
  if (n > 0) c.touched.push(s);
  // RFC 9113 §5.1: only HEADERS, RST_STREAM and PRIORITY may arrive on a reserved (remote) stream.
  if (s.state === "reserved_remote") throw connectionError(ErrorCode.PROTOCOL_ERROR, `DATA on reserved stream ${streamId}`);
  if (!canReceive(s.state)) {
    // RFC 9113 §5.1: DATA after the server ended the stream is a STREAM_CLOSED stream error.
    c.failStream(s, ErrorCode.STREAM_CLOSED, streamError(ErrorCode.STREAM_CLOSED, "DATA after the end of the response"), parts);
    return null;
  }
  if (s.phase !== Phase.Body) {
    // RFC 9113 §8.1: a response starts with HEADERS.
    c.failStream(s, ErrorCode.PROTOCOL_ERROR, streamError(ErrorCode.PROTOCOL_ERROR, "DATA before the response HEADERS"), parts);
    return null;
  }
  // RFC 9110 §6.4.1: a response to HEAD, or with status 204 or 304, has no content.
  if (dataLength > 0 && s.noContent) {
    c.failStream(s, ErrorCode.PROTOCOL_ERROR, malformed("content_not_allowed", "DATA on a response that cannot have content (HEAD, 204 or 304)"), parts);
    return null;
  }
  s.receivedLength += dataLength;
  // RFC 9113 §8.1.1: more content than content-length makes the response malformed.
  if (s.expectedLength >= 0 && s.receivedLength > s.expectedLength) {
    c.failStream(s, ErrorCode.PROTOCOL_ERROR, streamError(ErrorCode.PROTOCOL_ERROR, `more DATA than the content-length of ${s.expectedLength}`), parts);
    return null;
  }
  return s;
}

function onBlock(c: H2Connection, block: PendingBlock, parts: ResponsePart[]): void {
  onHeaderList(c, block.kind, block.streamId, block.endStream, block.promisedStreamId, decodeBlock(c, block), parts);
}

/** A complete header block, decoded (or the stream error its size gave). */
function onHeaderList(
  c: H2Connection, kind: PendingBlock["kind"], streamId: number, endStream: boolean, promisedStreamId: number,
  headers: Headers | HTTPError, parts: ResponsePart[],
): void {
  if (kind === "headers") {
    const s = c.byId.get(streamId);
    // A stream we closed (cancelled, reset): the block was decoded only to keep HPACK in sync.
    if (s === undefined) return idle(c);
    // RFC 9113 §10.5.1: a header list over our advertised limit fails this request only.
    if (headers instanceof HTTPError) return c.failStream(s, ErrorCode.PROTOCOL_ERROR, headers, parts);
    return handleResponseHeaders(c, s, headers, endStream, parts);
  }
  // A promise over our header-list limit is refused like any push we do not take.
  if (headers instanceof HTTPError) {
    c.countAck();
    c.queueRst(promisedStreamId, ErrorCode.REFUSED_STREAM);
    return idle(c);
  }
  return handlePushPromise(c, streamId, promisedStreamId, headers, parts);
}

function onRstStream(c: H2Connection, streamId: number, payload: Uint8Array, parts: ResponsePart[]): void {
  const f = decodeRstStream(streamId, payload);
  idle(c);
  const s = c.byId.get(streamId);
  if (s === undefined) {
    // RFC 9113 §6.4: RST_STREAM on an idle stream is a PROTOCOL_ERROR.
    if (c.isIdle(streamId)) throw connectionError(ErrorCode.PROTOCOL_ERROR, `RST_STREAM on idle stream ${streamId}`);
    return;
  }
  const responseDone = s.state === "half_closed_remote";
  c.removeStream(s);
  if (responseDone) return;
  // RFC 9113 §8.1: NO_ERROR ends a request well only once its response is complete: a final
  // status, and all the content a content-length announced.
  const complete = s.phase !== Phase.AwaitingHeaders && (s.expectedLength < 0 || s.receivedLength === s.expectedLength);
  if (f.errorCode === ErrorCode.NO_ERROR && complete) {
    parts.push({ type: "done", ref: s.ref });
  } else if (f.errorCode === ErrorCode.NO_ERROR) {
    const what = s.phase === Phase.AwaitingHeaders
      ? "before sending a final status"
      : `after ${s.receivedLength} of the ${s.expectedLength} octets its content-length announced`;
    parts.push({
      type: "error", ref: s.ref,
      error: h2Error("server_closed_request", `the server reset the request with NO_ERROR ${what}: the response is incomplete`, {
        errorCode: "no_error", incomplete: true,
      }),
    });
  } else {
    const name = errorCodeName(f.errorCode);
    parts.push({
      type: "error", ref: s.ref,
      error: h2Error("server_closed_request", `the server reset the request with ${name.toUpperCase()}`, errorCodeDetails(f.errorCode)),
    });
  }
}

function onPingAck(c: H2Connection, payload: Uint8Array, parts: ResponsePart[]): void {
  for (let i = 0; i < c.pings.length; i++) {
    const p = c.pings[i]!.payload;
    let same = true;
    for (let j = 0; j < 8; j++) if (p[j] !== payload[j]) { same = false; break; }
    if (same) {
      const [entry] = c.pings.splice(i, 1);
      parts.push({ type: "pong", ref: entry!.ref });
      return;
    }
  }
  c.log?.("h2: ignored a PING ACK that matches no PING we sent");
  idle(c);
}

function onGoaway(c: H2Connection, streamId: number, payload: Uint8Array, parts: ResponsePart[]): void {
  const f = decodeGoaway(streamId, payload);
  const debugData = textDecoder.decode(f.debugData);
  c.goaway = { lastStreamId: f.lastStreamId, errorCode: f.errorCode, debugData };
  if (c.phase === "open") c.phase = "goaway";
  // RFC 9113 §6.8: streams above last_stream_id were not processed and may be retried.
  for (const s of c.byId.values()) {
    if (s.isPush || s.id <= f.lastStreamId) continue;
    // A response that already ended (and got `done`) while our body was still streaming.
    const answered = s.state === "half_closed_remote";
    c.removeStream(s);
    if (answered) continue;
    parts.push({
      type: "error", ref: s.ref,
      error: h2Error("unprocessed", "the server did not process this request before going away; it is safe to retry"),
    });
  }
  if (f.errorCode !== ErrorCode.NO_ERROR) {
    c.pendingError = h2Error("server_closed_connection", `the server closed the connection with GOAWAY ${errorCodeName(f.errorCode)}${debugData ? `: ${debugData}` : ""}`, {
      ...errorCodeDetails(f.errorCode), debugData,
    });
  }
}

function onWindowUpdate(c: H2Connection, streamId: number, payload: Uint8Array, parts: ResponsePart[]): void {
  const f = decodeWindowUpdate(streamId, payload);
  if (streamId === 0) {
    // RFC 9113 §6.9: a zero increment on the connection is a PROTOCOL_ERROR.
    if (f.increment === 0) throw connectionError(ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE with a zero increment on the connection");
    const w = growWindow(c.sendWindow, f.increment);
    // RFC 9113 §6.9.1: a window above 2^31-1 is a FLOW_CONTROL_ERROR.
    if (w < 0) throw connectionError(ErrorCode.FLOW_CONTROL_ERROR, "WINDOW_UPDATE pushed the connection window past 2^31-1");
    c.sendWindow = w;
    c.sendWindowGrew = true;
    return;
  }
  const s = c.byId.get(streamId);
  if (s === undefined) {
    // RFC 9113 §6.9: WINDOW_UPDATE on an idle stream is a PROTOCOL_ERROR; closed streams ignore it.
    if (c.isIdle(streamId)) throw connectionError(ErrorCode.PROTOCOL_ERROR, `WINDOW_UPDATE on idle stream ${streamId}`);
    return idle(c);
  }
  if (f.increment === 0) {
    c.failStream(s, ErrorCode.PROTOCOL_ERROR, streamError(ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE with a zero increment"), parts);
    return;
  }
  const w = growWindow(s.sendWindow, f.increment);
  if (w < 0) {
    c.failStream(s, ErrorCode.FLOW_CONTROL_ERROR, streamError(ErrorCode.FLOW_CONTROL_ERROR, "WINDOW_UPDATE pushed the stream window past 2^31-1"), parts);
    return;
  }
  s.sendWindow = w;
  c.sendWindowGrew = true;
}

/** After a receive(): top receive windows back up to their peak where due (batched). */
export function refillWindows(c: H2Connection): void {
  const inc = refillIncrement(c.recv.peak, c.recv.remaining, c.refillThreshold);
  if (inc > 0) {
    c.queueWindowUpdate(0, inc);
    c.recv.remaining += inc;
  }
  const touched = c.touched;
  for (let i = 0; i < touched.length; i++) {
    const s = touched[i]!;
    // A held stream (holdReceiveWindow) gets its refill when it is released.
    if (s.held || !canReceive(s.state)) continue;
    const si = refillIncrement(s.recvPeak, s.recvRemaining, c.refillThreshold);
    if (si > 0) {
      c.queueWindowUpdate(s.id, si);
      s.recvRemaining += si;
    }
  }
  touched.length = 0;
}
