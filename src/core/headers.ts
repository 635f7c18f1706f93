// Header-name and header-value checks shared by the HTTP/1 and HTTP/2 request encoders.
// RFC 9110 §5.1 (field names are tokens), §5.5 (field values), §5.6.2 (token).

const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;

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
