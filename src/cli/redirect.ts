// curl's rules for following a redirect (-L): where to, with which method and body, and
// which headers may go along.

import type { Headers } from "../index.js";

/** The request as it will be sent to the next location. */
export interface NextRequest {
  url: URL;
  method: string;
  keepBody: boolean;
  headers: Headers;
}

/** The redirect statuses curl follows (RFC 9110 §15.4). */
export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/**
 * The next request after a `status` response with `location`, or undefined when the location
 * is not a usable http(s) URL. `trusted` (--location-trusted) lets credentials go to another origin.
 */
export function nextRequest(
  from: URL, status: number, location: string, method: string, headers: Headers, keepPost: ReadonlySet<number>, trusted = false,
): NextRequest | undefined {
  let url: URL;
  try {
    // RFC 9110 §10.2.2: a relative reference is resolved against the request's URL.
    url = new URL(location, from);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  let next = method;
  let keepBody = true;
  if (status === 303) {
    // RFC 9110 §15.4.4: 303 is answered with a GET (curl keeps HEAD, and POST with --post303).
    if (method !== "HEAD" && !(method === "POST" && keepPost.has(303))) {
      next = "GET";
      keepBody = false;
    }
  } else if ((status === 301 || status === 302) && method === "POST" && !keepPost.has(status)) {
    // RFC 9110 §15.4.2-3: user agents may change POST to GET on 301/302; curl does, unless --post301/--post302.
    next = "GET";
    keepBody = false;
  }
  // 307 and 308 keep the method and the body (RFC 9110 §15.4.8-9).
  let out = headers;
  if (!keepBody) {
    out = out.filter(([name]) => !/^content-(type|length|encoding)$/i.test(name));
  }
  if (url.origin !== from.origin && !trusted) {
    // Credentials go only to the origin they were given for, unless --location-trusted.
    out = out.filter(([name]) => !/^(authorization|cookie|proxy-authorization)$/i.test(name));
  }
  return { url, method: next, keepBody, headers: out };
}
