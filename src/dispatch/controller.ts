// The controller of one dispatched request: the object undici 7 handlers get first
// (`onRequestStart(controller)`), and what legacy handlers drive through the `abort`
// they get in `onConnect` and the `resume` they get in `onHeaders`.
//
// How this works: pause() only records that the handler wants no more data; the
// dispatcher stops pulling the response body while `paused` is set (the pool then holds
// back that stream's window or stops reading the socket). resume() clears it and wakes the
// dispatcher. abort() is taken once: later calls and calls after the end are ignored.

export class DispatchController {
  #paused = false;
  #aborted = false;
  #reason: Error | null = null;
  #onAbort: (reason: Error | undefined) => void;
  #wake: (() => void) | undefined;
  /** The response's raw headers and trailers, as undici's controller exposes them. */
  rawHeaders: Buffer[] | null = null;
  rawTrailers: Buffer[] | null = null;

  constructor(onAbort: (reason: Error | undefined) => void) {
    this.#onAbort = onAbort;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): Error | null {
    return this.#reason;
  }

  /** Stop delivering data until resume(). */
  pause(): void {
    this.#paused = true;
  }

  /** Deliver data again. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** End the request with `reason` (the handler's error callback gets it). Only the first call counts. */
  abort(reason?: Error): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason ?? null;
    this.#onAbort(reason);
  }

  /** Resolves at the next resume() (the dispatcher's wait while paused). */
  whenResumed(): Promise<void> {
    if (!this.#paused) return Promise.resolve();
    return new Promise((resolve) => {
      const prev = this.#wake;
      this.#wake = () => {
        prev?.();
        resolve();
      };
    });
  }

  /** Wake a waiting dispatcher without resuming (the request ended while paused). */
  release(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
