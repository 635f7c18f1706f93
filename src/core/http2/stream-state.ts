// Stream records and the stream state machine of RFC 9113 §5.1, client side.
//
//            send HEADERS                 recv PUSH_PROMISE
//   idle ------------------> open        idle ----------> reserved (remote)
//                     send ES |  | recv ES                     | recv HEADERS
//                             v  v                             v
//        half closed (local)      half closed (remote)   half closed (local)
//                  recv ES |          | send ES
//                          v          v
//                            closed  (also: RST_STREAM sent or received)
//
// A stream's state says which direction may still carry frames. A closed stream is removed
// from the engine's maps; later frames for it are recognised by id (below the next id we
// would use) and ignored where RFC 9113 §5.1 allows. The response side has its own small
// machine in `phase` (waiting for the final HEADERS, reading the body, trailers received).

import type { RequestRef } from "../../types.js";

/** RFC 9113 §5.1 states a stream the engine tracks can be in. */
export type StreamState = "reserved_remote" | "open" | "half_closed_local" | "half_closed_remote" | "closed";

/** Where the response is: final HEADERS not yet seen, body, or trailers seen. */
export const Phase = {
  AwaitingHeaders: 0,
  Body: 1,
  Trailers: 2,
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

export interface Stream {
  readonly id: number;
  readonly ref: RequestRef;
  /** A server push (even id), not counted as an open request. */
  readonly isPush: boolean;
  state: StreamState;
  phase: Phase;
  /** Bytes we may still send on this stream (RFC 9113 §6.9). */
  sendWindow: number;
  /** Receive window we last advertised for this stream, and what is left of it. */
  recvPeak: number;
  recvRemaining: number;
  /** Response content-length, or -1 when absent or not to be checked (HEAD, 204, 304). */
  expectedLength: number;
  /** DATA octets received (excluding padding). */
  receivedLength: number;
  /** The request was HEAD or CONNECT: a response body length is not checked. */
  readonly skipLengthCheck: boolean;
  /** The response may carry no content: a request for HEAD, or a 204/304 status (RFC 9110 §6.4.1). */
  noContent: boolean;
  /** The caller holds back this stream's receive-window refill (holdReceiveWindow). */
  held: boolean;
  /** Streamed request body: the content-length the caller declared (-1: none) and the octets sent. */
  declaredLength: number;
  sentLength: number;
  /** When it was added to the connection's stream table (iteration order). */
  seq: number;
}

export function newStream(id: number, ref: RequestRef, isPush: boolean, state: StreamState, sendWindow: number, recvWindow: number, skipLengthCheck: boolean): Stream {
  return {
    id, ref, isPush, state, phase: Phase.AwaitingHeaders, sendWindow, recvPeak: recvWindow, recvRemaining: recvWindow,
    expectedLength: -1, receivedLength: 0, skipLengthCheck, noContent: false, held: false, declaredLength: -1, sentLength: 0, seq: 0,
  };
}

/** We sent END_STREAM. */
export function stateAfterSendEnd(state: StreamState): StreamState {
  // RFC 9113 §5.1: open → half-closed (local); half-closed (remote) → closed.
  return state === "open" ? "half_closed_local" : "closed";
}

/** The server sent END_STREAM. */
export function stateAfterRecvEnd(state: StreamState): StreamState {
  // RFC 9113 §5.1: open → half-closed (remote); half-closed (local) → closed.
  return state === "open" ? "half_closed_remote" : "closed";
}

/** May we still send DATA/HEADERS on this stream? */
export function canSend(state: StreamState): boolean {
  return state === "open" || state === "half_closed_remote";
}

/** May the server still send DATA/HEADERS on this stream? (RFC 9113 §5.1) */
export function canReceive(state: StreamState): boolean {
  return state === "open" || state === "half_closed_local";
}
