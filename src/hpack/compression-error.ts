// The one error the HPACK decoder raises: HTTPError("http2", "compression_error").
//
// RFC 9113 §4.3: a header block that cannot be decoded is a connection error of type
// COMPRESSION_ERROR, so every decoding failure is reported with that reason and a
// message naming what was wrong and where.

import { HTTPError } from "../errors.js";

/** Builds the `compression_error` HTTPError thrown for a malformed header block. */
export function compressionError(message: string, details?: Record<string, unknown>): HTTPError {
  return new HTTPError("http2", "compression_error", `HPACK: ${message}`, details);
}
