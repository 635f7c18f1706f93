// Origins: `scheme://host:port`, the unit a Pool serves and an Agent keys its pools by.
//
// How this works: `parseOrigin` accepts a string or URL with an http: or https: scheme and
// nothing but an authority (a trailing "/" is allowed); the port defaults to 80/443; an
// IPv6 literal keeps no brackets in `host` (they come back in `originKey`).

/** Where a pool connects: scheme, host (IPv6 without brackets) and port. */
export interface PoolOrigin {
  scheme: "http" | "https";
  host: string;
  port: number;
}

/**
 * Parse `scheme://host[:port]` into a PoolOrigin.
 * Throws TypeError for another scheme, a path, a query, a fragment or userinfo.
 */
export function parseOrigin(input: string | URL): PoolOrigin {
  let url: URL;
  if (input instanceof URL) url = input;
  else if (typeof input === "string") {
    try {
      url = new URL(input);
    } catch {
      throw new TypeError(`origin must be a URL like "https://example.com:8443", got ${JSON.stringify(input)}`);
    }
  } else throw new TypeError("origin must be a string or a URL");
  return originOfURL(url, true);
}

/** The origin of a full request URL; with `strict`, anything beyond the authority is refused. */
export function originOfURL(url: URL, strict = false): PoolOrigin {
  const scheme = url.protocol === "http:" ? "http" : url.protocol === "https:" ? "https" : undefined;
  if (scheme === undefined) throw new TypeError(`only http: and https: URLs are supported, got ${url.protocol}`);
  if (url.username !== "" || url.password !== "") throw new TypeError("an origin cannot carry credentials (user:password@)");
  if (strict && ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "")) {
    throw new TypeError(`an origin has no path, query or fragment: ${url.href}`);
  }
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  if (host === "") throw new TypeError(`an origin needs a host: ${url.href}`);
  const port = url.port === "" ? (scheme === "https" ? 443 : 80) : Number(url.port);
  return { scheme, host, port };
}

/** `scheme://host:port`, the port always written, IPv6 in brackets. */
export function originKey(o: PoolOrigin): string {
  const host = o.host.includes(":") ? `[${o.host}]` : o.host;
  return `${o.scheme}://${host}:${o.port}`;
}
