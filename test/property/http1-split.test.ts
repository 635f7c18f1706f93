// Any split of a response stream gives the same parts (adjacent data parts of a ref joined).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { VALID_RESPONSES, byteByByte, bytes, engine, feed, normalize, splitAt, type Scenario } from "../support/http1-responses.js";

const RUNS = Number(process.env["MINT_FUZZ_RUNS"] ?? 100);

function runScenario(s: Scenario, chunks: (b: Uint8Array) => Uint8Array[], statusReason = false) {
  const e = engine(statusReason ? { optionalResponses: ["status_reason"] } : {});
  const refs = s.methods.map((m) => e.request(m, "/", [], null));
  const r = feed(e, chunks(bytes(s.response)), s.eof === true);
  // refs differ between engines: replace them by their index
  const plain = normalize(r.parts).map((p) => ({ ...p, ref: String(refs.indexOf(p.ref)) }));
  return { plain, error: r.error?.reason, open: e.isOpen("read"), count: e.openRequestCount() };
}

for (const s of VALID_RESPONSES) {
  test(`split invariance: ${s.name}`, () => {
    const whole = runScenario(s, (b) => [b], true);
    assert.equal(whole.error, undefined);
    assert.ok(whole.plain.every((p) => p.ref !== "-1"));
    assert.deepEqual(whole.plain.filter((p) => p.type === "done").length, s.methods.length, "every request is done");
    assert.deepEqual(runScenario(s, byteByByte, true), whole, "byte by byte");
    fc.assert(
      fc.property(fc.array(fc.nat({ max: s.response.length }), { maxLength: 40 }), (offsets) => {
        const sorted = [...offsets].sort((a, b) => a - b);
        assert.deepEqual(runScenario(s, (b) => splitAt(b, sorted), true), whole);
      }),
      { numRuns: RUNS },
    );
  });
}

test("split invariance over generated chunked bodies with trailers", () => {
  const chunkArb = fc.record({
    data: fc.string({ minLength: 1, maxLength: 40 }).map((x) => x.replace(/[^\x20-\x7e]/g, "a")),
    ext: fc.option(fc.constantFrom(";a=b", ";x", " ; q=\"v\"")),
    upper: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(chunkArb, { maxLength: 6 }), fc.array(fc.nat({ max: 400 }), { maxLength: 20 }), (chunks, offsets) => {
      let body = "";
      let expected = "";
      for (const c of chunks) {
        const hex = c.data.length.toString(16);
        body += `${c.upper ? hex.toUpperCase() : hex}${c.ext ?? ""}\r\n${c.data}\r\n`;
        expected += c.data;
      }
      const s: Scenario = {
        name: "generated",
        methods: ["GET", "GET"],
        response: `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${body}0\r\nx-t: 1\r\n\r\n` +
          "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
      };
      const whole = runScenario(s, (b) => [b]);
      assert.equal(whole.error, undefined);
      const data = whole.plain.find((p) => p.type === "data" && p.ref === "0");
      assert.equal(data === undefined ? "" : (data as { data: string }).data, expected);
      const sorted = [...offsets].sort((a, b) => a - b);
      assert.deepEqual(runScenario(s, (b) => splitAt(b, sorted)), whole);
    }),
    { numRuns: RUNS },
  );
});

test("split invariance of errors: the same reason wherever the input is cut", () => {
  const bad = [
    "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nbad header\r\n\r\n",
    "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nokX",
    "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n-2\r\nok\r\n",
    "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n",
    "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK\r\nconnection: a;b\r\n\r\n",
    "HTTP/1.1 200 OK\r\nx: caf\xe9\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n",
  ];
  for (const response of bad) {
    const s: Scenario = { name: "bad", methods: ["GET", "GET"], response };
    const whole = runScenario(s, (b) => [b]);
    assert.notEqual(whole.error, undefined);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: response.length }), { maxLength: 20 }), (offsets) => {
        const r = runScenario(s, (b) => splitAt(b, [...offsets].sort((a, b) => a - b)));
        assert.deepEqual(r, whole);
      }),
      { numRuns: RUNS },
    );
  }
});
