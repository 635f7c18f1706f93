// Errors of the WebSocket codec.
//
// How this works: a protocol violation found while parsing is a `WebSocketProtocolError`
// that carries the RFC 6455 close code to send (§7.4.1: 1002 protocol error, 1007 invalid
// data, 1009 message too big). The codec catches it, queues a close frame with that code
// and reports a close with `wasClean: false`; it never reaches the caller as an exception.
// Handshake failures are `HTTPError`s with protocol "websocket" (see handshake.ts).

import { HTTPError } from "../../errors.js";

/** RFC 6455 §7.4.1 close codes the codec sends when it fails the connection. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  NO_STATUS: 1005,
  ABNORMAL: 1006,
  INVALID_DATA: 1007,
  TOO_BIG: 1009,
} as const;

/** A violation by the peer; `closeCode` is what goes in our close frame. */
export class WebSocketProtocolError extends HTTPError {
  readonly closeCode: number;
  constructor(closeCode: number, reason: string, message: string) {
    super("websocket", reason, message, { closeCode });
    this.closeCode = closeCode;
  }
}

/** Shorthand for a 1002 (protocol error) violation. */
export function protocolError(reason: string, message: string): WebSocketProtocolError {
  return new WebSocketProtocolError(CloseCode.PROTOCOL_ERROR, reason, message);
}
