// The extension hook of the codec (RFC 6455 §9).
//
// How this works: a negotiated extension that transforms whole messages (permessage-deflate,
// RFC 7692) declares the RSV bits it may set on a message's first frame. The codec lets
// those bits through its header checks, hands it every outgoing message to encode, and every
// received message whose first frame had its bits set to decode. Both steps may be
// asynchronous (Node's zlib is), so the codec pauses its parsing while a decode runs.

export interface Extension {
  /** The extension token, e.g. "permessage-deflate". */
  readonly name: string;
  /** The RSV bits it may set on the first frame of a data message (0x40 = RSV1). */
  readonly rsvBits: number;
  /**
   * Encodes an outgoing message payload; returns the bytes to send and the RSV bits to set
   * on its first frame (0 when the message is sent as is).
   */
  encode(data: Uint8Array): { data: Uint8Array; rsv: number } | Promise<{ data: Uint8Array; rsv: number }>;
  /**
   * Decodes a received message (its frames' payloads, in order) whose first frame had RSV
   * bits of this extension. Resolves with "too_big" when the result would exceed `limit`
   * bytes: the decoding stops there, so a compressed bomb is never expanded whole. `check`
   * sees each decoded piece as it comes; when it returns false the decoding stops and
   * resolves "rejected" (text that is not UTF-8 fails at the first bad piece).
   */
  decode(payload: Uint8Array[], rsv: number, limit: number, check?: (piece: Uint8Array) => boolean): Promise<Uint8Array | "too_big" | "rejected">;
  /** Releases resources (zlib streams); called once when the WebSocket ends. */
  close(): void;
}
