// The opening handshake (RFC 6455 §4 over HTTP/1.1, RFC 8441 §4-§5 over HTTP/2), sans-IO.
//
// How this works: `createKey` makes the Sec-WebSocket-Key from 16 random bytes and
// `acceptFor` computes the expected Sec-WebSocket-Accept with an injected SHA-1 (the shell
// passes node:crypto's). `http1Headers` / `http2Headers` build the request headers;
// `checkResponse` checks the server's answer and returns the agreed subprotocol and
// extensions, or throws HTTPError (protocol "websocket") with a reason from API.md.

import { HTTPError } from "../../errors.js";
import type { Headers } from "../../types.js";
import type { RandomFill } from "./mask.js";
import { type DeflateOptions, type DeflateParams, acceptDeflate, offerDeflate, parseExtensions } from "./permessage-deflate.js";

/** RFC 6455 §1.3: the GUID appended to the key before hashing. */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export type Sha1 = (data: Uint8Array) => Uint8Array;

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Base64 (RFC 4648 §4) of bytes. */
export function base64(bytes: Uint8Array): string {
  let s = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const left = bytes.length - i;
  if (left === 1) {
    const n = bytes[i]! << 16;
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + "==";
  } else if (left === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + "=";
  }
  return s;
}

/** RFC 6455 §4.1: a fresh random 16-byte value, base64-encoded. */
export function createKey(randomFill: RandomFill): string {
  const bytes = new Uint8Array(16);
  randomFill(bytes);
  return base64(bytes);
}

/** RFC 6455 §4.2.2: base64(SHA-1(key + GUID)). */
export function acceptFor(key: string, sha1: Sha1): string {
  return base64(sha1(new TextEncoder().encode(key + GUID)));
}

export interface HandshakeOffer {
  /** Subprotocols offered (Sec-WebSocket-Protocol), in order of preference. */
  protocols: string[];
  /** permessage-deflate offer, or null when not offered. */
  deflate: DeflateOptions | null;
  headers: Headers;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Checks the offer; TypeError for a subprotocol that is not a token (RFC 6455 §4.1) or a repeated one. */
export function checkOffer(offer: HandshakeOffer): void {
  const seen = new Set<string>();
  for (const p of offer.protocols) {
    if (typeof p !== "string" || !TOKEN.test(p)) throw new TypeError(`subprotocol ${JSON.stringify(p)} is not a token (RFC 6455 §4.1)`);
    if (seen.has(p)) throw new TypeError(`subprotocol ${p} is offered twice`);
    seen.add(p);
  }
}

function commonHeaders(offer: HandshakeOffer): Headers {
  const out: Headers = [["Sec-WebSocket-Version", "13"]];
  if (offer.protocols.length > 0) out.push(["Sec-WebSocket-Protocol", offer.protocols.join(", ")]);
  if (offer.deflate !== null) out.push(["Sec-WebSocket-Extensions", offerDeflate(offer.deflate)]);
  return out;
}

/** RFC 6455 §4.1: the Upgrade request's headers (the caller's headers come last). */
export function http1Headers(key: string, offer: HandshakeOffer): Headers {
  checkOffer(offer);
  return [["Upgrade", "websocket"], ["Connection", "Upgrade"], ["Sec-WebSocket-Key", key], ...commonHeaders(offer), ...offer.headers];
}

/** RFC 8441 §4-§5: the extended CONNECT's headers (no key, no Upgrade/Connection). */
export function http2Headers(offer: HandshakeOffer): Headers {
  checkOffer(offer);
  return [[":protocol", "websocket"], ...commonHeaders(offer).map(([n, v]) => [n.toLowerCase(), v] as [string, string]), ...offer.headers];
}

export interface Agreed {
  protocol: string;
  extensions: string;
  deflate: DeflateParams | null;
}

export interface HandshakeResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

function all(headers: Headers, name: string): string[] {
  const out: string[] = [];
  for (const [n, v] of headers) if (n.toLowerCase() === name) out.push(v);
  return out;
}

function tokens(values: string[]): string[] {
  return values.flatMap((v) => v.split(",")).map((t) => t.trim().toLowerCase()).filter((t) => t !== "");
}

/**
 * Checks the server's answer. `key` is null over HTTP/2.
 * Errors: HTTPError("websocket") `upgrade_failed` (details.status, headers, body),
 * `invalid_accept`, `unrequested_protocol`, `unrequested_extension`, `invalid_extension`.
 */
export function checkResponse(res: HandshakeResponse, key: string | null, offer: HandshakeOffer, sha1: Sha1): Agreed {
  const h = res.headers;
  const ok = key === null ? res.status >= 200 && res.status <= 299 : res.status === 101;
  let problem = ok ? "" : `the server answered ${res.status} instead of ${key === null ? "2xx" : "101 Switching Protocols"}`;
  if (ok && key !== null) {
    // RFC 6455 §4.1 (client requirements 2-4): Upgrade: websocket, Connection: upgrade, the accept value
    if (!tokens(all(h, "upgrade")).includes("websocket")) problem = "the 101 response has no Upgrade: websocket";
    else if (!tokens(all(h, "connection")).includes("upgrade")) problem = "the 101 response has no Connection: Upgrade";
  }
  if (problem !== "") {
    throw new HTTPError("websocket", "upgrade_failed", `WebSocket handshake failed: ${problem}`, { status: res.status, headers: h, body: res.body });
  }
  if (key !== null) {
    const accept = all(h, "sec-websocket-accept");
    const expected = acceptFor(key, sha1);
    if (accept.length !== 1 || accept[0]!.trim() !== expected) {
      throw new HTTPError("websocket", "invalid_accept", `the server's Sec-WebSocket-Accept ${JSON.stringify(accept.join(", "))} does not match the key (expected ${expected})`, { expected, received: accept });
    }
  }
  // RFC 6455 §4.1 (requirement 6): a subprotocol only among those offered
  const protoValues = all(h, "sec-websocket-protocol");
  let protocol = "";
  if (protoValues.length > 0) {
    const list = protoValues.flatMap((v) => v.split(",")).map((t) => t.trim());
    if (list.length !== 1 || !offer.protocols.includes(list[0]!)) {
      throw new HTTPError("websocket", "unrequested_protocol", `the server chose subprotocol ${JSON.stringify(protoValues.join(", "))}, which was not offered`, { protocol: protoValues.join(", ") });
    }
    protocol = list[0]!;
  }
  // RFC 6455 §4.1 (requirement 5): extensions only among those offered
  const extValues = all(h, "sec-websocket-extensions");
  const extensions = extValues.join(", ");
  let deflate: DeflateParams | null = null;
  if (extValues.length > 0) {
    const items = parseExtensions(extensions);
    if (items === null) throw new HTTPError("websocket", "invalid_extension", `the server's Sec-WebSocket-Extensions ${JSON.stringify(extensions)} is malformed`);
    for (const item of items) {
      if (item.name !== "permessage-deflate" || offer.deflate === null || deflate !== null) {
        throw new HTTPError("websocket", "unrequested_extension", `the server agreed to extension ${item.name}, which was not offered${deflate !== null ? " (or twice)" : ""}`, { extension: item.name });
      }
      deflate = acceptDeflate(item, offer.deflate);
    }
  }
  return { protocol, extensions, deflate };
}
