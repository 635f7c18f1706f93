// Sending a request body opened with STREAM: a stream's chunks as they come, or bytes too
// big for the HTTP/2 send window, in pieces. RFC 9113 §6.9.1: never more DATA than the
// send window; the connection's "window" event wakes a body waiting for it. On HTTP/1 the
// socket's buffer is the limit: we wait for 'drain' once it is full.

import { EOF, type RequestRef } from "../index.js";
import type { BodySource } from "./body-source.js";
import type { Slot } from "./slot.js";

/**
 * Send `whole` (when given) or the chunks of `source`, then EOF. Stops quietly once
 * `current()` is false (the attempt ended). Throws the connection's errors.
 */
export async function sendBody(slot: Slot, ref: RequestRef, source: BodySource, whole: Uint8Array | undefined, current: () => boolean): Promise<void> {
  const conn = slot.conn;
  const socket = slot.http2 ? undefined : conn.getSocket();
  let chunk: Uint8Array | undefined = whole ?? (await source.next());
  while (chunk !== undefined) {
    let off = 0;
    while (off < chunk.length) {
      if (!current()) return;
      const win = conn.requestBodyWindow(ref);
      if (win <= 0) {
        await new Promise<void>((wake) => slot.waitWindow(wake));
        continue;
      }
      const n = Math.min(win, chunk.length - off);
      conn.streamRequestBody(ref, off === 0 && n === chunk.length ? chunk : chunk.subarray(off, off + n));
      off += n;
      if (socket !== undefined && socket.writableNeedDrain) await drained(socket);
    }
    if (whole !== undefined) break;
    chunk = await source.next();
  }
  if (current()) conn.streamRequestBody(ref, EOF);
}

function drained(socket: import("node:net").Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off("drain", done);
      socket.off("close", done);
      resolve();
    };
    socket.on("drain", done);
    socket.on("close", done);
  });
}
