// Public entry point of mint-http.
export { MintError, TransportError, HTTPError } from "./errors.js";
export type { ErrorProtocol } from "./errors.js";
export { STREAM, EOF } from "./types.js";
export type { Scheme, Protocol, Headers, RequestRef, Body, BodyChunk, ResponsePart, HTTP2Settings } from "./types.js";
