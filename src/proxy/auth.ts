// Proxy credentials: the Basic scheme (RFC 7617) for a `proxy-authorization` header.

/**
 * The `proxy-authorization` header carrying Basic credentials, to put in `proxyHeaders`:
 * `connect("https", host, 443, { proxy, proxyHeaders: [basicProxyAuth("user", "pass")] })`.
 * The user-id and password are sent as UTF-8, base64-encoded (RFC 7617 §2.1).
 *
 * @throws TypeError when `user` contains a colon (RFC 7617 §2) or either part is not a
 *   string or contains a control character.
 */
export function basicProxyAuth(user: string, password: string): [string, string] {
  if (typeof user !== "string" || typeof password !== "string") throw new TypeError("basicProxyAuth takes a user and a password string");
  // RFC 7617 §2: the user-id cannot contain a colon; neither part may contain control characters.
  if (user.includes(":")) throw new TypeError("basicProxyAuth: the user name must not contain a colon");
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(user) || /[\x00-\x1f\x7f]/.test(password)) {
    throw new TypeError("basicProxyAuth: the user name and password must not contain control characters");
  }
  return ["proxy-authorization", `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`];
}
