// A latency histogram in the style of HdrHistogram: fixed memory, about 1.6 % relative
// precision at any magnitude.
//
// How it works: values are whole microseconds. Values below 128 get one bucket each. Above,
// each power of two [2^k, 2^(k+1)) is cut into 64 equal sub-buckets, so a bucket's width is
// 1/64 of its lower bound. Values are capped at 2^31 - 1 µs (about 36 minutes), which bounds
// the table at 1,664 counters whatever the run's length. A percentile is read by walking the
// counters; it reports the bucket's highest value (never under-reports latency). The exact
// minimum, maximum and sum are kept beside the buckets.

const LINEAR = 128;
const SUB = 64;
const MAX_VALUE = 0x7fffffff;
const BUCKETS = LINEAR + 24 * SUB;

/** Bucket index of a value in µs. */
function indexOf(v: number): number {
  if (v < LINEAR) return v;
  const shift = 31 - Math.clz32(v) - 6; // v >> shift lands in [64, 127]
  return LINEAR + (shift - 1) * SUB + ((v >>> shift) - SUB);
}

/** The highest value (µs) that falls in bucket `i`. */
function highestOf(i: number): number {
  if (i < LINEAR) return i;
  const shift = Math.floor((i - LINEAR) / SUB) + 1;
  const sub = ((i - LINEAR) % SUB) + SUB;
  return ((sub + 1) << shift) - 1;
}

/** Counts of latencies, in microseconds, with bounded memory. */
export class Histogram {
  readonly #counts = new Float64Array(BUCKETS);
  count = 0;
  min = Infinity;
  max = 0;
  sum = 0;

  /** Record one value in microseconds (negative counts as 0, huge values are capped). */
  record(us: number): void {
    const v = us <= 0 ? 0 : us >= MAX_VALUE ? MAX_VALUE : Math.round(us);
    this.#counts[indexOf(v)]! += 1;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** The value (µs) at or below which `p` percent of the values fall; 0 when empty. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(highestOf(i), this.max);
    }
    return this.max;
  }

  /** Mean in µs; 0 when empty. */
  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }
}
