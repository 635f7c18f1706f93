// Checks on the URI parts a request carries outside its path: the scheme and the authority
// (RFC 3986 §3.1, §3.2), as used for HTTP/2 `:scheme` / `:authority` and the `host` header.
//
// How this works: one table lookup per character. An authority here is `host[:port]` only:
// userinfo (`user@host`) is refused, as RFC 9113 §8.3.1 and RFC 9110 §4.2 forbid it in
// http and https URIs, and so are SP, CR, LF, NUL and every other character RFC 3986 does not
// allow in a host, so nothing can end a field or smuggle a second one.

/** 1 for unreserved, sub-delims, "%", ":", "[" and "]" (RFC 3986 §3.2.2, §3.2.3). */
const AUTHORITY_CHAR = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=%:[]") AUTHORITY_CHAR[c.charCodeAt(0)] = 1;

/** True when `s` is a non-empty `host[:port]` authority without userinfo (RFC 3986 §3.2). */
export function isAuthority(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || AUTHORITY_CHAR[c] === 0) return false;
  }
  return true;
}

/** 1 for ALPHA, DIGIT, "+", "-", "." (RFC 3986 §3.1). */
const SCHEME_CHAR = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-.") SCHEME_CHAR[c.charCodeAt(0)] = 1;

/** True when `s` is an RFC 3986 §3.1 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
export function isScheme(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  const first = s.charCodeAt(0) | 0x20;
  if (first < 0x61 || first > 0x7a) return false;
  for (let i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || SCHEME_CHAR[c] === 0) return false;
  }
  return true;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: "80", https: "443" };

/** Lowercased host and port (the scheme's default when absent), or null when unparsable. */
function hostAndPort(authority: string, scheme: string): [string, string] | null {
  let host: string;
  let port: string;
  if (authority.startsWith("[")) {
    const end = authority.indexOf("]");
    if (end === -1) return null;
    host = authority.slice(0, end + 1);
    const rest = authority.slice(end + 1);
    if (rest !== "" && !rest.startsWith(":")) return null;
    port = rest.slice(1);
  } else {
    const colon = authority.lastIndexOf(":");
    host = colon === -1 ? authority : authority.slice(0, colon);
    port = colon === -1 ? "" : authority.slice(colon + 1);
  }
  if (host === "" || (host.includes(":") && !host.startsWith("["))) return null;
  if (port === "") port = DEFAULT_PORTS[scheme] ?? "";
  else if (!/^[0-9]{1,5}$/.test(port)) return null;
  else port = String(Number(port));
  return [host.toLowerCase(), port];
}

/**
 * True when two authorities name the same origin under `scheme`: hosts equal ignoring case
 * (RFC 3986 §3.2.2), ports equal with the scheme's default filled in (§6.2.3).
 */
export function sameAuthority(a: string, b: string, scheme: string): boolean {
  const x = hostAndPort(a, scheme);
  const y = hostAndPort(b, scheme);
  return x !== null && y !== null && x[0] === y[0] && x[1] === y[1];
}
