// The HTTP/2 engine (RFC 9113): createHTTP2Engine and its options and interface.
export { createHTTP2Engine } from "./engine.js";
export type { HTTP2Engine, HTTP2Options } from "./engine.js";
