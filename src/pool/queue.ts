// Requests waiting for a connection, first come first served. An array with a head index
// (no shift() per request); a request that leaves early (abort, timeout) is marked and
// skipped when it reaches the head.

export interface Waiting {
  /** Set while the request sits in the queue. */
  queued: boolean;
}

export class WaitQueue<T extends Waiting> {
  #items: Array<T | undefined> = [];
  #head = 0;
  /** Requests really waiting (marked ones excluded). */
  size = 0;

  push(item: T): void {
    item.queued = true;
    this.#items.push(item);
    this.size++;
  }

  /** Put a request back at the front (a retry keeps its place). */
  unshift(item: T): void {
    item.queued = true;
    if (this.#head > 0) this.#items[--this.#head] = item;
    else this.#items.unshift(item);
    this.size++;
  }

  /** The first waiting request, without taking it. */
  peek(): T | undefined {
    const items = this.#items;
    while (this.#head < items.length) {
      const item = items[this.#head];
      if (item !== undefined && item.queued) return item;
      items[this.#head++] = undefined;
    }
    this.#reset();
    return undefined;
  }

  shift(): T | undefined {
    const item = this.peek();
    if (item === undefined) return undefined;
    this.#items[this.#head++] = undefined;
    item.queued = false;
    this.size--;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Take `item` out wherever it is (it is skipped later). */
  remove(item: T): void {
    if (!item.queued) return;
    item.queued = false;
    this.size--;
  }

  /** Every waiting request, in order (for timeouts and destroy). */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i];
      if (item !== undefined && item.queued) yield item;
    }
  }

  #reset(): void {
    if (this.#items.length !== 0) this.#items.length = 0;
    this.#head = 0;
  }
}
