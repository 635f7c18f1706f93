// The whole-head fast path (head-fast.ts) and the line-by-line path give the same parts and
// the same error for any head, valid or not: a response given in one chunk (fast path first)
// against the same bytes one at a time (line by line only).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MintError } from "../../src/errors.js";
import type { ResponsePart } from "../../src/types.js";
import { VALID_RESPONSES, applyEdits, byteEdits, byteByByte, bytes, engine, normalize } from "../support/http1-responses.js";

const RUNS = Number(process.env["MINT_FUZZ_RUNS"] ?? 300);

function run(input: Uint8Array, methods: string[], eof: boolean, split: boolean) {
  const e = engine({ maxHeaderListSize: 200, optionalResponses: ["status_reason"] });
  const refs = methods.map((m) => e.request(m, "/", [], null));
  const parts: ResponsePart[] = [];
  let error: string | undefined;
  try {
    for (const c of split ? byteByByte(input) : [input]) {
      if (!e.isOpen("read")) break; // the shell closes the socket here
      parts.push(...e.receive(c));
    }
    if (eof && e.isOpen("read")) parts.push(...e.receiveEof());
  } catch (err) {
    if (!(err instanceof MintError)) throw err;
    parts.push(...(err.parts ?? []));
    error = err.reason;
  }
  const plain = normalize(parts).map((p) => ({ ...p, ref: String(refs.indexOf(p.ref)) }));
  return { plain, error, open: e.isOpen("read") };
}

function same(input: Uint8Array, methods: string[], eof: boolean): void {
  const whole = run(input, methods, eof, false);
  // After a 101 the engine hands over the rest of the chunk it was given: that differs by design.
  if (whole.plain.some((p) => p.type === "status" && p.status === 101)) return;
  assert.deepEqual(whole, run(input, methods, eof, true));
}

test("fast path = line by line, on valid responses with bytes changed, inserted or removed", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...VALID_RESPONSES),
      byteEdits([0, 9, 10, 13, 32, 58, 65, 90, 97, 0x7f, 0x80, 0xff, 44, 48, 49]),
      (s, edits) => {
        same(applyEdits(bytes(s.response), edits), s.methods, s.eof === true);
      },
    ),
    { numRuns: RUNS },
  );
});

test("fast path = line by line, on generated header sections", () => {
  const piece = fc.constantFrom("a", "Z", "-", "content-length", "Connection", "transfer-encoding", ":", " ", "\t", "\r", "\n",
    "\r\n", "close", "chunked", "5", "x", "\x00", "\x7f", "\xe9", ",", "keep-alive", "y".repeat(60));
  const line = fc.array(piece, { maxLength: 8 }).map((p) => p.join(""));
  fc.assert(
    fc.property(fc.array(line, { maxLength: 6 }), fc.boolean(), (lines, crlf) => {
      const eol = crlf ? "\r\n" : "\n";
      const head = "HTTP/1.1 200 OK" + eol + lines.map((l) => l + eol).join("") + eol + "hello";
      same(bytes(head), ["GET"], true);
    }),
    { numRuns: RUNS },
  );
});

test("fast path = line by line, for the heads it must hand over", () => {
  for (const head of [
    "HTTP/1.1 200 OK\r\nx: caf\xe9\r\ncontent-length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nx : 1\r\ncontent-length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nx: 1\r\n folded\r\ncontent-length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nx: a\rb\r\ncontent-length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nx: a\x00b\r\ncontent-length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\ncontent-length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\ncontent-length: +1\r\n\r\na",
    "HTTP/1.1 200 OK\r\ntransfer-encoding: ,\r\n\r\n",
    "HTTP/1.1 200 OK\r\n" + "x: " + "v".repeat(300) + "\r\n\r\n",
    "HTTP/1.1 200 OK\r\nX-A:\r\nX-B:  \t \r\nContent-Length:2\r\n\r\nok",
    "HTTP/1.1 200 OK\r\n\r",
    "HTTP/1.1 200 OK\r\nx: 1\r\n\rz",
    "HTTP/1.1 2000 OK\r\ncontent-length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
  ]) {
    same(bytes(head), ["GET"], true);
  }
});
