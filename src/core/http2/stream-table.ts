// The open streams of a connection by id: the engine's map, made cheap for the common case.
//
// How this works: our own streams get odd ids one after the other (RFC 9113 §5.1.1), so they
// sit in an array used as a window: the stream with id `baseId + 2k` is at index k, between
// `head` (the oldest still tracked) and `tail`. Adding or removing one is an array store, with
// no hashing and no table to grow or shrink as requests come and go. When the window drains
// it starts again at index 0 in the same array. Server pushes (even ids the server picks), and
// our streams still open far behind the window's front (a long download among many short
// requests), live in a Map instead, so the window never grows past WINDOW_MAX entries.
// `values()` returns a snapshot in insertion order, as a Map would iterate, so callers may
// remove streams while they walk it.

import type { Stream } from "./stream-state.js";

/** Longest window (live streams and holes) before old live streams move to the Map. */
const WINDOW_MAX = 2048;

export class StreamTable {
  private window: Array<Stream | undefined> = [];
  /** Live streams and holes are at indexes [head, tail) of `window`. */
  private head = 0;
  private tail = 0;
  /** Id of the stream at index 0 of `window`. */
  private baseId = 1;
  private readonly others = new Map<number, Stream>();
  private inserted = 0;
  /** Number of streams held. */
  size = 0;

  get(id: number): Stream | undefined {
    if ((id & 1) === 1) {
      const k = (id - this.baseId) / 2;
      if (k >= this.head && k < this.tail) return this.window[k];
    }
    return this.others.size === 0 ? undefined : this.others.get(id);
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /** Add a stream whose id is not held. */
  add(s: Stream): void {
    this.size++;
    s.seq = ++this.inserted;
    const id = s.id;
    if ((id & 1) === 0 || id < this.baseId + 2 * this.tail) {
      this.others.set(id, s);
      return;
    }
    if (this.head === this.tail) {
      // an empty window starts at this id
      this.head = this.tail = 0;
      this.baseId = id;
    } else if ((id - this.baseId) / 2 - this.head >= WINDOW_MAX) {
      this.restart(id);
    }
    let w = this.window;
    if (this.tail === w.length && this.head > 0 && this.head * 2 >= this.tail) {
      // slide the live part down instead of growing the array
      const n = this.tail - this.head;
      for (let i = 0; i < n; i++) w[i] = w[this.head + i];
      for (let i = n; i < this.tail; i++) w[i] = undefined;
      this.baseId += 2 * this.head;
      this.head = 0;
      this.tail = n;
    }
    const k = (id - this.baseId) / 2;
    while (this.tail < k) w[this.tail++] = undefined;
    w[this.tail++] = s;
  }

  /** Remove the stream with this id; false when it is not held. */
  delete(id: number): boolean {
    const w = this.window;
    const k = (id - this.baseId) / 2;
    if ((id & 1) === 1 && k >= this.head && k < this.tail && w[k] !== undefined) {
      w[k] = undefined;
      this.size--;
      if (k === this.head) {
        let h = k + 1;
        while (h < this.tail && w[h] === undefined) h++;
        if (h === this.tail) {
          // drained: the next stream starts the window again at index 0 of the same array
          this.head = this.tail = 0;
          if (w.length > WINDOW_MAX) this.window = [];
        } else {
          this.head = h;
        }
      }
      return true;
    }
    if (this.others.delete(id)) {
      this.size--;
      return true;
    }
    return false;
  }

  /** The streams held, in the order they were added (a snapshot: the table may change meanwhile). */
  values(): Stream[] {
    const out: Stream[] = [];
    const w = this.window;
    for (let k = this.head; k < this.tail; k++) {
      const s = w[k];
      if (s !== undefined) out.push(s);
    }
    if (this.others.size > 0) {
      for (const s of this.others.values()) out.push(s);
      out.sort((a, b) => a.seq - b.seq);
    }
    return out;
  }

  /** Move the window's live streams to the Map; a new window starts at `nextId`. */
  private restart(nextId: number): void {
    const w = this.window;
    for (let k = this.head; k < this.tail; k++) {
      const s = w[k];
      if (s !== undefined) this.others.set(s.id, s);
      w[k] = undefined;
    }
    this.head = this.tail = 0;
    this.baseId = nextId;
  }
}
