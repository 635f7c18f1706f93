// Helpers for HTTP/1 engine tests: latin1 bytes <-> strings, feeding an engine with chunks,
// normalizing parts (adjacent data parts of one ref joined, data shown as text), and a set
// of valid responses used by the split-invariance properties.

import fc from "fast-check";
import type { Engine } from "../../src/core/engine.js";
import { createHTTP1Engine, type HTTP1Options } from "../../src/core/http1/index.js";
import type { ResponsePart } from "../../src/types.js";
import { MintError } from "../../src/errors.js";

/** Latin1 string → bytes. */
export function bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Bytes → latin1 string. */
export function text(b: Uint8Array | Uint8Array[]): string {
  const list = Array.isArray(b) ? b : [b];
  let s = "";
  for (const c of list) for (let i = 0; i < c.length; i++) s += String.fromCharCode(c[i]!);
  return s;
}

export function engine(opts: Partial<HTTP1Options> = {}): Engine {
  return createHTTP1Engine({ scheme: "http", authority: "example.com", ...opts });
}

/** Parts in a comparable shape: data as text, adjacent data of the same ref joined, errors as reasons. */
export type Plain =
  | { type: "data"; ref: string; data: string }
  | { type: "error"; ref: string; reason: string }
  | Exclude<ResponsePart, { type: "data" } | { type: "error" }>;

export function normalize(parts: ResponsePart[]): Plain[] {
  const out: Plain[] = [];
  for (const p of parts) {
    if (p.type === "data") {
      const last = out[out.length - 1];
      if (last !== undefined && last.type === "data" && last.ref === p.ref) last.data += text(p.data);
      else out.push({ type: "data", ref: p.ref, data: text(p.data) });
    } else if (p.type === "error") {
      out.push({ type: "error", ref: p.ref, reason: p.error.reason });
    } else {
      out.push(p);
    }
  }
  return out;
}

export interface FeedResult {
  parts: ResponsePart[];
  error?: MintError;
}

/** Feed chunks in order; stops at the first thrown MintError and keeps its parts. */
export function feed(e: Engine, chunks: Uint8Array[], eof = false): FeedResult {
  const parts: ResponsePart[] = [];
  try {
    for (const c of chunks) parts.push(...e.receive(c));
    if (eof) parts.push(...e.receiveEof());
  } catch (err) {
    if (!(err instanceof MintError)) throw err;
    parts.push(...(err.parts ?? []));
    return { parts, error: err };
  }
  return { parts };
}

/** Split `b` at the given sorted offsets. */
export function splitAt(b: Uint8Array, offsets: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const o of offsets) {
    if (o > prev && o < b.length) { out.push(b.subarray(prev, o)); prev = o; }
  }
  out.push(b.subarray(prev));
  return out;
}

export function byteByByte(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length; i++) out.push(b.subarray(i, i + 1));
  return out;
}

/** A scenario: requests to queue (method per request), the response bytes, whether EOF follows. */
export interface Scenario {
  name: string;
  methods: string[];
  response: string;
  eof?: boolean;
}

export const VALID_RESPONSES: Scenario[] = [
  {
    name: "content-length",
    methods: ["GET"],
    response: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nX-Custom:  spaced value \r\n\r\nhello world",
  },
  {
    name: "chunked with extensions and trailers",
    methods: ["GET"],
    response:
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-checksum\r\n\r\n" +
      "5;name=value\r\nhello\r\n1;a;b=\"q\"\r\n \r\nA\r\n0123456789\r\n000\r\nX-Checksum: abc\r\nExpires: 0\r\n\r\n",
  },
  {
    name: "pipelined responses",
    methods: ["GET", "HEAD", "GET", "POST", "GET"],
    response:
      "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc" +
      "HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n" +
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n" +
      "HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n" +
      "HTTP/1.1 304 Not Modified\r\netag: \"x\"\r\n\r\n",
  },
  {
    name: "until close",
    methods: ["GET"],
    response: "HTTP/1.1 200 OK\r\nserver: test\r\n\r\nall of this until the connection closes\r\n\r\nHTTP/1.1 200 OK",
    eof: true,
  },
  {
    name: "HTTP/1.0 with keep-alive then close",
    methods: ["GET", "GET"],
    response:
      "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nhi" +
      "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye",
  },
  {
    name: "bare LF line endings and obs-text",
    methods: ["GET"],
    response: "HTTP/1.1 404 Not Found\nX-Latin: caf\xe9\ncontent-length: 0\n\n",
  },
];

/** A byte edit for mutation properties: at (modulo the length), the byte, and what to do. */
export type ByteEdit = [at: number, byte: number, op: "set" | "insert" | "delete"];

/** One to four byte edits at random places, each writing one of `bytes`. */
export function byteEdits(bytes: number[]): fc.Arbitrary<ByteEdit[]> {
  return fc.array(fc.tuple(fc.nat(), fc.constantFrom(...bytes), fc.constantFrom("set" as const, "insert" as const, "delete" as const)), { minLength: 1, maxLength: 4 });
}

/** `input` with `edits` applied in order. */
export function applyEdits(input: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  const arr = [...input];
  for (const [at, byte, op] of edits) {
    const i = at % (arr.length + 1);
    if (op === "set" && i < arr.length) arr[i] = byte;
    else if (op === "insert") arr.splice(i, 0, byte);
    else arr.splice(i, 1);
  }
  return Uint8Array.from(arr);
}
