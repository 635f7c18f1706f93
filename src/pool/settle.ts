// undici's callback style for close()/destroy(): the callback gets (null, null) once the
// promise settles, and the returned promise still settles too (it never rejects here).

/** An undici-style completion callback. */
export type Callback = (err: Error | null, data: null) => void;

/** Call `callback` when `p` settles; returns a promise of the same outcome that never rejects unhandled. */
export function settle(p: Promise<void>, callback: Callback): Promise<void> {
  if (typeof callback !== "function") return Promise.reject(new TypeError("callback must be a function"));
  return p.then(
    () => queueMicrotask(() => callback(null, null)),
    (err: unknown) => queueMicrotask(() => callback(err instanceof Error ? err : new Error(String(err)), null)),
  );
}
