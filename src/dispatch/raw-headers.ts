// Header shapes at the dispatcher's edge. Callers hand request headers in every shape
// undici accepts (a flat [name, value, ...] array, an array of pairs, a record whose
// values are strings or string arrays, any iterable of pairs); handlers get response
// headers as undici's "raw headers": a flat array of Buffers, name then value, in the
// order they arrived; undici 7 handlers get them as a record with lowercase names.

import type { Headers } from "../index.js";

/** A header value as callers give it: undici coerces numbers and booleans, skips undefined. */
type Value = string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean | null>;

function push(out: Array<[string, string]>, name: unknown, value: Value): void {
  if (typeof name !== "string") throw new TypeError(`header name must be a string, got ${typeof name}`);
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const v of value) out.push([name, v === null ? "" : String(v)]);
    return;
  }
  if (value !== null && typeof value === "object") throw new TypeError(`invalid ${name} header: an object`);
  out.push([name, value === null ? "" : String(value)]);
}

/**
 * Request headers in any undici shape as [name, value] pairs, names kept as given.
 * Errors: TypeError for an odd flat array, a pair that is not [name, value], a non-string
 * name or an object value.
 */
export function headerPairs(headers: unknown): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (headers === undefined || headers === null) return out;
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const pair of headers as unknown[]) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError("headers must be in [name, value] pairs");
        push(out, pair[0], pair[1] as Value);
      }
      return out;
    }
    if (headers.length % 2 !== 0) throw new TypeError("a flat headers array must have an even length");
    for (let i = 0; i < headers.length; i += 2) push(out, headers[i], headers[i + 1] as Value);
    return out;
  }
  if (typeof headers !== "object") throw new TypeError("headers must be an object or an array");
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === "function") {
    for (const pair of headers as Iterable<unknown>) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError("headers must be in [name, value] pairs");
      push(out, pair[0], pair[1] as Value);
    }
    return out;
  }
  for (const name of Object.keys(headers)) push(out, name, (headers as Record<string, Value>)[name]);
  return out;
}

/** Response headers (or trailers) as undici's raw headers: [name, value, name, value, ...] Buffers. */
export function rawHeaders(headers: Headers): Buffer[] {
  const out: Buffer[] = new Array<Buffer>(headers.length * 2);
  let i = 0;
  for (const [name, value] of headers) {
    out[i++] = Buffer.from(name, "latin1");
    out[i++] = Buffer.from(value, "latin1");
  }
  return out;
}

/** Raw headers as undici 7 hands them to new-shape handlers: lowercase names, repeats as arrays. */
export function headerRecord(raw: readonly Buffer[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString("latin1").toLowerCase();
    const value = raw[i + 1]!.toString("latin1");
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[name] = [seen, value];
  }
  return out;
}
