// The state of one HTTP/2 connection, shared by the receive handlers (receive.ts,
// header-block.ts) and the public engine (engine.ts), with the small helpers all of
// them use to queue control frames and retire streams.
//
// Streams live in a table by id (stream-table.ts); a request's ref is the connection's ref
// prefix and the stream id, so a stream is found from its ref through the same table. Once
// closed they are removed; whether an id absent from the table was used before (closed) or
// never (idle) follows from the next id we would open (odd, client streams) and the highest
// promised id (even, server pushes): RFC 9113 §5.1.1 makes ids strictly increasing.

import { Encoder, Decoder } from "../../hpack/index.js";
import type { HTTPError, TransportError } from "../../errors.js";
import { connectionError, ErrorCode } from "./errors.js";
import type { HTTP2Settings, RequestRef, ResponsePart } from "../../types.js";
import { FrameType, Flag } from "./frame-header.js";
import { FrameReader } from "./frame-reader.js";
import { WriteBuffer } from "./write-buffer.js";
import { nextRefNames } from "../refs.js";
import type { ReceiveWindow } from "./flow-control.js";
import type { Stream } from "./stream-state.js";
import { StreamTable } from "./stream-table.js";

/**
 * Most acknowledgements (PING ACK, SETTINGS ACK, RST_STREAM) queued and not yet taken by the
 * shell. One 64 KiB socket read holds at most 7282 frames that ask for one (empty SETTINGS),
 * so a peer that reads what we send is always answered.
 */
export const MAX_OUTBOUND_ACKS = 10_000;
/** Most frames in a row that do no useful work (RST_STREAM, empty DATA, ignored frames). */
export const MAX_IDLE_FRAMES = 1000;

/** A header block being collected over HEADERS/PUSH_PROMISE + CONTINUATION frames. */
export interface PendingBlock {
  kind: "headers" | "push_promise";
  streamId: number;
  endStream: boolean;
  promisedStreamId: number;
  fragments: Uint8Array[];
  size: number;
  frames: number;
}

export interface GoawayInfo {
  lastStreamId: number;
  errorCode: number;
  debugData: string;
}

/** Open → (GOAWAY received) goaway → closed; closed is terminal. */
export type ConnectionPhase = "open" | "goaway" | "closed";

export class H2Connection {
  phase: ConnectionPhase = "open";
  /** False until the server's first frame, which must be SETTINGS (RFC 9113 §3.4). */
  handshakeDone = false;
  goaway: GoawayInfo | null = null;
  /** Error to throw once the current receive() has processed all its frames. */
  pendingError: HTTPError | null = null;

  readonly server: HTTP2Settings;
  readonly client: HTTP2Settings;
  /** Our SETTINGS frames not yet acknowledged, oldest first (RFC 9113 §6.5.3). */
  readonly pendingSettings: Array<Array<[number, number]>> = [];

  readonly encoder = new Encoder(4096);
  readonly decoder = new Decoder(4096);
  readonly reader = new FrameReader();
  readonly out = new WriteBuffer();

  readonly byId = new StreamTable();
  /** Refs of this connection's streams: a prefix of its own and the stream id. */
  private readonly refNames = nextRefNames();
  nextStreamId = 1;
  openClientStreams = 0;
  openPushStreams = 0;
  /** Highest stream id the server promised (RFC 9113 §5.1.1). */
  lastPushId = 0;
  /** Highest promised id we accepted: the last_stream_id of our GOAWAY. */
  lastProcessedPushId = 0;

  /** Connection send window (RFC 9113 §6.9.1). */
  sendWindow = 65_535;
  /** A send window grew since the engine last reported it (WINDOW_UPDATE, SETTINGS). */
  sendWindowGrew = false;
  readonly recv: ReceiveWindow;
  readonly refillThreshold: number;
  /** Streams whose receive window shrank during the current receive(). */
  readonly touched: Stream[] = [];

  block: PendingBlock | null = null;
  /** Stream taking the DATA frame now arriving in pieces (frame-reader.ts), or null to drop them. */
  dataStream: Stream | null = null;
  /** Our PINGs awaiting their ACK, oldest first. */
  readonly pings: Array<{ ref: RequestRef; payload: Uint8Array }> = [];

  /**
   * Acknowledgements we queued in answer to the server (PING ACK, SETTINGS ACK, RST_STREAM)
   * that the shell has not taken yet (nghttp2's max_outbound_ack): reset by takeOutgoing().
   */
  outboundAcks = 0;
  /** Frames in a row that produced nothing for the caller (RST_STREAM, empty DATA, ...). */
  idleFrames = 0;

  constructor(
    server: HTTP2Settings, client: HTTP2Settings, connectionWindow: number, threshold: number,
    /** The connection's scheme and authority, for the pushes it may accept (RFC 9113 §8.4). */
    readonly scheme: string, readonly authority: string,
    readonly log: ((line: string) => void) | undefined,
  ) {
    this.server = server;
    this.client = client;
    this.decoder.setMaxHeaderListSize(client.maxHeaderListSize);
    this.recv = { peak: connectionWindow, remaining: connectionWindow };
    this.refillThreshold = threshold;
  }

  /** Never used by the server nor by us yet (RFC 9113 §5.1 "idle"). */
  isIdle(streamId: number): boolean {
    return (streamId & 1) === 1 ? streamId >= this.nextStreamId : streamId > this.lastPushId;
  }

  /** The ref of the request on stream `id`. */
  refOf(id: number): RequestRef {
    return this.refNames.name(id);
  }

  /** The open stream a ref names, or undefined (any other value, a closed stream's ref). */
  streamByRef(ref: unknown): Stream | undefined {
    if (typeof ref !== "string") return undefined;
    const id = this.refNames.parse(ref);
    const s = id > 0 ? this.byId.get(id) : undefined;
    return s !== undefined && s.ref === ref ? s : undefined;
  }

  addStream(s: Stream): void {
    this.byId.add(s);
    if (s.isPush) this.openPushStreams++;
    else this.openClientStreams++;
  }

  removeStream(s: Stream): void {
    if (this.byId.delete(s.id)) {
      if (s.isPush) this.openPushStreams--;
      else this.openClientStreams--;
    }
    s.state = "closed";
  }

  /**
   * Count an acknowledgement queued in answer to the server. More than MAX_OUTBOUND_ACKS not
   * yet taken by the shell is a flood: connection error ENHANCE_YOUR_CALM. The shell takes
   * the queue after every receive() and stops reading while its writes do not drain, so a
   * peer that reads our answers is never cut off, whatever the number of frames it sends.
   */
  countAck(): void {
    if (++this.outboundAcks > MAX_OUTBOUND_ACKS) {
      throw connectionError(ErrorCode.ENHANCE_YOUR_CALM, `more than ${MAX_OUTBOUND_ACKS} acknowledgements queued and not yet sent`);
    }
  }

  /** A frame that gave the caller nothing: more than MAX_IDLE_FRAMES in a row is ENHANCE_YOUR_CALM. */
  noteIdle(): void {
    if (++this.idleFrames > MAX_IDLE_FRAMES) {
      throw connectionError(ErrorCode.ENHANCE_YOUR_CALM, `more than ${MAX_IDLE_FRAMES} frames in a row without response data`);
    }
  }

  queueRst(streamId: number, code: number): void {
    const p = new Uint8Array(4);
    p[0] = code >>> 24; p[1] = (code >>> 16) & 0xff; p[2] = (code >>> 8) & 0xff; p[3] = code & 0xff;
    this.out.frame(FrameType.RST_STREAM, 0, streamId, p);
  }

  queueWindowUpdate(streamId: number, increment: number): void {
    const p = new Uint8Array(4);
    p[0] = (increment >>> 24) & 0x7f; p[1] = (increment >>> 16) & 0xff; p[2] = (increment >>> 8) & 0xff; p[3] = increment & 0xff;
    this.out.frame(FrameType.WINDOW_UPDATE, 0, streamId, p);
  }

  queueGoaway(code: number, debug: string): void {
    const d = new TextEncoder().encode(debug);
    const p = new Uint8Array(8 + d.length);
    const last = this.lastProcessedPushId;
    p[0] = (last >>> 24) & 0x7f; p[1] = (last >>> 16) & 0xff; p[2] = (last >>> 8) & 0xff; p[3] = last & 0xff;
    p[4] = code >>> 24; p[5] = (code >>> 16) & 0xff; p[6] = (code >>> 8) & 0xff; p[7] = code & 0xff;
    p.set(d, 8);
    this.out.frame(FrameType.GOAWAY, 0, 0, p);
  }

  queueSettingsAck(): void {
    this.out.frame(FrameType.SETTINGS, Flag.ACK, 0, new Uint8Array(0));
  }

  /** Stream error: RST_STREAM(code) and an `error` part for this request only (RFC 9113 §5.4.2). */
  failStream(s: Stream, code: number, error: HTTPError | TransportError, parts: ResponsePart[]): void {
    // A response that already ended (its `done` was given) while our body streamed: a request ends once.
    const answered = s.state === "half_closed_remote";
    this.countAck();
    this.queueRst(s.id, code);
    this.removeStream(s);
    if (!answered) parts.push({ type: "error", ref: s.ref, error });
  }
}
