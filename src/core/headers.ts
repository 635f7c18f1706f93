// Header-name and header-value checks shared by the HTTP/1 and HTTP/2 engines.
// RFC 9110 §5.1 (field names are tokens), §5.5 (field values), §5.6.2 (token);
// RFC 9113 §8.2.1 (HTTP/2 names are lowercase, values carry no edge whitespace).
//
// How this works: every check walks the string once, one lookup per character code in a
// small table, so checking a whole response header list costs about one pass over its bytes.

const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;

/** 1 for the characters of an HTTP/2 field name: tchar without uppercase (RFC 9113 §8.2.1). */
const LOWER_TCHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) LOWER_TCHAR[c] = TCHAR[c]! === 1 && !(c >= 65 && c <= 90) ? 1 : 0;

/** 1 for the characters allowed in a field value: VCHAR, obs-text, SP, HTAB (RFC 9110 §5.5). */
const VALUE_CHAR = new Uint8Array(256);
for (let c = 0x20; c < 0x100; c++) VALUE_CHAR[c] = c === 0x7f ? 0 : 1;
VALUE_CHAR[0x09] = 1;

/** True when `s` is a non-empty RFC 9110 token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) return false;
  }
  return true;
}

/**
 * True when `s` is a valid field value: VCHAR, obs-text, SP and HTAB only
 * (RFC 9110 §5.5): no CR, LF, NUL or other control characters.
 */
export function isFieldValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 ? c !== 0x09 : c === 0x7f || c > 0xff) return false;
  }
  return true;
}

/** True when `s` is a non-empty token without uppercase letters: an HTTP/2 field name (RFC 9113 §8.2.1). */
export function isLowercaseToken(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || LOWER_TCHAR[c] === 0) return false;
  }
  return true;
}

/**
 * True when `s` is a field value HTTP/2 accepts: RFC 9110 §5.5 characters only (no NUL, CR,
 * LF or other controls but HTAB) and no SP or HTAB at either end (RFC 9113 §8.2.1).
 */
export function isTrimmedFieldValue(s: string): boolean {
  const n = s.length;
  if (n === 0) return true;
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(n - 1);
  if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || VALUE_CHAR[c] === 0) return false;
  }
  return true;
}

/**
 * Connection-specific fields (RFC 9113 §8.2.2): they only make sense for one HTTP/1 hop and
 * make an HTTP/2 message malformed, in either direction.
 */
export const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);

/** `CONNECTION_SPECIFIC.has(name)` for a lowercase name, with the length looked at first. */
export function isConnectionSpecific(name: string): boolean {
  switch (name.length) {
    case 7: return name === "upgrade";
    case 10: return name === "connection" || name === "keep-alive";
    case 16: return name === "proxy-connection";
    case 17: return name === "transfer-encoding";
    default: return false;
  }
}

/** ASCII lowercase with a fast path for names that are already lowercase. */
export function lowerName(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return name.toLowerCase();
  }
  return name;
}

/**
 * Trailer names a request must not send and a response's trailers drop
 * (Mint's list, after RFC 9110 §6.5.1).
 */
export const FORBIDDEN_TRAILERS: ReadonlySet<string> = new Set([
  "content-encoding", "content-length", "content-range", "content-type", "trailer", "transfer-encoding",
  "cache-control", "expect", "host", "max-forwards", "pragma", "range", "te", "if-match", "if-none-match",
  "if-modified-since", "if-unmodified-since", "if-range", "authorization", "proxy-authenticate",
  "proxy-authorization", "www-authenticate", "cookie", "set-cookie", "age", "expires", "date", "location",
  "retry-after", "vary", "warning",
]);

/**
 * A header list as flat strings (name, value, name, value...): what a request cache keeps
 * to recognise a repeat of the same list.
 */
export function flatFields(headers: ReadonlyArray<readonly [string, string]>): string[] {
  const fields: string[] = [];
  for (let i = 0; i < headers.length; i++) fields.push(headers[i]![0], headers[i]![1]);
  return fields;
}

/** Whether `headers` (unchecked input) holds exactly the strings of `fields`, in order. */
export function sameFields(fields: readonly string[], headers: unknown): boolean {
  if (!Array.isArray(headers)) return false;
  const n = headers.length;
  if (n * 2 !== fields.length) return false;
  for (let i = 0; i < n; i++) {
    const h: unknown = headers[i];
    if (!Array.isArray(h) || h.length !== 2 || h[0] !== fields[2 * i] || h[1] !== fields[2 * i + 1]) return false;
  }
  return true;
}
