// mint-http/hpack: the standalone HPACK codec (RFC 7541).
//
// Encoder and Decoder each hold one side's dynamic table; use one pair per HTTP/2
// connection. Decoding failures are HTTPError("http2", "compression_error").

export { Encoder } from "./encoder.js";
export type { EncoderOptions } from "./encoder.js";
export { Decoder } from "./decoder.js";
export type { DecoderOptions } from "./decoder.js";
