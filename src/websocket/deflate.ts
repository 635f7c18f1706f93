// The permessage-deflate backend on node:zlib (RFC 7692 §7.2), for the core's PerMessageDeflate.
//
// How this works: one raw DeflateRaw stream compresses what we send and one InflateRaw
// stream inflates what we receive, each kept across messages (context takeover) unless the
// agreed parameters say otherwise, then reset after every message. A message is written
// in one write whose flush mode is Z_SYNC_FLUSH (the streams are created with that mode),
// so each message costs one trip to zlib's thread; its output is what the stream emitted
// before the write callback. Inflating counts the output as it comes: past the limit the stream is destroyed
// at once (the message is refused with 1009), so a small compressed bomb is never expanded.
// Each stream serves one message at a time (a promise chain keeps the order).

import * as zlib from "node:zlib";
import type { DeflateBackend, DeflateParams } from "../core/websocket/index.js";

type Job<T> = () => Promise<T>;

class Serial {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(job: Job<T>): Promise<T> {
    const p = this.#tail.then(job, job);
    this.#tail = p.catch(() => undefined);
    return p;
  }
}

/** A zlib backend for the agreed parameters (we are the client). */
export function zlibDeflateBackend(params: DeflateParams): DeflateBackend {
  let deflater: zlib.DeflateRaw | null = null;
  let inflater: zlib.InflateRaw | null = null;
  let closed = false;
  const sendQueue = new Serial();
  const recvQueue = new Serial();

  const getDeflater = (): zlib.DeflateRaw => {
    if (deflater === null) {
      // RFC 7692 §7.1.2.2: we compress within client_max_window_bits (zlib turns 8 into 9 for raw streams)
      deflater = zlib.createDeflateRaw({ windowBits: params.clientMaxWindowBits, memLevel: 8, flush: zlib.constants.Z_SYNC_FLUSH });
      deflater.on("error", () => {});
    }
    return deflater;
  };
  const getInflater = (): zlib.InflateRaw => {
    // A window of 15 inflates anything the server may send (RFC 7692 §7.1.2.1).
    if (inflater === null) {
      inflater = zlib.createInflateRaw({ windowBits: 15, flush: zlib.constants.Z_SYNC_FLUSH });
      inflater.on("error", () => {});
    }
    return inflater;
  };

  return {
    deflate(data: Uint8Array): Promise<Uint8Array> {
      return sendQueue.run(
        () =>
          new Promise<Uint8Array>((resolve, reject) => {
            if (closed) return reject(new Error("the compressor is closed"));
            const z = getDeflater();
            const out: Buffer[] = [];
            const onData = (b: Buffer): void => void out.push(b);
            z.on("data", onData);
            z.write(data, () => {
              z.off("data", onData);
              // RFC 7692 §7.1.1.2: without context takeover, each message starts a new window
              if (params.clientNoContextTakeover) z.reset();
              resolve(out.length === 1 ? out[0]! : Buffer.concat(out));
            });
          }),
      );
    },
    inflate(data: Uint8Array[], limit: number, check?: (piece: Uint8Array) => boolean): Promise<Uint8Array | "too_big" | "rejected"> {
      return recvQueue.run(
        () =>
          new Promise<Uint8Array | "too_big" | "rejected">((resolve, reject) => {
            if (closed) return reject(new Error("the decompressor is closed"));
            const z = getInflater();
            const out: Buffer[] = [];
            let size = 0;
            let settled = false;
            const finish = (value: Uint8Array | "too_big" | "rejected" | Error): void => {
              if (settled) return;
              settled = true;
              z.off("data", onData);
              z.off("error", onError);
              if (value instanceof Error) reject(value);
              else resolve(value);
            };
            const stop = (why: "too_big" | "rejected"): void => {
              // Stop inflating now: the rest is never expanded.
              z.destroy();
              inflater = null;
              finish(why);
            };
            const onData = (b: Buffer): void => {
              if (settled) return;
              size += b.length;
              out.push(b);
              if (size > limit) stop("too_big");
              else if (check !== undefined && !check(b)) stop("rejected");
            };
            const onError = (err: Error): void => {
              inflater = null;
              finish(err);
            };
            z.on("data", onData);
            z.on("error", onError);
            const input = data.length === 1 ? data[0]! : Buffer.concat(data);
            z.write(input, () => {
              // RFC 7692 §7.1.1.1: without server context takeover, the next message starts fresh
              if (params.serverNoContextTakeover && !z.destroyed) z.reset();
              finish(out.length === 1 ? out[0]! : Buffer.concat(out, size));
            });
          }),
      );
    },
    close(): void {
      closed = true;
      deflater?.close();
      inflater?.close();
      deflater = null;
      inflater = null;
    },
  };
}
