// How a response body is delimited (RFC 9112 §6.3), decided once the head is complete.
//
// How this works: `bodyFraming` looks at the request method, the status and the framing
// fields the parser recorded, in the order of RFC 9112 §6.3, and returns one of the
// framing kinds the engine's receive loop switches on. `untrustedLength` says when the
// length of a response cannot be trusted (it ends only when the server closes, or it carries
// framing fields it must not have): the engine then closes the connection after it and
// fails what was pipelined behind it, so no byte of it is ever read as a later response.

import type { ResponseHead } from "./response-parser.js";
import { transferEncodingAndContentLength } from "./errors.js";

export const enum Framing {
  /** 1xx other than 101: another status line follows for the same request. */
  Informational = 0,
  /** HEAD, 204, 304, or content-length 0: the response ends with its head. */
  None = 1,
  /** 101, or 2xx to CONNECT: the connection leaves HTTP; the rest of the bytes is handed over. */
  Takeover = 2,
  Chunked = 3,
  ContentLength = 4,
  UntilClose = 5,
}

/**
 * Decide the body framing of a complete response head.
 * @throws HTTPError `transfer_encoding_and_content_length`
 */
export function bodyFraming(method: string, head: ResponseHead): Framing {
  const status = head.status;
  // RFC 9112 §6.3 (1): 1xx, 204, 304 and responses to HEAD have no body
  if (status === 101) return Framing.Takeover;
  if (status < 200) return Framing.Informational;
  if (method === "HEAD" || status === 204 || status === 304) return Framing.None;
  // RFC 9112 §6.3 (2): a 2xx to CONNECT switches to tunnel mode
  if (method === "CONNECT" && status < 300) return Framing.Takeover;
  const te = head.transferEncoding;
  if (te !== null) {
    // RFC 9112 §6.3 (3): both present may be smuggling; Mint treats it as an error
    if (head.contentLength >= 0) throw transferEncodingAndContentLength();
    // RFC 9112 §6.1: transfer-encoding on HTTP/1.0 means faulty framing; only the close of
    // the connection delimits the body
    if (head.minor === 0) return Framing.UntilClose;
    // RFC 9112 §6.3 (4): chunked must be the final coding, otherwise read until close
    return te[te.length - 1] === "chunked" ? Framing.Chunked : Framing.UntilClose;
  }
  // RFC 9112 §6.3 (6)
  if (head.contentLength >= 0) return head.contentLength === 0 ? Framing.None : Framing.ContentLength;
  // RFC 9112 §6.3 (8)
  return Framing.UntilClose;
}

/**
 * When the length of a response with this framing cannot be trusted, a description of why
 * (for error messages); null when it can.
 */
export function untrustedLength(framing: Framing, head: ResponseHead): string | null {
  if (framing === Framing.UntilClose) {
    // RFC 9112 §6.3 (4), (8): the body ends only when the server closes the connection
    if (head.transferEncoding === null) return "the response to an earlier request has neither content-length nor chunked transfer-encoding";
    if (head.minor === 0) return "the response to an earlier request is HTTP/1.0 with transfer-encoding (RFC 9112 §6.1: faulty framing)";
    return "the response to an earlier request has a transfer-encoding whose final coding is not chunked";
  }
  // RFC 9110 §8.6, RFC 9112 §6.1: a server MUST NOT send content-length or transfer-encoding
  // in a 1xx or 204 response; one that does may be followed by a body it did not announce
  if (framing === Framing.Informational || (framing === Framing.None && head.status === 204)) {
    if (head.transferEncoding !== null || head.contentLength > 0) {
      return `a ${head.status} response carried ${head.transferEncoding !== null ? "transfer-encoding" : "a non-zero content-length"}, which it must not`;
    }
  }
  return null;
}
