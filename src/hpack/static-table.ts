// The HPACK static table (RFC 7541 Appendix A) and the encoder's lookups into it.
//
// STATIC_NAMES/STATIC_VALUES are indexed 1..61 (slot 0 unused), so the decoder can
// read an index straight off the wire. STATIC_LOOKUP maps a name to its first index
// and to the index of each (name, value) pair, so the encoder finds a match with
// Map lookups instead of a scan.

const ENTRIES: ReadonlyArray<readonly [string, string]> = [
  [":authority", ""],
  [":method", "GET"],
  [":method", "POST"],
  [":path", "/"],
  [":path", "/index.html"],
  [":scheme", "http"],
  [":scheme", "https"],
  [":status", "200"],
  [":status", "204"],
  [":status", "206"],
  [":status", "304"],
  [":status", "400"],
  [":status", "404"],
  [":status", "500"],
  ["accept-charset", ""],
  ["accept-encoding", "gzip, deflate"],
  ["accept-language", ""],
  ["accept-ranges", ""],
  ["accept", ""],
  ["access-control-allow-origin", ""],
  ["age", ""],
  ["allow", ""],
  ["authorization", ""],
  ["cache-control", ""],
  ["content-disposition", ""],
  ["content-encoding", ""],
  ["content-language", ""],
  ["content-length", ""],
  ["content-location", ""],
  ["content-range", ""],
  ["content-type", ""],
  ["cookie", ""],
  ["date", ""],
  ["etag", ""],
  ["expect", ""],
  ["expires", ""],
  ["from", ""],
  ["host", ""],
  ["if-match", ""],
  ["if-modified-since", ""],
  ["if-none-match", ""],
  ["if-range", ""],
  ["if-unmodified-since", ""],
  ["last-modified", ""],
  ["link", ""],
  ["location", ""],
  ["max-forwards", ""],
  ["proxy-authenticate", ""],
  ["proxy-authorization", ""],
  ["range", ""],
  ["referer", ""],
  ["refresh", ""],
  ["retry-after", ""],
  ["server", ""],
  ["set-cookie", ""],
  ["strict-transport-security", ""],
  ["transfer-encoding", ""],
  ["user-agent", ""],
  ["vary", ""],
  ["via", ""],
  ["www-authenticate", ""],
];

/** Number of static table entries; dynamic indexes start at STATIC_COUNT + 1. */
export const STATIC_COUNT = 61;

/** Static names and values, 1-based (index 0 is unused). */
export const STATIC_NAMES: readonly string[] = ["", ...ENTRIES.map((e) => e[0])];
export const STATIC_VALUES: readonly string[] = ["", ...ENTRIES.map((e) => e[1])];

/** For one name: its lowest static index and the index of each of its static values. */
export interface StaticName {
  readonly index: number;
  readonly values: ReadonlyMap<string, number>;
}

/** name → { index, values: value → index } over the static table. */
export const STATIC_LOOKUP: ReadonlyMap<string, StaticName> = (() => {
  const map = new Map<string, { index: number; values: Map<string, number> }>();
  ENTRIES.forEach(([name, value], i) => {
    let entry = map.get(name);
    if (entry === undefined) map.set(name, (entry = { index: i + 1, values: new Map() }));
    if (!entry.values.has(value)) entry.values.set(value, i + 1);
  });
  return map;
})();
