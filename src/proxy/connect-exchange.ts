// One CONNECT request and its reply, parsed by the HTTP/1 engine.
//
// How this works: a fresh HTTP/1 engine encodes `CONNECT host:port HTTP/1.1` (with `host`
// and the proxy headers) and parses what the proxy answers. Interim 1xx replies are skipped
// (RFC 9110 §15.2). A 2xx to CONNECT ends the exchange at its header section, whatever its
// framing headers say (RFC 9110 §9.3.6: no content): the engine hands every byte after the
// head over as one `data` part, which becomes `rest`, the first bytes of the tunnel. Any
// other final status is returned as soon as its header section is parsed; its body is never
// needed (the caller closes the socket).
//
// Sans-IO: no socket, no timer. Errors from the engine come out as HTTPError("proxy") with
// the HTTP/1 reason (`invalid_status_line`, `invalid_header`, `max_header_list_size_exceeded`,
// ...) and its details.

import { createHTTP1Engine } from "../core/http1/index.js";
import type { Engine } from "../core/engine.js";
import { HTTPError, MintError } from "../errors.js";
import type { Headers, RequestRef, ResponsePart, Scheme } from "../types.js";

/** The final reply to CONNECT. */
export interface ConnectReply {
  status: number;
  /** Reason phrase ("" when the proxy sent none). */
  reason: string;
  /** Names lowercased, order and duplicates kept. */
  headers: Headers;
  /** Bytes received after a 2xx reply's header section (the start of the tunnel). */
  rest: Uint8Array;
}

export interface ConnectExchangeOptions {
  /** The proxy's scheme (for the engine; the request is the same either way). */
  scheme: Scheme;
  /** `host:port` of the target, IPv6 in brackets. */
  authority: string;
  /** Sent with the CONNECT request (e.g. proxy-authorization); a `host` here replaces ours. */
  headers: Headers;
  /** Cap on the reply's status line plus header section, in bytes. */
  maxHeaderListSize: number;
}

const EMPTY = new Uint8Array(0);

/** See the module comment. */
export class ConnectExchange {
  readonly #engine: Engine;
  readonly #ref: RequestRef;
  #status = 0;
  #reason = "";
  #final: ConnectReply | undefined;

  /**
   * Encodes the CONNECT request.
   * @throws HTTPError("proxy") `invalid_request_target`, `invalid_header_name`,
   *   `invalid_header_value` for an authority or proxy header that cannot be sent.
   */
  constructor(o: ConnectExchangeOptions) {
    this.#engine = createHTTP1Engine({
      scheme: o.scheme,
      authority: o.authority,
      maxHeaderListSize: o.maxHeaderListSize,
      optionalResponses: ["status_reason"],
    });
    this.#ref = this.#call(() => this.#engine.request("CONNECT", o.authority, o.headers, null));
  }

  /** The request bytes to write to the proxy. */
  takeOutgoing(): Uint8Array[] {
    return this.#engine.takeOutgoing();
  }

  /**
   * Feed bytes from the proxy; returns the final reply once its header section is complete.
   * @throws HTTPError("proxy") with the HTTP/1 reason of a malformed reply.
   */
  push(chunk: Uint8Array): ConnectReply | undefined {
    if (this.#final !== undefined) throw new TypeError("the CONNECT reply is already complete");
    let parts: ResponsePart[];
    try {
      parts = this.#engine.receive(chunk);
    } catch (err) {
      // A non-2xx reply whose head was fine is still that reply, even if its body is not.
      const reply = err instanceof MintError && err.parts ? this.#scan(err.parts) : undefined;
      if (reply !== undefined && (reply.status < 200 || reply.status > 299)) return (this.#final = reply);
      throw asProxyError(err);
    }
    const reply = this.#scan(parts);
    if (reply !== undefined) this.#final = reply;
    return reply;
  }

  #scan(parts: ResponsePart[]): ConnectReply | undefined {
    let reply: ConnectReply | undefined;
    for (const p of parts) {
      if (p.ref !== this.#ref) continue;
      if (p.type === "status") {
        this.#status = p.status;
        this.#reason = "";
      } else if (p.type === "status_reason") {
        this.#reason = p.reason;
      } else if (p.type === "headers" && reply === undefined) {
        // RFC 9110 §15.2: interim 1xx replies come before the final one; 101 is final here.
        if (this.#status < 200 && this.#status !== 101) continue;
        reply = { status: this.#status, reason: this.#reason, headers: p.headers, rest: EMPTY };
      } else if (p.type === "data" && reply !== undefined) {
        reply.rest = reply.rest.length === 0 ? p.data : concat(reply.rest, p.data);
      }
    }
    return reply;
  }

  #call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw asProxyError(err);
    }
  }
}

/** HTTP/1 errors met while speaking to the proxy become HTTPError("proxy", same reason). */
function asProxyError(err: unknown): unknown {
  if (!(err instanceof HTTPError)) return err;
  return new HTTPError("proxy", err.reason, `proxy: ${err.message}`, err.details, { cause: err });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
