// Request refs: opaque strings, unique within the process, cheap to compare.
// An HTTP/2 connection names its streams' requests with a prefix of its own and the stream
// id, so it finds a stream from its ref without a second map.
//
// How this works: a number n is written as base 36 of n / 256 followed by two hex digits
// for n % 256. The first part changes once every 256 numbers and is kept, so a ref costs one
// string concatenation, not a number-to-string conversion; the two parts read back exactly.

/** "00".."ff" */
const LOW: string[] = [];
for (let i = 0; i < 256; i++) LOW.push((i < 16 ? "0" : "") + i.toString(16));

/** Names numbers with a fixed prefix (see the module comment). */
export class RefNames {
  private hi = -1;
  private hiName = "";

  constructor(readonly prefix: string) {}

  /** The name of `n` (a non-negative integer). */
  name(n: number): string {
    const hi = Math.floor(n / 256);
    if (hi !== this.hi) {
      this.hi = hi;
      this.hiName = this.prefix + hi.toString(36);
    }
    return this.hiName + LOW[n % 256]!;
  }

  /** The number a name of {@link name} holds; NaN or another number for anything else. */
  parse(ref: string): number {
    const p = this.prefix.length;
    if (ref.length < p + 3 || !ref.startsWith(this.prefix)) return NaN;
    return parseInt(ref.slice(p, ref.length - 2), 36) * 256 + parseInt(ref.slice(ref.length - 2), 16);
  }
}

const refs = new RefNames("#");
let counter = 0;

/** A fresh request ref. */
export function nextRef(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return refs.name(counter);
}

let prefixes = 0;

/**
 * Names for the refs of one connection's streams: unique within the process, and never
 * equal to a {@link nextRef} ref (those have no ".").
 */
export function nextRefNames(): RefNames {
  prefixes = (prefixes + 1) % Number.MAX_SAFE_INTEGER;
  return new RefNames("#" + prefixes.toString(36) + ".");
}
