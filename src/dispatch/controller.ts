// The controller of one dispatched request: the object undici 7 handlers get first
// (`onRequestStart(controller)`), and what legacy handlers drive through the `abort`
// they get in `onConnect` and the `resume` they get in `onHeaders`.
//
// How this works: the controller keeps the handler's wishes (paused, aborted and why) and
// tells its owner, the dispatcher's run of the request, when they change: the run then
// holds the body back (the pool holds the stream's window or stops reading the socket),
// delivers it again, or ends the request. abort() is taken once: later calls are ignored.

/** Who acts on the controller's changes. */
export interface ControllerOwner {
  paused(): void;
  resumed(): void;
  aborted(reason: Error | undefined): void;
}

const NO_OWNER: ControllerOwner = { paused() {}, resumed() {}, aborted() {} };

export class DispatchController {
  #paused = false;
  #aborted = false;
  #reason: Error | null = null;
  readonly #owner: ControllerOwner;
  /** The response's raw headers and trailers, as undici's controller exposes them. */
  rawHeaders: Buffer[] | null = null;
  rawTrailers: Buffer[] | null = null;

  constructor(owner: ControllerOwner = NO_OWNER) {
    this.#owner = owner;
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
    if (this.#paused) return;
    this.#paused = true;
    this.#owner.paused();
  }

  /** Deliver data again. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#owner.resumed();
  }

  /** End the request with `reason` (the handler's error callback gets it). Only the first call counts. */
  abort(reason?: Error): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason ?? null;
    this.#owner.aborted(reason);
  }
}
