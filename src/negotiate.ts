// Protocol choice (the seed's `:protocols` rules) in one place:
// one protocol = forced; both over http = HTTP/1; both over https = ALPN, no ALPN = HTTP/1.

import { TransportError } from "./errors.js";
import type { Protocol, Scheme } from "./types.js";

/** The ALPN protocol ids to advertise for `protocols` (empty over http). */
export function alpnFor(scheme: Scheme, protocols: readonly Protocol[]): string[] {
  if (scheme === "http") return [];
  const out: string[] = [];
  if (protocols.includes("http2")) out.push("h2");
  if (protocols.includes("http1")) out.push("http/1.1");
  return out;
}

/**
 * The protocol to speak, given what ALPN selected (`false`/undefined when nothing was).
 * Errors: TransportError `bad_alpn_protocol` (details.protocol) for an id we do not speak or
 * did not offer; `protocol_not_negotiated` when HTTP/2 alone was asked over TLS and the
 * server chose nothing.
 */
export function chooseProtocol(scheme: Scheme, protocols: readonly Protocol[], alpn: string | false | null | undefined): Protocol {
  if (scheme === "http") return protocols.includes("http1") ? "http1" : "http2";
  if (!alpn) {
    if (protocols.includes("http1")) return "http1";
    throw new TransportError("protocol_not_negotiated", "the server did not negotiate HTTP/2 by ALPN (it may not support HTTP/2 over TLS)");
  }
  if (alpn === "h2" && protocols.includes("http2")) return "http2";
  if (alpn === "http/1.1" && protocols.includes("http1")) return "http1";
  throw new TransportError("bad_alpn_protocol", `the server chose the ALPN protocol "${alpn}", which was not offered`, { protocol: alpn });
}
