// The encoder's dynamic table: the ring buffer plus Map indexes for lookups.
//
// Each insertion gets a sequence number (`inserted` before the insert). `exact` maps
// name → value → the newest sequence number holding that pair, and `byName` maps a
// name to the newest sequence number holding it. The HPACK index of sequence `seq`
// is 62 + (inserted - 1 - seq) (RFC 7541 §2.3.3). Eviction is oldest first, so when
// an evicted entry is the one a map points to, no older copy remains and the key is
// dropped; the maps therefore never hold more keys than the table holds entries.

import { DynamicTable } from "./dynamic-table.js";
import { STATIC_COUNT } from "./static-table.js";

export class EncoderTable extends DynamicTable {
  private readonly exact = new Map<string, Map<string, number>>();
  private readonly byName = new Map<string, number>();

  override add(name: string, value: string): boolean {
    if (!super.add(name, value)) return false;
    const seq = this.inserted - 1;
    let values = this.exact.get(name);
    if (values === undefined) this.exact.set(name, (values = new Map()));
    values.set(value, seq);
    this.byName.set(name, seq);
    return true;
  }

  /** HPACK index (>= 62) of an entry equal to (name, value), or 0. */
  findExact(name: string, value: string): number {
    const seq = this.exact.get(name)?.get(value);
    return seq === undefined ? 0 : STATIC_COUNT + this.inserted - seq;
  }

  /** HPACK index (>= 62) of an entry with this name, or 0. */
  findName(name: string): number {
    const seq = this.byName.get(name);
    return seq === undefined ? 0 : STATIC_COUNT + this.inserted - seq;
  }

  protected override evictOldest(): void {
    const oldest = this.count - 1;
    const name = this.name(oldest);
    const value = this.value(oldest);
    const seq = this.inserted - this.count;
    const values = this.exact.get(name);
    if (values !== undefined && values.get(value) === seq) {
      values.delete(value);
      if (values.size === 0) this.exact.delete(name);
    }
    if (this.byName.get(name) === seq) this.byName.delete(name);
    super.evictOldest();
  }
}
