// Public entry point of mint-http.
export { connect, CONNECTION_OPEN_CHANNEL } from "./connect.js";
export { basicProxyAuth } from "./proxy/auth.js";
export type { Connection } from "./connection/connection.js";
export type { ConnectOptions, ProxyOptions } from "./options.js";
export type { TransportOptions } from "./transport/options.js";
export { MintError, TransportError, HTTPError } from "./errors.js";
export type { ErrorProtocol } from "./errors.js";
export { STREAM, EOF } from "./types.js";
export type { Scheme, Protocol, Headers, RequestRef, Body, BodyChunk, ResponsePart, HTTP2Settings } from "./types.js";
