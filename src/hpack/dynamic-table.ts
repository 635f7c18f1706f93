// The HPACK dynamic table (RFC 7541 §2.3.2, §4) as a ring buffer.
//
// Entries live in two parallel arrays used as a ring: `head` is the slot of the newest
// entry, older entries sit at head-1, head-2, ... (mod capacity). Inserting writes one
// slot and evicting clears one slot, so no array is ever shifted. The ring doubles
// when full; it never needs more than maxSize / 32 slots, since every entry costs at
// least 32 octets. `size` is the RFC's accounting: the sum over entries of
// name length + value length + 32 octets (§4.1). Strings are latin1, so their length
// is their length in octets.

/** Overhead added to each entry's name and value lengths (RFC 7541 §4.1). */
export const ENTRY_OVERHEAD = 32;

export class DynamicTable {
  private names: string[];
  private values: string[];
  private mask: number;
  private head = -1;
  /** Number of entries. */
  count = 0;
  /** Current size in octets (RFC 7541 §4.1). */
  size = 0;
  /** Maximum size in octets (the last dynamic table size update, or the initial size). */
  maxSize: number;
  /** Number of entries ever inserted; entry `n` (0-based) was the n-th insertion. */
  inserted = 0;

  constructor(maxSize: number) {
    this.maxSize = maxSize;
    this.names = new Array<string>(16).fill("");
    this.values = new Array<string>(16).fill("");
    this.mask = 15;
  }

  /** Name of the entry at 0-based dynamic position `i` (0 = newest). Caller checks `i < count`. */
  name(i: number): string {
    return this.names[(this.head - i) & this.mask]!;
  }

  /** Value of the entry at 0-based dynamic position `i` (0 = newest). Caller checks `i < count`. */
  value(i: number): string {
    return this.values[(this.head - i) & this.mask]!;
  }

  /**
   * Inserts an entry, evicting old ones to make room. An entry larger than the
   * maximum size empties the table and is not inserted (RFC 7541 §4.4).
   * @returns whether the entry was inserted.
   */
  add(name: string, value: string): boolean {
    const entrySize = name.length + value.length + ENTRY_OVERHEAD;
    if (entrySize > this.maxSize) {
      // RFC 7541 §4.4: not an error; the table is just emptied.
      while (this.count > 0) this.evictOldest();
      return false;
    }
    while (this.size + entrySize > this.maxSize) this.evictOldest();
    if (this.count > this.mask) this.grow();
    this.head = (this.head + 1) & this.mask;
    this.names[this.head] = name;
    this.values[this.head] = value;
    this.count++;
    this.size += entrySize;
    this.inserted++;
    return true;
  }

  /** Sets the maximum size and evicts entries until the table fits (RFC 7541 §4.3). */
  setMaxSize(maxSize: number): void {
    this.maxSize = maxSize;
    while (this.size > maxSize) this.evictOldest();
  }

  /** Removes the oldest entry. */
  protected evictOldest(): void {
    const slot = (this.head - this.count + 1) & this.mask;
    this.size -= this.names[slot]!.length + this.values[slot]!.length + ENTRY_OVERHEAD;
    this.names[slot] = "";
    this.values[slot] = "";
    this.count--;
  }

  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const names = new Array<string>(capacity).fill("");
    const values = new Array<string>(capacity).fill("");
    // Re-lay the entries oldest first from slot 0, newest at count - 1.
    for (let i = 0; i < this.count; i++) {
      const from = (this.head - this.count + 1 + i) & this.mask;
      names[i] = this.names[from]!;
      values[i] = this.values[from]!;
    }
    this.names = names;
    this.values = values;
    this.mask = capacity - 1;
    this.head = this.count - 1;
  }
}
