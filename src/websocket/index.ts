// mint-http/websocket: WebSocket (RFC 6455) over HTTP/1.1 and HTTP/2 (RFC 8441), with
// permessage-deflate (RFC 7692). See connect.ts for the entry points, websocket.ts for the
// object, and src/core/websocket for the sans-IO codec.
export { connectWebSocket, upgrade } from "./connect.js";
export { WebSocket } from "./websocket.js";
export type { CloseInfo, WebSocketEvent } from "./websocket.js";
export type { WebSocketOptions } from "./options.js";
