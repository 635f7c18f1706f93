// Encoding of the frames we send (RFC 6455 §5.2, §5.3).
//
// How this works: a client frame is one new array: the header, a fresh masking key drawn
// from the injected random source, and the payload XORed with it. A server (test peers)
// sends unmasked frames; a large payload then goes as its own chunk after the header,
// without a copy.

import { encodeHeader, headerSize } from "./frame-header.js";
import { type MaskKeys, applyMask } from "./mask.js";

/** Appends the chunks of one frame to `out`; `keys` null = unmasked (server role). */
export function encodeFrame(out: Uint8Array[], fin: boolean, rsv: number, opcode: number, payload: Uint8Array, keys: MaskKeys | null): void {
  const len = payload.length;
  const masked = keys !== null;
  const hsize = headerSize(len, masked);
  if (!masked) {
    if (len >= 1024) {
      const head = new Uint8Array(hsize);
      encodeHeader(head, fin, rsv, opcode, len, false);
      out.push(head, payload);
      return;
    }
    const frame = new Uint8Array(hsize + len);
    encodeHeader(frame, fin, rsv, opcode, len, false);
    frame.set(payload, hsize);
    out.push(frame);
    return;
  }
  // RFC 6455 §5.3: a fresh, unpredictable key for every frame a client sends
  const frame = new Uint8Array(hsize + len);
  const keyAt = encodeHeader(frame, fin, rsv, opcode, len, true);
  keys.next(frame, keyAt);
  applyMask(payload, 0, len, frame.subarray(keyAt, keyAt + 4), 0, frame, hsize);
  out.push(frame);
}
