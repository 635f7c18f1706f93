// Builds the WebSocket once a handshake succeeded: the codec with the agreed extensions
// and node:crypto's random source, the zlib backend when permessage-deflate was agreed.
//
// How this works: the core stays free of node:*; this is where the shell injects SHA-1,
// random bytes and zlib into it.

import { createHash, randomFillSync } from "node:crypto";
import { type Agreed, PerMessageDeflate, WebSocketCodec } from "../core/websocket/index.js";
import type { Protocol } from "../types.js";
import { zlibDeflateBackend } from "./deflate.js";
import type { ResolvedOptions } from "./options.js";
import type { Pipe } from "./pipe.js";
import { WebSocket } from "./websocket.js";

export const randomFill = (b: Uint8Array): void => void randomFillSync(b);
export const sha1 = (data: Uint8Array): Uint8Array => createHash("sha1").update(data).digest();

export function openWebSocket(agreed: Agreed, pipe: Pipe, opts: ResolvedOptions, httpVersion: Protocol, head: Uint8Array): WebSocket {
  const deflate = agreed.deflate === null ? null : new PerMessageDeflate(agreed.deflate, zlibDeflateBackend(agreed.deflate));
  const codec = new WebSocketCodec({
    role: "client",
    randomFill,
    maxMessageSize: opts.maxMessageSize,
    maxFragments: opts.maxFragments,
    extensions: deflate === null ? [] : [deflate],
  });
  return new WebSocket({
    codec,
    pipe,
    protocol: agreed.protocol,
    extensions: agreed.extensions,
    httpVersion,
    mode: opts.mode,
    deflate,
    head,
    closeTimeout: opts.closeTimeout,
    ...(opts.onClosed ? { onClosed: opts.onClosed } : {}),
  });
}
