// The HTTP/1.1 engine: request queue, pipelining, response parsing loop, keep-alive.
//
// How this works:
// - `request()` validates and encodes (request.ts), queues the bytes, and appends the request
//   to the in-flight queue at once, even when its body is still to be streamed: a server may
//   answer before the body ends (100 Continue, 413, 401), and those bytes belong to this
//   request. Only one body can stream at a time (`request_body_is_streaming`).
// - `receive()` walks the bytes with an index. Line-based states (status line, field lines,
//   chunk-size lines, trailers) look for LF with the native indexOf; a line that spans
//   receives is copied into one growable scratch buffer (`pend`) and parsed from there, so
//   bytes are joined only when a line is split. Body states slice the input: every `data`
//   part is a subarray view of the chunk passed to `receive()`, never a copy (safe because
//   the shell never reuses a chunk it has handed over).
// - Responses are matched to requests in order (RFC 9112 §9.3.2). After each response the
//   connection stays open unless RFC 9112 §9.3 says otherwise (`connection: close`, or
//   HTTP/1.0 without keep-alive); requests queued behind a closing response then get an
//   `error` part with TransportError `closed` (the server did not process them: safe to retry).
// - A response whose length cannot be trusted (body.ts `untrustedLength`: read until close,
//   transfer-encoding on HTTP/1.0, framing fields on a 1xx or 204) is the last one read: the
//   requests pipelined behind it fail at once with TransportError `closed` (details.why
//   "untrusted_length"), `request()` throws HTTPError `closed` from then on, and the
//   connection closes after it. A request carrying `connection: close` (RFC 9112 §9.6) is the
//   last one written: `request()` throws HTTPError `closed` (details.why
//   "connection_close_requested") after it, and the connection closes after its response.
// - Every request ends with exactly one `done` or `error` part. A connection error thrown from
//   `receive()`/`receiveEof()` carries in `parts` the parts parsed before it followed by an
//   `error` part for each request still in flight; the engine is then closed for good.

import type { Engine } from "../engine.js";
import type { Body, BodyChunk, Headers, RequestRef, ResponsePart } from "../../types.js";
import { EOF } from "../../types.js";
import { HTTPError, MintError, TransportError } from "../../errors.js";
import { nextRef } from "../refs.js";
import { FORBIDDEN_TRAILERS } from "../headers.js";
import { BodyMode, HeadCache, encodeRequest, encodeTrailers, type RequestConfig } from "./request.js";
import { CHUNK_LINE_MAX, encodeChunk, lastChunk, parseChunkSizeLine } from "./chunked.js";
import { ResponseHead, parseFieldLine, parseStatusLine } from "./response-parser.js";
import { parseHeadFast } from "./head-fast.js";
import { Framing, bodyFraming, untrustedLength } from "./body.js";
import { latin1 } from "./latin1.js";
import {
  bodyExceedsContentLength, closedBeforeResponse, closedError, contentLengthMismatch, invalidChunkSize, invalidHeader,
  invalidTrailerHeader, maxHeaderListSizeExceeded, missingCrlfAfterChunk, requestBodyIsStreaming, trailersButNotChunked,
  unexpectedData, invalidStatusLine, previewBytes, noMoreRequests, pipelinedBehindUntrusted, type WriteClosedWhy,
} from "./errors.js";

const HTTP_PREFIX = [72, 84, 84, 80, 47]; // "HTTP/"

/** Most field lines accepted in one header or trailer section. */
export const MAX_HEADER_COUNT = 1000;

const enum State {
  Status, Headers, Length, ChunkSize, ChunkData, ChunkCR, ChunkLF, Trailers, UntilClose,
}

interface InFlight {
  readonly ref: RequestRef;
  readonly method: string;
}

interface Streaming {
  readonly ref: RequestRef;
  readonly chunked: boolean;
  /** Declared content-length, -1 when the caller frames the body. */
  readonly declared: number;
  sent: number;
  /** Its response already ended (the server answered early). */
  responseDone: boolean;
}

const utf8 = new TextEncoder();

/** Engine settings resolved by `createHTTP1Engine`. */
export interface EngineSettings {
  request: RequestConfig;
  maxHeaderListSize: number;
  statusReason: boolean;
  log: ((line: string) => void) | undefined;
}

function copyError(e: MintError): HTTPError | TransportError {
  if (e instanceof HTTPError) return new HTTPError(e.protocol, e.reason, e.message, e.details);
  return new TransportError(e.reason, e.message, e.details);
}

export class HTTP1Engine implements Engine {
  readonly protocol = "http1" as const;
  private readonly cfg: RequestConfig;
  /** The last request head encoded, for repeats (request.ts). */
  private readonly headCache = new HeadCache();
  private readonly max: number;
  private readonly statusReason: boolean;
  private readonly log: ((line: string) => void) | undefined;

  private closed = false;
  private out: Uint8Array[] = [];
  /** Requests in flight, oldest at `qHead`, up to `qTail` (the array is reused, not shrunk). */
  private queue: InFlight[] = [];
  private qTail = 0;
  private qHead = 0;
  private streaming: Streaming | null = null;
  /** Set once no more requests may be written (the engine may still be reading). */
  private writeClosed: WriteClosedWhy | null = null;
  private writeClosedDetail = "";
  /** The request after whose response the connection closes, or null. */
  private closeAfter: RequestRef | null = null;

  private state = State.Status;
  private readonly head = new ResponseHead();
  private remaining = 0;
  private trailers: Headers = [];
  private trailerSize = 0;
  private pend = new Uint8Array(256);
  private pendLen = 0;

  constructor(settings: EngineSettings) {
    this.cfg = settings.request;
    this.max = settings.maxHeaderListSize;
    this.statusReason = settings.statusReason;
    this.log = settings.log;
  }

  /**
   * Queue a request.
   * @throws TypeError for wrong argument types.
   * @throws HTTPError `closed` (also, with `details.why`, once the connection takes no more
   *   requests: see the module comment), `request_body_is_streaming`, `invalid_request_method`,
   *   `invalid_request_target`, `invalid_header_name`, `invalid_header_value`,
   *   `content_length_mismatch`, `invalid_content_length_header`,
   *   `transfer_encoding_and_content_length`, `invalid_transfer_encoding`, `empty_token_list`,
   *   `invalid_token_list`
   */
  request(method: string, target: string, headers: Headers, body: Body): RequestRef {
    if (this.closed) throw closedError();
    if (this.writeClosed !== null) throw noMoreRequests(this.writeClosed, this.writeClosedDetail);
    if (this.streaming !== null) throw requestBodyIsStreaming();
    const enc = encodeRequest(this.cfg, this.headCache, method, target, headers, body, this.out);
    const ref = nextRef();
    this.queue[this.qTail++] = { ref, method };
    if (enc.close) {
      // RFC 9112 §9.6: a client that sends "close" MUST NOT send further requests
      this.writeClosed = "connection_close_requested";
      this.closeAfter = ref;
    }
    if (enc.mode !== BodyMode.Complete) {
      this.streaming = { ref, chunked: enc.mode === BodyMode.StreamChunked, declared: enc.contentLength, sent: 0, responseDone: false };
    }
    return ref;
  }

  /**
   * Queue a chunk of the streaming body, or end it with `EOF` / `{ eof: true, trailers }`.
   * An empty chunk is a no-op.
   * @throws TypeError when `ref` is not the request whose body is streaming (Mint raises), or
   *   for a chunk of the wrong type.
   * @throws HTTPError `closed`, `body_exceeds_content_length`, `content_length_mismatch` (EOF
   *   before the declared length), `trailing_headers_but_not_chunked_encoding`,
   *   `unallowed_trailing_header`, `invalid_header_name`, `invalid_header_value`
   */
  streamRequestBody(ref: RequestRef, chunk: BodyChunk): void {
    if (this.closed) throw closedError();
    const st = this.streaming;
    if (st === null || st.ref !== ref) {
      // its request was failed because of the response before it
      if (st === null && this.writeClosed !== null) throw noMoreRequests(this.writeClosed, this.writeClosedDetail);
      throw new TypeError(`request ${String(ref)} is not streaming a body`);
    }
    if (typeof chunk === "string" || chunk instanceof Uint8Array) {
      const bytes = typeof chunk === "string" ? utf8.encode(chunk) : chunk;
      if (bytes.length === 0) return;
      if (st.declared >= 0 && st.sent + bytes.length > st.declared) {
        throw bodyExceedsContentLength(st.declared, st.sent + bytes.length);
      }
      st.sent += bytes.length;
      if (st.chunked) encodeChunk(bytes, this.out);
      else this.out.push(bytes);
      return;
    }
    if (chunk === EOF) {
      if (st.declared >= 0 && st.sent !== st.declared) throw contentLengthMismatch(String(st.declared), st.sent);
      if (st.chunked) this.out.push(lastChunk());
      this.streaming = null;
      return;
    }
    if (typeof chunk === "object" && chunk !== null && (chunk as { eof?: unknown }).eof === true) {
      if (!st.chunked) throw trailersButNotChunked();
      this.out.push(encodeTrailers(this.cfg, (chunk as { trailers: Headers }).trailers));
      this.streaming = null;
      return;
    }
    throw new TypeError("a body chunk must be a string, a Uint8Array, EOF or { eof: true, trailers }");
  }

  /**
   * Parse response bytes into parts.
   * @throws HTTPError `closed`, `unexpected_data`, `invalid_status_line`, `invalid_header`,
   *   `max_header_list_size_exceeded`, `invalid_content_length_header`,
   *   `more_than_one_content_length_header`, `transfer_encoding_and_content_length`,
   *   `empty_token_list`, `invalid_token_list`, `invalid_chunk_size`,
   *   `missing_crlf_after_chunk`, `invalid_trailer_header` — each a connection error.
   */
  receive(data: Uint8Array): ResponsePart[] {
    if (!(data instanceof Uint8Array)) throw new TypeError("receive() takes a Uint8Array");
    if (this.closed) {
      const e = closedError();
      e.parts = [];
      throw e;
    }
    const parts: ResponsePart[] = [];
    if (data.length === 0) return parts;
    try {
      this.parse(data, parts);
    } catch (e) {
      if (!(e instanceof MintError)) throw e;
      this.failAll(e, parts);
      e.parts = parts;
      throw e;
    }
    return parts;
  }

  /**
   * The peer closed the connection: ends a read-until-close response, or fails the requests
   * in flight.
   * @throws TransportError `closed` when a response was incomplete or requests were waiting.
   */
  receiveEof(): ResponsePart[] {
    const parts: ResponsePart[] = [];
    if (this.closed) return parts;
    if (this.state === State.UntilClose && this.qHead < this.qTail) {
      parts.push({ type: "done", ref: this.queue[this.qHead]!.ref });
      this.pop();
      this.shutdown(parts, "the server closed the connection");
      return parts;
    }
    if (this.qHead === this.qTail) {
      this.shutdown(parts, "");
      return parts;
    }
    const err = new TransportError("closed", this.pendLen > 0 || this.state !== State.Status
      ? "the server closed the connection in the middle of a response"
      : "the server closed the connection before answering the requests in flight");
    this.failAll(err, parts);
    err.parts = parts;
    throw err;
  }

  /** Fail every request in flight with `error`; the engine closes. */
  fail(error: Error): ResponsePart[] {
    const parts: ResponsePart[] = [];
    if (this.closed) return parts;
    const code = (error as unknown as { code?: unknown }).code;
    const e = error instanceof HTTPError || error instanceof TransportError
      ? error
      : new TransportError(typeof code === "string" ? code.toLowerCase() : "closed", error.message, undefined, { cause: error });
    for (let i = this.qHead; i < this.qTail; i++) parts.push({ type: "error", ref: this.queue[i]!.ref, error: e });
    this.queue = [];
    this.qHead = this.qTail = 0;
    this.closeNow();
    return parts;
  }

  takeOutgoing(): Uint8Array[] {
    const o = this.out;
    if (o.length === 0) return [];
    this.out = [];
    return o;
  }

  close(): void {
    this.queue = [];
    this.qHead = this.qTail = 0;
    this.closeNow();
  }

  isOpen(type: "read" | "write"): boolean {
    return !this.closed && (type === "read" || this.writeClosed === null);
  }

  openRequestCount(): number {
    const st = this.streaming;
    return this.qTail - this.qHead + (st !== null && st.responseDone ? 1 : 0);
  }

  /** Infinity for the request whose body is streaming; TypeError for any other ref (as Mint). */
  requestBodyWindow(ref: RequestRef): number {
    if (this.streaming !== null && this.streaming.ref === ref) return Infinity;
    throw new TypeError(`request ${String(ref)} is not streaming a body`);
  }

  // ---- internals -------------------------------------------------------------------------

  private closeNow(): void {
    this.closed = true;
    this.streaming = null;
    this.pendLen = 0;
  }

  private pop(): void {
    this.queue[this.qHead++] = undefined as unknown as InFlight;
    if (this.qHead === this.qTail) {
      this.qHead = this.qTail = 0;
      // give back the room a long pipeline took
      if (this.queue.length > 1024) this.queue = [];
    }
  }

  /** Close after a response; requests still queued were not processed by the server. */
  private shutdown(parts: ResponsePart[], why: string): void {
    this.endQueue(parts, () => closedBeforeResponse(why));
  }

  /**
   * The response being read has no length the client can trust (`why`): it is the last one
   * read. The requests pipelined behind it fail now, none are taken any more, and the
   * connection closes after it.
   */
  private untrusted(parts: ResponsePart[], why: string): void {
    const cur = this.queue[this.qHead]!.ref;
    for (let i = this.qHead + 1; i < this.qTail; i++) {
      const ref = this.queue[i]!.ref;
      parts.push({ type: "error", ref, error: pipelinedBehindUntrusted(why) });
      if (this.streaming !== null && this.streaming.ref === ref) this.streaming = null;
    }
    this.queue.length = this.qTail = this.qHead + 1;
    this.closeAfter = cur;
    if (this.writeClosed === null) {
      this.writeClosed = "untrusted_length";
      this.writeClosedDetail = why;
    }
  }

  /** Connection error: an error part for every request in flight, then close. */
  private failAll(e: MintError, parts: ResponsePart[]): void {
    this.endQueue(parts, () => copyError(e));
  }

  /** An error part (a fresh error each) for every queued request, then close. */
  private endQueue(parts: ResponsePart[], error: () => HTTPError | TransportError): void {
    for (let i = this.qHead; i < this.qTail; i++) {
      parts.push({ type: "error", ref: this.queue[i]!.ref, error: error() });
    }
    this.queue = [];
    this.qHead = this.qTail = 0;
    this.closeNow();
  }

  /**
   * Emit the next `remaining` body bytes (of a content-length body or a chunk) as a view of
   * `data` from `pos`. Returns where they end, or -1 when `data` ran out first.
   */
  private takeBody(data: Uint8Array, pos: number, parts: ResponsePart[]): number {
    const len = data.length;
    const ref = this.queue[this.qHead]!.ref;
    if (len - pos < this.remaining) {
      parts.push({ type: "data", ref, data: pos === 0 ? data : data.subarray(pos) });
      this.remaining -= len - pos;
      return -1;
    }
    const end = pos + this.remaining;
    parts.push({ type: "data", ref, data: pos === 0 && end === len ? data : data.subarray(pos, end) });
    this.remaining = 0;
    return end;
  }

  private parse(data: Uint8Array, parts: ResponsePart[]): void {
    const len = data.length;
    let pos = 0;
    while (pos < len) {
      if (this.qHead === this.qTail) throw unexpectedData(data.subarray(pos));
      switch (this.state) {
        case State.Length: {
          const end = this.takeBody(data, pos, parts);
          if (end < 0) return;
          pos = this.endResponse(parts, len, end);
          break;
        }
        case State.ChunkData: {
          const end = this.takeBody(data, pos, parts);
          if (end < 0) return;
          this.state = State.ChunkCR;
          pos = end;
          break;
        }
        case State.ChunkCR:
          // RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
          if (data[pos] !== 13) throw missingCrlfAfterChunk();
          pos++;
          this.state = State.ChunkLF;
          break;
        case State.ChunkLF:
          if (data[pos] !== 10) throw missingCrlfAfterChunk();
          pos++;
          this.state = State.ChunkSize;
          break;
        case State.UntilClose:
          parts.push({ type: "data", ref: this.queue[this.qHead]!.ref, data: pos === 0 ? data : data.subarray(pos) });
          return;
        default:
          pos = this.line(data, pos, parts);
      }
    }
  }

  /** Find the end of the current line; parse it, or keep the partial line for later. */
  private line(data: Uint8Array, pos: number, parts: ResponsePart[]): number {
    if (this.state === State.Status && this.pendLen === 0) {
      const head = this.head;
      let end: number;
      try {
        end = parseHeadFast(data, pos, head, this.max, MAX_HEADER_COUNT);
      } catch (e) {
        // a framing field was refused after the status line was read: same parts as line by line
        if (head.status !== 0) this.statusParts(parts, data, head.reasonStart, head.reasonEnd);
        throw e;
      }
      if (end >= 0) {
        this.statusParts(parts, data, head.reasonStart, head.reasonEnd);
        return this.endHead(parts, data, end);
      }
    }
    const lf = data.indexOf(10, pos);
    if (lf < 0) {
      this.stash(data, pos, data.length);
      return data.length;
    }
    let buf = data, s = pos, e = lf, lineLen = lf - pos + 1;
    if (this.pendLen > 0) {
      this.stash(data, pos, lf);
      buf = this.pend;
      s = 0;
      e = this.pendLen;
      lineLen = e + 1;
      this.pendLen = 0;
    }
    // RFC 9112 §2.2: a recipient MAY take a bare LF as the line terminator; CR before it is dropped
    if (e > s && buf[e - 1] === 13) e--;
    const next = this.onLine(buf, s, e, lineLen, data, lf + 1, parts);
    // give back a scratch buffer grown by one long split line
    if (buf === this.pend && buf.length > 65536) this.pend = new Uint8Array(256);
    return next;
  }

  /** Keep `data[from, to)` of a line split across receives, within the section's size cap. */
  private stash(data: Uint8Array, from: number, to: number): void {
    const need = this.pendLen + (to - from);
    switch (this.state) {
      case State.Status:
        // RFC 9112 §4: a status line starts with "HTTP/". Checking the first bytes as they come
        // turns a peer that speaks something else (an h2c-only server's SETTINGS) into a
        // clear error at once instead of a wait for a line ending that never comes.
        for (let i = this.pendLen; i < HTTP_PREFIX.length && i < need; i++) {
          if (data[from + i - this.pendLen] !== HTTP_PREFIX[i]) {
            throw invalidStatusLine(`it does not start with "HTTP/" (the server may not speak HTTP/1.1; got ${previewBytes(data.subarray(from, to))})`);
          }
        }
        if (this.head.size + need > this.max) throw maxHeaderListSizeExceeded(this.head.size + need, this.max);
        break;
      case State.Headers:
        if (this.head.size + need > this.max) throw maxHeaderListSizeExceeded(this.head.size + need, this.max);
        break;
      case State.Trailers:
        if (this.trailerSize + need > this.max) throw maxHeaderListSizeExceeded(this.trailerSize + need, this.max);
        break;
      default:
        if (need > CHUNK_LINE_MAX + 1) throw invalidChunkSize(`chunk-size line longer than ${CHUNK_LINE_MAX} bytes`);
    }
    if (need > this.pend.length) {
      const grown = new Uint8Array(Math.max(need, this.pend.length * 2));
      grown.set(this.pend.subarray(0, this.pendLen));
      this.pend = grown;
    }
    this.pend.set(data.subarray(from, to), this.pendLen);
    this.pendLen = need;
  }

  private onLine(buf: Uint8Array, s: number, e: number, lineLen: number, data: Uint8Array, next: number, parts: ResponsePart[]): number {
    switch (this.state) {
      case State.Status: {
        const head = this.head;
        head.size = lineLen;
        if (lineLen > this.max) throw maxHeaderListSizeExceeded(lineLen, this.max);
        this.statusParts(parts, buf, parseStatusLine(buf, s, e, head), e);
        this.state = State.Headers;
        return next;
      }
      case State.Headers: {
        const head = this.head;
        head.size += lineLen;
        if (head.size > this.max) throw maxHeaderListSizeExceeded(head.size, this.max);
        if (e === s) return this.endHead(parts, data, next);
        if (head.headers.length >= MAX_HEADER_COUNT) {
          throw maxHeaderListSizeExceeded(head.size, this.max, { headers: head.headers.length + 1, maxHeaders: MAX_HEADER_COUNT });
        }
        if (!parseFieldLine(buf, s, e, head.headers, head)) throw invalidHeader();
        return next;
      }
      case State.ChunkSize: {
        if (e - s > CHUNK_LINE_MAX) throw invalidChunkSize(`chunk-size line longer than ${CHUNK_LINE_MAX} bytes`);
        const size = parseChunkSizeLine(buf, s, e);
        if (size === 0) {
          this.state = State.Trailers;
          this.trailerSize = 0;
          this.trailers = [];
        } else {
          this.remaining = size;
          this.state = State.ChunkData;
        }
        return next;
      }
      default: {
        // State.Trailers — RFC 9112 §7.1.2: trailer-section = *( field-line CRLF )
        this.trailerSize += lineLen;
        if (this.trailerSize > this.max) throw maxHeaderListSizeExceeded(this.trailerSize, this.max);
        if (e === s) {
          const kept: Headers = [];
          for (const t of this.trailers) if (!FORBIDDEN_TRAILERS.has(t[0])) kept.push(t);
          if (kept.length > 0) parts.push({ type: "headers", ref: this.queue[this.qHead]!.ref, headers: kept });
          this.trailers = [];
          return this.endResponse(parts, data.length, next);
        }
        if (this.trailers.length >= MAX_HEADER_COUNT) {
          throw maxHeaderListSizeExceeded(this.trailerSize, this.max, { headers: this.trailers.length + 1, maxHeaders: MAX_HEADER_COUNT });
        }
        if (!parseFieldLine(buf, s, e, this.trailers, null)) throw invalidTrailerHeader();
        return next;
      }
    }
  }

  private statusParts(parts: ResponsePart[], buf: Uint8Array, reasonStart: number, reasonEnd: number): void {
    const ref = this.queue[this.qHead]!.ref;
    parts.push({ type: "status", ref, status: this.head.status });
    if (this.statusReason) parts.push({ type: "status_reason", ref, reason: latin1(buf, reasonStart, reasonEnd) });
  }

  /** The blank line after the header section: emit headers, pick the body framing. */
  private endHead(parts: ResponsePart[], data: Uint8Array, next: number): number {
    const len = data.length;
    const cur = this.queue[this.qHead]!;
    const head = this.head;
    parts.push({ type: "headers", ref: cur.ref, headers: head.headers });
    const framing = bodyFraming(cur.method, head);
    if (framing !== Framing.ContentLength && framing !== Framing.Chunked && framing !== Framing.Takeover) {
      const why = untrustedLength(framing, head);
      if (why !== null) this.untrusted(parts, why);
    }
    switch (framing) {
      case Framing.Informational:
        // 1xx: the final response for the same request follows (RFC 9110 §15.2)
        head.reset();
        this.state = State.Status;
        return next;
      case Framing.None:
        return this.endResponse(parts, len, next);
      case Framing.Takeover:
        // 101 / CONNECT 2xx: the bytes after the head belong to the new protocol (Mint: one
        // data part with the rest of what was received), and the engine is done with HTTP.
        if (next < len) parts.push({ type: "data", ref: cur.ref, data: data.subarray(next) });
        parts.push({ type: "done", ref: cur.ref });
        this.pop();
        this.shutdown(parts, "the connection switched to another protocol");
        return len;
      case Framing.Chunked:
        this.state = State.ChunkSize;
        return next;
      case Framing.ContentLength:
        this.remaining = head.contentLength;
        this.state = State.Length;
        return next;
      default:
        this.state = State.UntilClose;
        return next;
    }
  }

  /** A response is complete: `done`, dequeue, keep-alive decision. */
  private endResponse(parts: ResponsePart[], len: number, next: number): number {
    const ref = this.queue[this.qHead]!.ref;
    parts.push({ type: "done", ref });
    this.pop();
    const st = this.streaming;
    if (st !== null && st.ref === ref) st.responseDone = true;
    const keepAlive = this.head.keepAlive() && ref !== this.closeAfter;
    this.head.reset();
    this.state = State.Status;
    if (!keepAlive) {
      if (next < len && this.log !== undefined) this.log(`http1: ${len - next} bytes after a closing response were dropped`);
      this.shutdown(parts, "the server closed the connection after an earlier response");
      return len;
    }
    return next;
  }
}
