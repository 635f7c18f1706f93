// Fuzzing the HTTP/1 engine's response parser with requests in flight: random bytes,
// then valid response streams (content-length, chunked with extensions and trailers,
// until-close, 1xx, HEAD, pipelined) with bytes flipped, truncated, duplicated, deleted,
// inserted and length digits inflated, fed in random slices, with or without EOF.
// The contract checks are in drive.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createHTTP1Engine } from "../../src/core/http1/index.js";
import type { Engine } from "../../src/core/engine.js";
import type { RequestRef } from "../../src/types.js";
import { applyMutations, concat, countRun, fcParams, latin1, mutationsArb, split, splitsArb } from "./harness.js";
import { drive, summarize } from "./drive.js";

function engineWith(methods: readonly string[], maxHeaderListSize?: number): { engine: Engine; refs: RequestRef[] } {
  const engine = createHTTP1Engine({
    scheme: "http",
    authority: "example.test",
    optionalResponses: ["status_reason"],
    ...(maxHeaderListSize !== undefined ? { maxHeaderListSize } : {}),
  });
  const refs = methods.map((m) => engine.request(m, "/", [], null));
  engine.takeOutgoing();
  return { engine, refs };
}

const methodArb = fc.constantFrom("GET", "GET", "HEAD", "POST");
const methodsArb = fc.array(methodArb, { minLength: 1, maxLength: 3 });

const tokenArb = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const valueArb = fc.string({ maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e]/g, "v").trim());
const extraHeaders = fc.array(fc.tuple(tokenArb, valueArb), { maxLength: 5 });

/** One valid response as text (latin1). */
const responseArb: fc.Arbitrary<string> = fc.oneof(
  // content-length
  fc.record({ status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304), headers: extraHeaders, body: fc.string({ maxLength: 60 }) }).map(
    ({ status, headers, body }) =>
      `HTTP/1.1 ${status} OK\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join("")}content-length: ${body.length}\r\n\r\n${body}`,
  ),
  // chunked, with extensions and trailers
  fc.record({
    chunks: fc.array(fc.string({ minLength: 1, maxLength: 40 }), { maxLength: 4 }),
    ext: fc.boolean(),
    trailers: fc.array(fc.tuple(tokenArb, valueArb), { maxLength: 3 }),
  }).map(({ chunks, ext, trailers }) =>
    "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" +
    chunks.map((c) => `${c.length.toString(16)}${ext ? ";a=b;c=\"d\"" : ""}\r\n${c}\r\n`).join("") +
    `0\r\n${trailers.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`,
  ),
  // informational responses before the final one
  fc.constantFrom(
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
    "HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
    "HTTP/1.1 304 Not Modified\r\ncontent-length: 10\r\n\r\n",
    "HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 1\r\n\r\nx",
    "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil close",
    "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 3\r\n\r\nabc",
    "HTTP/1.1 200 OK\r\nx-folded: a\r\n b\r\ncontent-length: 0\r\n\r\n",
    "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n\x81\x00",
  ),
);

test("HTTP/1: random bytes with requests in flight", () => {
  fc.assert(
    fc.property(methodsArb, fc.uint8Array({ maxLength: 400 }), splitsArb, fc.boolean(), (methods, bytes, cuts, eof) => {
      countRun("http1 random bytes");
      const { engine, refs } = engineWith(methods);
      drive(engine, split(bytes, cuts), { eof, refs });
    }),
    fcParams(),
  );
});

test("HTTP/1: random bytes after a valid status line and headers", () => {
  fc.assert(
    fc.property(methodsArb, fc.uint8Array({ maxLength: 300 }), splitsArb, fc.boolean(), (methods, bytes, cuts, eof) => {
      countRun("http1 random after head");
      const { engine, refs } = engineWith(methods);
      const head = latin1("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
      const input = new Uint8Array(head.length + bytes.length);
      input.set(head);
      input.set(bytes, head.length);
      drive(engine, split(input, cuts), { eof, refs });
    }),
    fcParams(),
  );
});

test("HTTP/1: valid pipelined responses parse without error", () => {
  fc.assert(
    fc.property(fc.array(responseArb, { minLength: 1, maxLength: 3 }), splitsArb, (responses, cuts) => {
      countRun("http1 valid responses");
      const methods = responses.map(() => "GET");
      const { engine, refs } = engineWith(methods);
      const r = drive(engine, split(latin1(responses.join("")), cuts), { eof: true, refs });
      // Responses that frame themselves need no EOF, so none of them may fail unless a
      // read-until-close or switching response swallowed the rest.
      if (r.error !== undefined) {
        assert.ok(responses.some((s) => /connection: close|101 Switching|gzip, chunked|HTTP\/1.0|x-folded/.test(s)), `error ${r.error.reason}: ${r.error.message}\n${summarize(r.parts)}`);
      }
    }),
    fcParams(),
  );
});

test("HTTP/1: mutated valid responses (flipped, truncated, duplicated, inflated)", () => {
  fc.assert(
    fc.property(methodsArb, fc.array(responseArb, { minLength: 1, maxLength: 3 }), mutationsArb, splitsArb, fc.boolean(), (methods, responses, ms, cuts, eof) => {
      countRun("http1 mutated responses");
      const { engine, refs } = engineWith(methods, 2048);
      const input = applyMutations(latin1(responses.join("")), ms);
      drive(engine, split(input, cuts), { eof, refs });
    }),
    fcParams(),
  );
});

test("HTTP/1: data bytes reach the caller exactly once for a valid chunked body in any slicing", () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 50 }), { maxLength: 5 }), splitsArb, (chunks, cuts) => {
      countRun("http1 chunked body integrity");
      const { engine, refs } = engineWith(["GET"]);
      const parts: Uint8Array[] = [latin1("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")];
      for (const c of chunks) parts.push(latin1(`${c.length.toString(16)};ext=1\r\n`), c, latin1("\r\n"));
      parts.push(latin1("0\r\nx-t: 1\r\n\r\n"));
      const input = concat(parts);
      const r = drive(engine, split(input, cuts), { refs });
      assert.equal(r.error, undefined, r.error?.message);
      const got = Buffer.concat(r.parts.flatMap((p) => (p.type === "data" ? [p.data] : [])));
      assert.deepEqual(got, Buffer.concat(chunks));
      assert.deepEqual(r.parts.filter((p) => p.type === "headers").at(-1)?.type === "headers" ? (r.parts.filter((p) => p.type === "headers").at(-1) as { headers: unknown }).headers : undefined, [["x-t", "1"]]);
      assert.equal(r.parts.at(-1)?.type, "done");
    }),
    fcParams(),
  );
});
