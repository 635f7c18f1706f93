// Waiting in tests without fixed sleeps where a condition can be polled: `until(cond)`
// returns as soon as `cond()` holds (or after `timeoutMs`; the caller then asserts).

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 2 ms until it holds or `timeoutMs` passes. */
export async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await sleep(2);
}
