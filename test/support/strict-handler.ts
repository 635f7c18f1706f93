// A legacy-shape undici dispatch handler that checks the callback order as it goes
// (onConnect once and first, onHeaders for 1xx responses then once for the final one before
// any onData, exactly one of onComplete / onError, nothing after it) and resolves with what it saw. A violation is recorded and
// fails the `done` promise, so a test cannot miss it. `pauseEvery` returns false from
// onData every N chunks and resumes after `resumeAfterMs`.

export interface Seen {
  status: number;
  statusText: string;
  headers: Buffer[];
  body: Buffer;
  trailers: Buffer[] | undefined;
  error: Error | undefined;
  /** The 1xx responses, in order. */
  informational: Array<{ status: number; statusText: string; headers: Buffer[] }>;
  events: string[];
}

export interface StrictHandler {
  onConnect(abort: (reason?: Error) => void): void;
  onHeaders(status: number, raw: Buffer[], resume: () => void, statusText: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: Buffer[]): void;
  onError(err: Error): void;
  abort: ((reason?: Error) => void) | undefined;
  done: Promise<Seen>;
}

export function strictHandler(opts: { pauseEvery?: number; resumeAfterMs?: number; onChunk?: (h: StrictHandler, n: number) => void } = {}): StrictHandler {
  const events: string[] = [];
  const chunks: Buffer[] = [];
  const informational: Seen["informational"] = [];
  let status = 0, statusText = "", headers: Buffer[] = [], trailers: Buffer[] | undefined, error: Error | undefined;
  let ended = false, pausedNow = false, violation: string | undefined, resume: (() => void) | undefined, n = 0;
  let resolve!: (s: Seen) => void, reject!: (e: Error) => void;
  const done = new Promise<Seen>((res, rej) => ((resolve = res), (reject = rej)));
  const check = (name: string, ok: boolean): void => {
    events.push(name);
    if (!ok && violation === undefined) violation = `${name} out of order after [${events.slice(0, -1).join(", ")}]`;
  };
  const finish = (): void => {
    // Wait a little so that a second completion would be seen.
    setTimeout(() => (violation !== undefined ? reject(new Error(violation)) : resolve({ status, statusText, headers, body: Buffer.concat(chunks), trailers, error, events, informational })), 30);
  };
  const h: StrictHandler = {
    abort: undefined,
    done,
    onConnect(abort) {
      check("connect", events.length === 0);
      h.abort = abort;
    },
    onHeaders(s, raw, r, text) {
      if (s < 200) {
        check("info", !ended && events[0] === "connect" && events.every((e) => e === "connect" || e === "info"));
        informational.push({ status: s, statusText: text, headers: raw });
        return true;
      }
      check("headers", !ended && events[0] === "connect" && events.every((e) => e === "connect" || e === "info"));
      if (!raw.every((b) => Buffer.isBuffer(b)) || raw.length % 2 !== 0) violation ??= "raw headers are not Buffer pairs";
      status = s;
      statusText = text;
      headers = raw;
      resume = r;
      return true;
    },
    onData(chunk) {
      check("data", !ended && events.includes("headers"));
      if (!Buffer.isBuffer(chunk)) violation ??= "data chunk is not a Buffer";
      if (pausedNow) violation ??= "data delivered while paused";
      chunks.push(chunk);
      n++;
      opts.onChunk?.(h, n);
      if (opts.pauseEvery !== undefined && n % opts.pauseEvery === 0) {
        events.push("pause");
        pausedNow = true;
        setTimeout(() => {
          pausedNow = false;
          resume!();
        }, opts.resumeAfterMs ?? 5);
        return false;
      }
      return true;
    },
    onComplete(t) {
      check("complete", !ended && events.includes("headers"));
      ended = true;
      trailers = t;
      finish();
    },
    onError(err) {
      check("error", !ended);
      ended = true;
      error = err;
      finish();
    },
  };
  return h;
}

/** Node's fetch init with a mint-http dispatcher (its types expect undici's own Dispatcher class). */
export function fetchInit(dispatcher: object, extra: RequestInit & { duplex?: "half" } = {}): RequestInit {
  return { ...extra, dispatcher } as unknown as RequestInit;
}
