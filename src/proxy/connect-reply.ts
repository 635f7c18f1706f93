// Reads a proxy's reply to CONNECT: the status line and the header section, nothing more.
//
// How this works: bytes go in with `push(chunk)`. Until the blank line that ends the header
// section arrives, `push` returns undefined and keeps what it has (capped at `maxSize` bytes,
// status line included). Interim 1xx replies (other than 101) are skipped. When a final reply
// is complete, `push` returns it with `rest`: every byte that followed its header section, so
// nothing the target sent after the reply is lost. A 2xx reply to CONNECT has no content
// (RFC 9110 §9.3.6): whatever its framing headers say, the bytes after the header section
// belong to the tunnel. A non-2xx reply's body is never read (the socket is closed).
//
// Sans-IO: no socket, no timer, no node:* import. Errors are HTTPError("proxy", reason), with
// the reasons of the HTTP/1 response parser: `invalid_status_line`, `invalid_header`,
// `max_header_list_size_exceeded` (details.size, details.max).

import { HTTPError } from "../errors.js";
import { isFieldValue, isToken, lowerName } from "../core/headers.js";
import type { Headers } from "../types.js";

/** A complete final reply to CONNECT. */
export interface ConnectReply {
  /** "HTTP/1.1", "HTTP/1.0". */
  version: string;
  status: number;
  reason: string;
  /** Names lowercased, order and duplicates kept. */
  headers: Headers;
  /** Bytes received after the header section (the first bytes of the tunnel). */
  rest: Uint8Array;
}

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = new Uint8Array(0);

/** Incremental reader for one CONNECT reply; see the module comment. */
export class ConnectReplyReader {
  readonly #maxSize: number;
  #buffer: Uint8Array = EMPTY;
  /** Where the search for the end of the header section resumes. */
  #scanFrom = 0;
  #done = false;

  /** `maxSize`: cap on the status line plus header section, in bytes (Infinity for none). */
  constructor(maxSize: number) {
    if (!(maxSize === Infinity || (Number.isInteger(maxSize) && maxSize > 0))) throw new TypeError("maxSize must be a positive integer or Infinity");
    this.#maxSize = maxSize;
  }

  /**
   * Feed bytes; returns the final reply once its header section is complete.
   * Errors: HTTPError("proxy") `invalid_status_line`, `invalid_header`,
   * `max_header_list_size_exceeded`.
   */
  push(chunk: Uint8Array): ConnectReply | undefined {
    if (this.#done) throw new TypeError("the CONNECT reply is already complete");
    this.#buffer = this.#buffer.length === 0 ? chunk : concat(this.#buffer, chunk);
    for (;;) {
      const end = this.#findEnd();
      if (end === -1) {
        // RFC 9112 §2.2 leaves the limit to the recipient; it is Mint's max_header_list_size.
        if (this.#buffer.length > this.#maxSize) throw tooLarge(this.#buffer.length, this.#maxSize);
        return undefined;
      }
      if (end > this.#maxSize) throw tooLarge(end, this.#maxSize);
      const head = this.#buffer.subarray(0, end);
      const rest = this.#buffer.subarray(end);
      const reply = parseHead(head, rest);
      // RFC 9110 §15.2: a client must accept interim 1xx replies before the final one.
      if (reply.status >= 100 && reply.status < 200 && reply.status !== 101) {
        this.#buffer = rest;
        this.#scanFrom = 0;
        continue;
      }
      this.#done = true;
      this.#buffer = EMPTY;
      return reply;
    }
  }

  /** Index just past the blank line ending the header section, or -1. Bare LF is accepted (RFC 9112 §2.2). */
  #findEnd(): number {
    const b = this.#buffer;
    for (let i = this.#scanFrom; i < b.length; i++) {
      if (b[i] !== LF) continue;
      if (i + 1 < b.length && b[i + 1] === LF) return i + 2;
      if (i + 2 < b.length && b[i + 1] === CR && b[i + 2] === LF) return i + 3;
    }
    this.#scanFrom = Math.max(0, b.length - 2);
    return -1;
  }
}

function tooLarge(size: number, max: number): HTTPError {
  return new HTTPError("proxy", "max_header_list_size_exceeded",
    `the proxy's reply to CONNECT has a header section of ${size} bytes or more, above the limit of ${max} bytes (maxHeaderListSize)`,
    { size, max });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Latin-1 text of `bytes` (header bytes are octets; obs-text stays as is). */
function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

const STATUS_LINE = /^(HTTP\/\d\.\d) (\d{3})(?: ([^\r\n]*))?$/;

function parseHead(head: Uint8Array, rest: Uint8Array): ConnectReply {
  const lines = latin1(head).split("\n");
  // The head ends with an empty line (and the split leaves an empty string after it).
  lines.length -= 2;
  const statusLine = stripCR(lines[0] ?? "");
  // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
  const m = STATUS_LINE.exec(statusLine);
  if (m === null) {
    throw new HTTPError("proxy", "invalid_status_line",
      `the proxy answered CONNECT with an invalid status line: ${JSON.stringify(statusLine.slice(0, 200))}`);
  }
  const headers: Headers = [];
  for (let i = 1; i < lines.length; i++) {
    const line = stripCR(lines[i]!);
    // RFC 9112 §5.2: obsolete line folding is rejected, like any line that is not name ":" value.
    const colon = line.indexOf(":");
    const name = colon === -1 ? "" : line.slice(0, colon);
    // RFC 9112 §5.1: no whitespace between the field name and the colon.
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (!isToken(name) || !isFieldValue(value)) {
      throw new HTTPError("proxy", "invalid_header", `the proxy's reply to CONNECT has an invalid header line: ${JSON.stringify(line.slice(0, 200))}`);
    }
    headers.push([lowerName(name), value]);
  }
  return { version: m[1]!, status: Number(m[2]), reason: m[3] ?? "", headers, rest };
}

function stripCR(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
