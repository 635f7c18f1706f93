// Helpers that gather response parts from a Connection until given requests end, in
// active mode (events) or passive mode (a recv loop), and fold them into responses.

import type { Connection, RequestRef, ResponsePart } from "../../src/index.js";

export interface Response {
  status?: number;
  reason?: string;
  informational: Array<{ status: number; headers: Array<[string, string]> }>;
  headers: Array<[string, string]>;
  trailers?: Array<[string, string]>;
  body: Buffer;
  done: boolean;
  error?: Error;
}

function ended(p: ResponsePart): boolean {
  return p.type === "done" || p.type === "error";
}

/** Active mode: resolve with every part emitted until each ref in `refs` is done or failed. */
export function collectActive(conn: Connection, refs: RequestRef[], timeoutMs = 10_000): Promise<ResponsePart[]> {
  return new Promise((resolve, reject) => {
    const open = new Set(refs);
    const parts: ResponsePart[] = [];
    const timer = setTimeout(() => finish(new Error(`timed out waiting for ${[...open].join(",")}`)), timeoutMs);
    const onParts = (batch: ResponsePart[]): void => {
      for (const p of batch) {
        parts.push(p);
        if (ended(p)) open.delete(p.ref);
      }
      if (open.size === 0) finish();
    };
    const onClosed = (err?: Error): void => finish(err ?? (open.size ? new Error("connection closed") : undefined));
    function finish(err?: Error): void {
      clearTimeout(timer);
      conn.off("parts", onParts);
      conn.off("closed", onClosed);
      if (err) {
        (err as Error & { parts?: ResponsePart[] }).parts ??= parts;
        reject(err);
      } else resolve(parts);
    }
    conn.on("parts", onParts);
    conn.on("closed", onClosed);
    if (open.size === 0) finish();
  });
}

/** Passive mode: recv until each ref in `refs` is done or failed. */
export async function collectPassive(conn: Connection, refs: RequestRef[], timeoutMs = 10_000): Promise<ResponsePart[]> {
  const open = new Set(refs);
  const parts: ResponsePart[] = [];
  while (open.size > 0) {
    for (const p of await conn.recv(0, timeoutMs)) {
      parts.push(p);
      if (ended(p)) open.delete(p.ref);
    }
  }
  return parts;
}

/** Fold the parts of one request into a Response. */
export function responseOf(parts: ResponsePart[], ref: RequestRef): Response {
  const r: Response = { informational: [], headers: [], body: Buffer.alloc(0), done: false };
  const chunks: Buffer[] = [];
  let pendingStatus: number | undefined;
  let seenData = false;
  for (const p of parts) {
    if (p.ref !== ref) continue;
    switch (p.type) {
      case "status":
        pendingStatus = p.status;
        break;
      case "status_reason":
        r.reason = p.reason;
        break;
      case "headers":
        if (pendingStatus !== undefined && pendingStatus < 200) {
          r.informational.push({ status: pendingStatus, headers: p.headers });
        } else if (pendingStatus !== undefined) {
          r.status = pendingStatus;
          r.headers = p.headers;
        } else if (seenData || r.status !== undefined) {
          r.trailers = p.headers;
        }
        pendingStatus = undefined;
        break;
      case "data":
        seenData = true;
        chunks.push(Buffer.from(p.data));
        break;
      case "done":
        r.done = true;
        break;
      case "error":
        r.error = p.error;
        break;
    }
  }
  r.body = Buffer.concat(chunks);
  return r;
}

/** The value of header `name` (lowercase) in `headers`. */
export function header(headers: Array<[string, string]>, name: string): string | undefined {
  return headers.find(([n]) => n === name)?.[1];
}
