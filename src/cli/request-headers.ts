// The request headers of a transfer, as curl builds them: its defaults (user-agent,
// accept), those options imply (-u, -e, -A, --json, --compressed, the body's type and
// length), then the caller's -H headers, which replace a default of the same name.

import type { Headers } from "../index.js";
import type { CliOptions } from "./args.js";
import { packageVersion } from "./version.js";

/** The headers for `options`; `fileSize` is the length of a file body. */
export function requestHeaders(options: CliOptions, fileSize: number | undefined): Headers {
  const given = new Set(options.headers.map(([name]) => name.toLowerCase()));
  const skip = (name: string): boolean => given.has(name) || options.removedHeaders.includes(name);
  const headers: Headers = [];
  if (options.user !== undefined && !skip("authorization")) {
    // RFC 7617 §2: Basic credentials are base64 of user-id ":" password.
    headers.push(["authorization", `Basic ${Buffer.from(options.user, "utf8").toString("base64")}`]);
  }
  // An empty -A leaves the connection's own default user-agent.
  const agent = options.userAgent ?? `mint-http/${packageVersion()}`;
  if (agent !== "" && !skip("user-agent")) headers.push(["user-agent", agent]);
  if (!skip("accept")) headers.push(["accept", options.json ? "application/json" : "*/*"]);
  if (options.referer !== undefined && !skip("referer")) headers.push(["referer", options.referer]);
  if (options.compressed && !skip("accept-encoding")) headers.push(["accept-encoding", "gzip, deflate, br"]);
  if (options.body !== undefined && !skip("content-type")) {
    headers.push(["content-type", options.json ? "application/json" : "application/x-www-form-urlencoded"]);
  }
  if (fileSize !== undefined && !skip("content-length")) headers.push(["content-length", String(fileSize)]);
  headers.push(...options.headers);
  return headers;
}
