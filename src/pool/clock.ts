// The pool's only timer. The pool computes its next deadline (`maintain(now)` returns the
// ms until the next wake-up, Infinity for none); the clock keeps one unref'd setTimeout
// armed at the earliest wake-up asked for, so an idle pool never keeps the process alive
// and nothing holds a timer per connection or per request.

export class Clock {
  #timer: NodeJS.Timeout | undefined;
  #at = Infinity;
  readonly #tick: () => void;

  constructor(onTick: (now: number) => number) {
    this.#tick = () => {
      this.#timer = undefined;
      this.#at = Infinity;
      const now = Date.now();
      this.arm(now, onTick(now));
    };
  }

  /** Make sure a wake-up happens `inMs` after `now` (or earlier, when one is already armed). */
  arm(now: number, inMs: number): void {
    if (!Number.isFinite(inMs)) return;
    const at = now + Math.max(0, inMs);
    if (at >= this.#at) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#at = at;
    this.#timer = setTimeout(this.#tick, Math.min(at - now + 1, 2 ** 31 - 1));
    this.#timer.unref();
  }

  /** Drop the armed wake-up. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#at = Infinity;
  }
}
