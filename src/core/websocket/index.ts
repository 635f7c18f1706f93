// The sans-IO WebSocket core: codec, handshake helpers, permessage-deflate (RFC 6455, 7692, 8441).
export { WebSocketCodec, DEFAULT_MAX_FRAGMENTS, DEFAULT_MAX_MESSAGE_SIZE } from "./codec.js";
export type { CloseInfo, CodecEvent, CodecOptions, CodecState } from "./codec.js";
export { CloseCode, WebSocketProtocolError } from "./errors.js";
export type { Extension } from "./extension.js";
export { Opcode } from "./frame-header.js";
export { PerMessageDeflate, acceptDeflate, offerDeflate, parseExtensions } from "./permessage-deflate.js";
export type { DeflateBackend, DeflateOptions, DeflateParams } from "./permessage-deflate.js";
export { acceptFor, checkResponse, createKey, http1Headers, http2Headers } from "./handshake.js";
export type { Agreed, HandshakeOffer, HandshakeResponse, Sha1 } from "./handshake.js";
export type { RandomFill } from "./mask.js";
export { Utf8Validator, isValidUtf8 } from "./utf8.js";
