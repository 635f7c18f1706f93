// Request refs: opaque strings, unique within the process, cheap to compare.

let counter = 0;

/** A fresh request ref. */
export function nextRef(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return "#" + counter.toString(36);
}
