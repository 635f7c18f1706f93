// The wait of a request sent with `expect: 100-continue` (RFC 9110 §10.1.1): its body is
// held back until the server says 100 Continue, or until a final response says it is not
// wanted, or until a short wait without any answer runs out.
//
// How this works: `decided` resolves once: true (send the body) on 100 Continue or when the
// wait ends (RFC 9110 §10.1.1: a client need not wait for 100 indefinitely; 1 s, as curl
// and undici), false (never send it) on a final status or when the attempt ends. The timer
// is unref'd, so a waiting body never keeps the process alive on its own.

/** How long a body waits for 100 Continue before it is sent anyway (ms). */
export const CONTINUE_WAIT_MS = 1000;

export class ContinueGate {
  readonly decided: Promise<boolean>;
  #resolve!: (send: boolean) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(waitMs: number = CONTINUE_WAIT_MS) {
    this.decided = new Promise<boolean>((resolve) => (this.#resolve = resolve));
    this.#timer = setTimeout(() => this.decide(true), waitMs);
    this.#timer.unref?.();
  }

  /** Whether the gate is still waiting. */
  get open(): boolean {
    return this.#timer !== undefined;
  }

  /** Settle the wait: send the body (true) or not (false). Only the first call counts. */
  decide(send: boolean): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#resolve(send);
  }
}
