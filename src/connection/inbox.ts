// What a passive connection has read from its socket but not yet handed to `recv`:
// chunks, the end of the stream, or a socket error, in arrival order. `take` waits for
// the next item (resuming the paused socket only while it waits) or for a timeout.

import type { Socket } from "node:net";
import type { TransportError } from "../errors.js";

export type InboxItem = Uint8Array | "eof" | TransportError;

export class Inbox {
  #items: InboxItem[] = [];
  #waiter: (() => void) | undefined;

  get isEmpty(): boolean {
    return this.#items.length === 0;
  }

  push(item: InboxItem): void {
    this.#items.push(item);
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter();
    }
  }

  /** Put `items` back in front of what is queued (they were taken out but not used). */
  prepend(items: InboxItem[]): void {
    if (items.length === 0) return;
    this.#items = [...items, ...this.#items];
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter();
    }
  }

  /** Every item, oldest first; the inbox is then empty. */
  drain(): InboxItem[] {
    const items = this.#items;
    this.#items = [];
    return items;
  }

  /**
   * The next chunk (`byteCount` 0), or exactly `byteCount` bytes (fewer only when the stream
   * ends or fails first; the end or error is then returned by the next call).
   */
  async take(byteCount: number, timeoutMs: number, socket: Socket): Promise<InboxItem | "timeout"> {
    const deadline = Number.isFinite(timeoutMs) ? Date.now() + timeoutMs : Infinity;
    for (;;) {
      const ready = this.#ready(byteCount);
      if (ready !== undefined) return ready;
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.#wait(left, socket))) {
        // Time is up: hand over a partial read only if the stream ended; otherwise keep it.
        return "timeout";
      }
    }
  }

  #ready(byteCount: number): InboxItem | undefined {
    const items = this.#items;
    if (items.length === 0) return undefined;
    const first = items[0]!;
    if (!(first instanceof Uint8Array)) return items.shift();
    if (byteCount === 0 || first.length === byteCount) return items.shift();
    if (first.length > byteCount) {
      items[0] = first.subarray(byteCount);
      return first.subarray(0, byteCount);
    }
    // Several chunks make up byteCount, or the stream ends first.
    let have = 0;
    let n = 0;
    while (n < items.length && items[n] instanceof Uint8Array && have < byteCount) {
      have += (items[n] as Uint8Array).length;
      n++;
    }
    const ended = n < items.length && !(items[n] instanceof Uint8Array);
    if (have < byteCount && !ended) return undefined;
    const out = new Uint8Array(Math.min(have, byteCount));
    let offset = 0;
    while (offset < out.length) {
      const chunk = items[0] as Uint8Array;
      const take = Math.min(chunk.length, out.length - offset);
      out.set(chunk.subarray(0, take), offset);
      offset += take;
      if (take === chunk.length) items.shift();
      else items[0] = chunk.subarray(take);
    }
    return out;
  }

  #wait(ms: number, socket: Socket): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.#waiter = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(true);
      };
      if (Number.isFinite(ms)) {
        timer = setTimeout(() => {
          this.#waiter = undefined;
          socket.pause();
          resolve(false);
        }, Math.min(ms, 2 ** 31 - 1));
      }
      if (!socket.destroyed) socket.resume();
    });
  }
}
