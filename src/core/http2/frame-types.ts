// Decoded HTTP/2 frames as a discriminated union on `type` (RFC 9113 §6).
//
// Payload fields (`data`, `fragment`, `debugData`, `payload`) are views into the bytes the
// frame was decoded from: nothing is copied. `padLength` is the padding announced by a
// PADDED frame (0 when unpadded); `flowLength` of DATA is the whole payload length, the
// amount flow control counts (RFC 9113 §6.1).

export interface PriorityInfo {
  exclusive: boolean;
  dependency: number;
  /** Weight 1..256 (the wire byte plus one). */
  weight: number;
}

export interface DataFrame {
  type: "data";
  streamId: number;
  endStream: boolean;
  data: Uint8Array;
  padLength: number;
  flowLength: number;
}

export interface HeadersFrame {
  type: "headers";
  streamId: number;
  endStream: boolean;
  endHeaders: boolean;
  fragment: Uint8Array;
  padLength: number;
  priority: PriorityInfo | null;
}

export interface PriorityFrame {
  type: "priority";
  streamId: number;
  priority: PriorityInfo;
}

export interface RstStreamFrame {
  type: "rst_stream";
  streamId: number;
  errorCode: number;
}

export interface SettingsFrame {
  type: "settings";
  streamId: 0;
  ack: boolean;
  /** [identifier, value] in wire order. */
  params: Array<[id: number, value: number]>;
}

export interface PushPromiseFrame {
  type: "push_promise";
  streamId: number;
  endHeaders: boolean;
  promisedStreamId: number;
  fragment: Uint8Array;
  padLength: number;
}

export interface PingFrame {
  type: "ping";
  streamId: 0;
  ack: boolean;
  payload: Uint8Array;
}

export interface GoawayFrame {
  type: "goaway";
  streamId: 0;
  lastStreamId: number;
  errorCode: number;
  debugData: Uint8Array;
}

export interface WindowUpdateFrame {
  type: "window_update";
  streamId: number;
  increment: number;
}

export interface ContinuationFrame {
  type: "continuation";
  streamId: number;
  endHeaders: boolean;
  fragment: Uint8Array;
}

/** A frame of a type RFC 9113 does not define; receivers ignore it (§4.1, §5.5). */
export interface UnknownFrame {
  type: "unknown";
  frameType: number;
  flags: number;
  streamId: number;
  payload: Uint8Array;
}

export type Frame =
  | DataFrame | HeadersFrame | PriorityFrame | RstStreamFrame | SettingsFrame | PushPromiseFrame
  | PingFrame | GoawayFrame | WindowUpdateFrame | ContinuationFrame | UnknownFrame;
