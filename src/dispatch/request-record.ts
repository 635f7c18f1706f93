// The `request` object of undici's diagnostics_channel messages. Subscribers (tracing such
// as OpenTelemetry's undici instrumentation) read origin/method/path/headers from it and
// may call addHeader() while handling `undici:request:create`: the header is sent with the
// request, because the dispatcher reads `headers` only after that message is published.

import type { RequestBody } from "../pool/index.js";

// RFC 9110 §5.1: a field name is a token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 §5.5: no CR, LF or NUL in a field value.
const BAD_VALUE = /[\r\n\0]/;

export class DiagnosticsRequest {
  /** `scheme://host:port`. */
  readonly origin: string;
  readonly method: string;
  /** Path and query as sent. */
  readonly path: string;
  /** Flat [name, value, name, value, ...] names as given, as undici 7 keeps them. */
  readonly headers: string[];
  readonly body: RequestBody;
  readonly idempotent: boolean;
  readonly upgrade: string | null;
  /** True once the response ended (trailers published). */
  completed = false;
  /** True once the request failed or was aborted. */
  aborted = false;

  constructor(origin: string, method: string, path: string, headers: string[], body: RequestBody, idempotent: boolean, upgrade: string | null) {
    this.origin = origin;
    this.method = method;
    this.path = path;
    this.headers = headers;
    this.body = body;
    this.idempotent = idempotent;
    this.upgrade = upgrade;
  }

  /**
   * Add a request header; effective while the request has not been handed to the pool
   * (that is, from an `undici:request:create` subscriber). Returns this.
   * Errors: TypeError for a name that is not a token or a value with CR, LF or NUL.
   */
  addHeader(name: string, value: string): this {
    if (typeof name !== "string" || !TOKEN.test(name)) throw new TypeError(`invalid header name ${String(name)}`);
    const v = String(value);
    if (BAD_VALUE.test(v)) throw new TypeError(`invalid ${name} header`);
    this.headers.push(name, v);
    return this;
  }
}
