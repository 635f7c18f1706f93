// Request refs: opaque strings, unique within the process, cheap to compare.
// An HTTP/2 connection names its streams' requests with a prefix of its own and the stream
// id, so it finds a stream from its ref without a second map.

let counter = 0;

/** A fresh request ref. */
export function nextRef(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return "#" + counter.toString(36);
}

let prefixes = 0;

/**
 * A fresh prefix for refs made of it and a number (`prefix + n.toString(36)`): unique within
 * the process, and never equal to a {@link nextRef} ref (those have no ".").
 */
export function nextRefPrefix(): string {
  prefixes = (prefixes + 1) % Number.MAX_SAFE_INTEGER;
  return "#" + prefixes.toString(36) + ".";
}
