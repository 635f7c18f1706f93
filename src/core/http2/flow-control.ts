// Flow-control arithmetic (RFC 9113 §5.2, §6.9).
//
// Send side: a window per stream and one for the connection, both decremented by every
// DATA payload we send and grown by the server's WINDOW_UPDATE frames or a change of its
// SETTINGS_INITIAL_WINDOW_SIZE. A window may never exceed 2^31-1.
//
// Receive side: we advertise a "peak" per stream and for the connection and track what
// the server may still send ("remaining"). Every DATA frame, padding included, uses it up.
// Once the remaining part drops to the threshold we send one WINDOW_UPDATE that tops it
// back up to the peak, so refills are batched instead of one per frame.

import { MAX_WINDOW_SIZE } from "./frame-header.js";

/** Window after adding `increment`, or -1 when it would exceed 2^31-1 (RFC 9113 §6.9.1). */
export function growWindow(window: number, increment: number): number {
  const next = window + increment;
  return next > MAX_WINDOW_SIZE ? -1 : next;
}

/** The WINDOW_UPDATE increment to send for a receive window, or 0 when none is due. */
export function refillIncrement(peak: number, remaining: number, threshold: number): number {
  return remaining <= threshold && remaining < peak ? peak - remaining : 0;
}

/** Check a requested receive window size (setWindowSize). Throws TypeError when out of range. */
export function checkWindowSize(size: number): void {
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > MAX_WINDOW_SIZE) {
    throw new TypeError(`window size must be an integer in 1..2^31-1, got ${String(size)}`);
  }
}

/** Receive window of the connection: advertised peak and what the peer may still send. */
export interface ReceiveWindow {
  peak: number;
  remaining: number;
}
