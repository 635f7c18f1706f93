// Hostile input: random bytes and mutated responses only ever produce parts or a MintError,
// never another exception, and the engine ends up closed after an error.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MintError } from "../../src/errors.js";
import type { ResponsePart } from "../../src/types.js";
import { VALID_RESPONSES, applyEdits, byteEdits, bytes, engine, splitAt } from "../support/http1-responses.js";

const RUNS = Number(process.env["MINT_FUZZ_RUNS"] ?? 150);

function drive(input: Uint8Array, offsets: number[], methods: string[], eof: boolean): void {
  const e = engine({ maxHeaderListSize: 512 });
  for (const m of methods) e.request(m, "/", [], null);
  try {
    for (const c of splitAt(input, [...offsets].sort((a, b) => a - b))) {
      if (!e.isOpen("read")) return; // the shell closes the socket here
      e.receive(c);
    }
    if (eof) e.receiveEof();
  } catch (err) {
    assert.ok(err instanceof MintError, `unexpected ${String(err)}`);
    assert.ok(Array.isArray(err.parts));
    assert.equal(e.isOpen("read"), false);
    assert.equal(e.openRequestCount(), 0);
    assert.throws(() => e.receive(Uint8Array.of(1)), (x: unknown) => x instanceof MintError && x.reason === "closed");
  }
}

test("random bytes", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat({ max: 300 })), fc.boolean(), (input, offsets, eof) => {
      drive(input, offsets, ["GET", "HEAD"], eof);
    }),
    { numRuns: RUNS },
  );
});

test("valid responses with random bytes changed, inserted or removed", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...VALID_RESPONSES),
      byteEdits([0, 9, 10, 13, 32, 45, 43, 48, 58, 59, 70, 0x80, 0xff, 97, 72]),
      fc.array(fc.nat({ max: 400 }), { maxLength: 10 }),
      (s, edits, offsets) => {
        drive(applyEdits(bytes(s.response), edits), offsets, s.methods, s.eof === true);
      },
    ),
    { numRuns: RUNS },
  );
});

test("an untrusted-length response: every later byte is its body, the requests behind get one error each", () => {
  const heads = [
    "HTTP/1.1 200 OK\r\n\r\n",
    "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n",
    "HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ntransfer-encoding: chunked\r\n\r\n",
  ];
  const piece = fc.oneof(
    fc.constantFrom(...VALID_RESPONSES.map((s) => s.response), "0\r\n\r\n", "HTTP/1.1 100 Continue\r\n\r\n").map(bytes),
    fc.uint8Array({ maxLength: 40 }),
  );
  fc.assert(
    fc.property(fc.constantFrom(...heads), fc.array(piece, { maxLength: 6 }), fc.array(fc.nat({ max: 600 })), (head, pieces, offsets) => {
      const e = engine();
      const refs = [e.request("GET", "/", [], null), e.request("GET", "/", [], null), e.request("HEAD", "/", [], null)];
      const body = Buffer.concat(pieces);
      const input = Buffer.concat([bytes(head), body]);
      const parts: ResponsePart[] = [];
      for (const c of splitAt(input, [...offsets].filter((o) => o <= input.length).sort((a, b) => a - b))) parts.push(...e.receive(c));
      parts.push(...e.receiveEof());
      const data = Buffer.concat(parts.flatMap((p) => (p.type === "data" && p.ref === refs[0] ? [p.data] : [])));
      assert.deepEqual(data, body);
      for (const ref of refs.slice(1)) {
        const mine = parts.filter((p) => p.ref === ref);
        assert.equal(mine.length, 1);
        assert.ok(mine[0]!.type === "error" && mine[0]!.error.reason === "closed" && mine[0]!.error.details?.["why"] === "untrusted_length");
      }
      assert.equal(parts.at(-1)!.type, "done");
      assert.equal(e.isOpen("read"), false);
    }),
    { numRuns: RUNS },
  );
});
