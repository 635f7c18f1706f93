// What a decoded header block means for a stream: informational (1xx) or final response
// headers, trailers, or a server push promise (RFC 9113 §8.1, §8.4).
//
//   AwaitingHeaders --1xx HEADERS--> AwaitingHeaders   (status + headers parts)
//   AwaitingHeaders --final HEADERS--> Body            (status + headers parts)
//   Body --HEADERS with END_STREAM--> Trailers         (headers part, then done)

import type { Headers, ResponsePart } from "../../types.js";
import { HTTPError } from "../../errors.js";
import type { H2Connection } from "./connection.js";
import { connectionError, ErrorCode, h2Error, streamError } from "./errors.js";
import { checkPromisedRequest, headerListSize, parseResponseHead, parseTrailers } from "./response-headers.js";
import { canReceive, newStream, Phase, stateAfterRecvEnd, type Stream } from "./stream-state.js";

/** The server ended the stream: check content-length, emit done, advance the state. */
export function endResponse(c: H2Connection, s: Stream, parts: ResponsePart[]): void {
  // RFC 9113 §8.1.1: content-length must equal the DATA received.
  if (s.expectedLength >= 0 && s.receivedLength !== s.expectedLength) {
    c.failStream(s, ErrorCode.PROTOCOL_ERROR, streamError(ErrorCode.PROTOCOL_ERROR,
      `response body of ${s.receivedLength} octets, content-length said ${s.expectedLength}`), parts);
    return;
  }
  c.idleFrames = 0;
  parts.push({ type: "done", ref: s.ref });
  s.state = stateAfterRecvEnd(s.state);
  // END_STREAM on a half-closed (local) stream closes it; no RST_STREAM is needed (Mint 1.6.1).
  if (s.state === "closed") c.removeStream(s);
}

function fail(c: H2Connection, s: Stream, error: HTTPError, parts: ResponsePart[]): void {
  c.failStream(s, ErrorCode.PROTOCOL_ERROR, error, parts);
}

/** Response HEADERS (final, 1xx or trailers) for stream `s`. */
export function handleResponseHeaders(c: H2Connection, s: Stream, headers: Headers, endStream: boolean, parts: ResponsePart[]): void {
  // RFC 9113 §5.1: reserved (remote) → half-closed (local) on HEADERS.
  if (s.state === "reserved_remote") s.state = "half_closed_local";
  if (!canReceive(s.state)) {
    c.failStream(s, ErrorCode.STREAM_CLOSED, streamError(ErrorCode.STREAM_CLOSED, "HEADERS after the end of the response"), parts);
    return;
  }
  const size = headerListSize(headers);
  if (size > c.client.maxHeaderListSize) {
    return fail(c, s, h2Error("max_header_list_size_exceeded", `response header list of ${size} octets exceeds the limit of ${c.client.maxHeaderListSize}`, {
      size, max: c.client.maxHeaderListSize,
    }), parts);
  }
  if (s.phase === Phase.AwaitingHeaders) {
    const head = parseResponseHead(headers);
    if (head instanceof HTTPError) return fail(c, s, head, parts);
    const status = head.status;
    if (status < 200) {
      // RFC 9113 §8.6: 101 is not used in HTTP/2.
      if (status === 101) return fail(c, s, streamError(ErrorCode.PROTOCOL_ERROR, "101 Switching Protocols is not allowed in HTTP/2"), parts);
      // RFC 9113 §8.1: an informational response cannot end the stream.
      if (endStream) return fail(c, s, streamError(ErrorCode.PROTOCOL_ERROR, `${status} informational response with END_STREAM`), parts);
      parts.push({ type: "status", ref: s.ref, status }, { type: "headers", ref: s.ref, headers: head.headers });
      c.idleFrames = 0;
      return;
    }
    parts.push({ type: "status", ref: s.ref, status }, { type: "headers", ref: s.ref, headers: head.headers });
    c.idleFrames = 0;
    s.phase = Phase.Body;
    // RFC 9110 §6.4.1: 204 and 304 responses have no content (nor do responses to HEAD).
    if (status === 204 || status === 304) s.noContent = true;
    // RFC 9113 §8.1.1: responses without content (HEAD, 204, 304) may carry any content-length.
    if (!s.skipLengthCheck && !s.noContent) s.expectedLength = head.contentLength;
    if (endStream) endResponse(c, s, parts);
    return;
  }
  // A second HEADERS is a trailer section, which must end the stream (RFC 9113 §8.1).
  if (!endStream) return fail(c, s, streamError(ErrorCode.PROTOCOL_ERROR, "HEADERS after the response headers without END_STREAM"), parts);
  const trailers = parseTrailers(headers);
  if (trailers instanceof HTTPError) return fail(c, s, trailers, parts);
  if (s.expectedLength >= 0 && s.receivedLength !== s.expectedLength) {
    return fail(c, s, streamError(ErrorCode.PROTOCOL_ERROR, `response body of ${s.receivedLength} octets, content-length said ${s.expectedLength}`), parts);
  }
  parts.push({ type: "headers", ref: s.ref, headers: trailers });
  s.phase = Phase.Trailers;
  endResponse(c, s, parts);
}

/** Reset a promised stream we do not take; it gives the caller nothing, so it counts as idle. */
function refusePush(c: H2Connection, promisedId: number, code: number): void {
  c.countAck();
  c.queueRst(promisedId, code);
  c.noteIdle();
}

/** A complete PUSH_PROMISE block promising `promisedId` on request stream `streamId`. */
export function handlePushPromise(c: H2Connection, streamId: number, promisedId: number, headers: Headers, parts: ResponsePart[]): void {
  const assoc = c.byId.get(streamId);
  if (assoc === undefined) {
    // The request was closed (cancelled or reset): refuse the push.
    return refusePush(c, promisedId, ErrorCode.CANCEL);
  }
  // RFC 9113 §6.6: PUSH_PROMISE only on a stream that is open or half-closed (local) for us.
  if (!canReceive(assoc.state)) throw connectionError(ErrorCode.PROTOCOL_ERROR, `PUSH_PROMISE on stream ${streamId} after its response ended`);
  // RFC 9113 §8.4: a promise without a complete, safe, cacheable request for this
  // connection's origin is refused with a stream error PROTOCOL_ERROR and never surfaced.
  const checked = checkPromisedRequest(headers, c.scheme, c.authority);
  if (typeof checked === "string") {
    c.log?.(`h2: refused push on stream ${promisedId}: ${checked}`);
    return refusePush(c, promisedId, ErrorCode.PROTOCOL_ERROR);
  }
  // Mint 1.9.0: pushes count against our SETTINGS_MAX_CONCURRENT_STREAMS; excess ones are refused.
  if (c.openPushStreams >= c.client.maxConcurrentStreams) return refusePush(c, promisedId, ErrorCode.REFUSED_STREAM);
  const method = checked.method;
  const s = newStream(promisedId, c.refOf(promisedId), true, "reserved_remote", c.server.initialWindowSize, c.client.initialWindowSize, method === "HEAD");
  s.noContent = method === "HEAD";
  c.addStream(s);
  c.lastProcessedPushId = promisedId;
  c.idleFrames = 0;
  parts.push({ type: "push_promise", ref: assoc.ref, promisedRef: s.ref, headers });
}
