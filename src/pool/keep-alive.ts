// The server's `Keep-Alive: timeout=N` hint (RFC 9112 §9.3 leaves idle closes to the
// server; the hint says when it will close). We close a little before: one second, or
// half of it for short hints.

import type { Headers } from "../index.js";

/** ms an idle connection may be kept given the response headers, or undefined when no hint. */
export function keepAliveHint(headers: Headers): number | undefined {
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0] !== "keep-alive") continue;
    const m = /(?:^|[,;\s])timeout\s*=\s*"?(\d+)/i.exec(h[1]);
    if (m === null) return undefined;
    const ms = Number(m[1]) * 1000;
    return ms - Math.min(1000, ms / 2);
  }
  return undefined;
}
