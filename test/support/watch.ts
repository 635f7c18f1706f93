// Records what a Connection reports in active mode (parts, the "closed" event) so fault
// tests can wait for the end of an exchange with a deadline and assert on every part.

import type { Connection, MintError, RequestRef, ResponsePart } from "../../src/index.js";

export interface Watched {
  parts: ResponsePart[];
  /** Set once "closed" fired: `{ error }` (undefined error for a clean close). */
  closed: { error: MintError | undefined } | undefined;
  /** Resolves when "closed" fires; rejects after `timeoutMs`. */
  untilClosed(timeoutMs?: number): Promise<MintError | undefined>;
  /** Resolves when each ref has a done or error part; rejects after `timeoutMs` or on close first. */
  untilEnded(refs: RequestRef[], timeoutMs?: number): Promise<void>;
  /** The terminal part of a request, if any. */
  end(ref: RequestRef): ResponsePart | undefined;
  /** Concatenated data of a request. */
  body(ref: RequestRef): Buffer;
}

export function watch(conn: Connection): Watched {
  const parts: ResponsePart[] = [];
  let wake: Array<() => void> = [];
  const notify = (): void => {
    const w = wake;
    wake = [];
    for (const f of w) f();
  };
  const w: Watched = {
    parts,
    closed: undefined,
    async untilClosed(timeoutMs = 3000) {
      await until(() => w.closed !== undefined, timeoutMs, "the connection to close");
      return w.closed!.error;
    },
    async untilEnded(refs, timeoutMs = 3000) {
      await until(() => refs.every((r) => w.end(r) !== undefined) || w.closed !== undefined, timeoutMs, `requests ${refs.join(",")} to end`);
    },
    end: (ref) => parts.find((p) => p.ref === ref && (p.type === "done" || p.type === "error")),
    body: (ref) => Buffer.concat(parts.flatMap((p) => (p.type === "data" && p.ref === ref ? [p.data] : []))),
  };
  function until(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (test()) return resolve();
      const t = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      const check = (): void => {
        if (test()) {
          clearTimeout(t);
          resolve();
        } else wake.push(check);
      };
      wake.push(check);
    });
  }
  conn.on("parts", (batch: ResponsePart[]) => {
    parts.push(...batch);
    notify();
  });
  conn.on("closed", (error?: MintError) => {
    w.closed = { error };
    notify();
  });
  return w;
}
