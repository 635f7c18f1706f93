// Caller mistakes on real connections: CR, LF or NUL in the method, target, header names
// and values and trailers; conflicting lengths; connection-specific headers on HTTP/2; a
// chunk after EOF; a body larger or smaller than declared (HTTP/2 streamed bodies included);
// wrong argument types. Each is refused synchronously (TypeError for wrong types, HTTPError
// for protocol violations) before anything is written: every refused input carries the
// marker "ZQ", and the server must never see it (HTTP/1), or see no frame for it (HTTP/2).
// The connection stays usable.

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, EOF, HTTPError, STREAM, type Connection } from "../../src/index.js";
import { Decoder } from "../../src/hpack/index.js";
import { startFaultServer, type Peer } from "../support/fault-server.js";
import { settleSockets, socketHandleCount } from "../support/handles.js";

type Call = [what: string, fn: (c: Connection) => unknown, expect: "TypeError" | string];

function refused(conn: Connection, calls: Call[]): void {
  for (const [what, fn, expect] of calls) {
    assert.throws(() => fn(conn), (e: unknown) => {
      if (expect === "TypeError") return e instanceof TypeError;
      return e instanceof HTTPError && (expect === "*" || e.reason === expect);
    }, `${what}: expected ${expect}`);
  }
}

const BAD_METHODS = ["GET\r\nZQ: 1", "GET\nZQ", "GE\rZQ", "G\0ZQ", "G ZQ", "ZQ(", ""];
const BAD_TARGETS = ["/ZQ\r\nx: y", "/ZQ\nx", "/ZQ\rx", "/ZQ\0", "/ZQ x", "/ZQ\x7f"];
const BAD_NAMES = ["ZQ\r\nx", "ZQ\n", "ZQ\r", "ZQ\0", "ZQ x", "ZQ:", ""];
const BAD_VALUES = ["ZQ\r\nx: y", "ZQ\n", "ZQ\r", "ZQ\0", "ZQ\x01", "ZQ\x7f"];

function commonCalls(): Call[] {
  const calls: Call[] = [];
  for (const m of BAD_METHODS) calls.push([`method ${JSON.stringify(m)}`, (c) => c.request(m, "/", [], null), "invalid_request_method"]);
  for (const t of BAD_TARGETS) calls.push([`target ${JSON.stringify(t)}`, (c) => c.request("GET", t, [], null), "invalid_request_target"]);
  for (const n of BAD_NAMES) calls.push([`header name ${JSON.stringify(n)}`, (c) => c.request("GET", "/", [[n, "v"]], null), "invalid_header_name"]);
  for (const v of BAD_VALUES) calls.push([`header value ${JSON.stringify(v)}`, (c) => c.request("GET", "/", [["x-a", v]], null), "invalid_header_value"]);
  calls.push(
    ["method not a string", (c) => c.request(42 as unknown as string, "/", [], null), "TypeError"],
    ["target not a string", (c) => c.request("GET", null as unknown as string, [], null), "TypeError"],
    ["headers not an array", (c) => c.request("GET", "/", "ZQ" as unknown as [], null), "TypeError"],
    ["header not a pair", (c) => c.request("GET", "/", [["ZQ"]] as unknown as [], null), "TypeError"],
    ["header value not a string", (c) => c.request("GET", "/", [["x-zq", 1]] as unknown as [], null), "TypeError"],
    ["body a number", (c) => c.request("POST", "/", [], 42 as unknown as string), "TypeError"],
    ["body an object", (c) => c.request("POST", "/", [], { zq: 1 } as unknown as string), "TypeError"],
  );
  return calls;
}

/** Connect to a fresh fault server (HTTP/2: after the preface and SETTINGS), run `fn`, close both. */
async function withPeer(protocol: "http1" | "http2", fn: (conn: Connection, peer: Peer) => Promise<void>): Promise<void> {
  const server = await startFaultServer();
  const conn = await connect("http", "127.0.0.1", server.port, { protocols: [protocol] });
  conn.on("closed", () => {});
  const peer = await server.nextPeer();
  try {
    if (protocol === "http2") await peer.h2Handshake();
    await fn(conn, peer);
  } finally {
    await conn.close();
    await server.close();
  }
}

/** Run `fn`, then check that the socket handles it opened were released. */
async function releasingSockets(fn: () => Promise<void>): Promise<void> {
  const baseline = socketHandleCount();
  await fn();
  assert.ok((await settleSockets(baseline)) <= baseline, "socket handles released");
}

test("HTTP/1: malformed requests are refused before any byte is written", async () => {
  await releasingSockets(() => withPeer("http1", async (conn, peer) => {
    refused(conn, [
      ...commonCalls(),
      ["two different content-lengths", (c) => c.request("POST", "/", [["content-length", "2"], ["content-length", "3"]], "ZQ"), "*"],
      ["content-length and transfer-encoding", (c) => c.request("POST", "/", [["content-length", "2"], ["transfer-encoding", "chunked"]], STREAM), "*"],
      ["content-length smaller than the body", (c) => c.request("POST", "/", [["content-length", "1"]], "ZQ"), "*"],
      ["content-length larger than the body", (c) => c.request("POST", "/", [["content-length", "9"]], "ZQ"), "*"],
      ["content-length not a number", (c) => c.request("POST", "/", [["content-length", "ZQ"]], null), "*"],
    ]);
    // Streaming: chunked with bad trailers, a chunk after EOF.
    const ref = conn.request("POST", "/up", [], STREAM);
    conn.streamRequestBody(ref, "abc");
    refused(conn, [
      ["trailer value with CRLF", (c) => c.streamRequestBody(ref, { eof: true, trailers: [["x-t", "ZQ\r\nx: y"]] }), "invalid_header_value"],
      ["trailer value with NUL", (c) => c.streamRequestBody(ref, { eof: true, trailers: [["x-t", "ZQ\0"]] }), "invalid_header_value"],
      ["trailer name with LF", (c) => c.streamRequestBody(ref, { eof: true, trailers: [["ZQ\n", "v"]] }), "invalid_header_name"],
      ["forbidden trailer", (c) => c.streamRequestBody(ref, { eof: true, trailers: [["content-length", "ZQ"]] }), "unallowed_trailing_header"],
      ["chunk of a wrong type", (c) => c.streamRequestBody(ref, 42 as unknown as string), "TypeError"],
      ["a second request while a body streams", (c) => c.request("GET", "/ZQ", [], null), "request_body_is_streaming"],
    ]);
    conn.streamRequestBody(ref, { eof: true, trailers: [["x-t", "ok"]] });
    assert.throws(() => conn.streamRequestBody(ref, "ZQ after EOF"), (e: unknown) => e instanceof TypeError || e instanceof HTTPError);
    assert.throws(() => conn.streamRequestBody(ref, EOF), (e: unknown) => e instanceof TypeError || e instanceof HTTPError);
    // Declared length: a chunk that would pass it is refused whole.
    const sized = conn.request("POST", "/sized", [["content-length", "5"]], STREAM);
    conn.streamRequestBody(sized, "abc");
    refused(conn, [["chunk past content-length", (c) => c.streamRequestBody(sized, "ZQxyz"), "*"]]);
    refused(conn, [["EOF before content-length is reached", (c) => c.streamRequestBody(sized, EOF), "*"]]);
    conn.streamRequestBody(sized, "de");
    conn.streamRequestBody(sized, EOF);
    conn.request("GET", "/last", [], null);
    await peer.waitFor((b) => b.includes("GET /last "), 3000, "the last request");
    const got = peer.received().toString("latin1");
    assert.ok(!got.includes("ZQ"), `a refused input reached the server:\n${JSON.stringify(got)}`);
    assert.ok(got.startsWith("POST /up "), "nothing was written before the first valid request");
    assert.ok(got.includes("\r\n\r\n3\r\nabc\r\n0\r\nx-t: ok\r\n\r\n"), "the chunked body and its trailers");
    assert.ok(got.includes("\r\n\r\nabcde"), "exactly the declared 5 bytes");
    assert.equal((got.match(/ HTTP\/1\.1\r\n/g) ?? []).length, 3, "three requests written");
    assert.equal(conn.isOpen(), true);
  }));
});

/** Header blocks the HTTP/2 peer received, decoded, with their stream ids. */
function receivedHeaders(peer: Peer): Array<{ streamId: number; headers: Array<[string, string]> }> {
  const d = new Decoder();
  return peer.frames().filter((f) => f.type === 1).map((f) => {
    let block = f.payload;
    if (f.flags & 0x8) block = block.subarray(1, block.length - block[0]!);
    if (f.flags & 0x20) block = block.subarray(5);
    return { streamId: f.streamId, headers: d.decode(block) };
  });
}

test("HTTP/2: malformed requests are refused before any frame is written", async () => {
  await releasingSockets(() => withPeer("http2", async (conn, peer) => {
    const connectionSpecific: Call[] = [
      ["connection", (c) => c.request("GET", "/", [["connection", "ZQ"]], null), "invalid_header"],
      ["keep-alive", (c) => c.request("GET", "/", [["keep-alive", "ZQ"]], null), "invalid_header"],
      ["proxy-connection", (c) => c.request("GET", "/", [["proxy-connection", "ZQ"]], null), "invalid_header"],
      ["transfer-encoding", (c) => c.request("POST", "/", [["transfer-encoding", "chunked"]], "ZQ"), "invalid_header"],
      ["Transfer-Encoding (any case)", (c) => c.request("POST", "/", [["Transfer-Encoding", "chunked"]], "ZQ"), "invalid_header"],
      ["upgrade", (c) => c.request("GET", "/", [["upgrade", "ZQ"]], null), "invalid_header"],
      ["te other than trailers", (c) => c.request("GET", "/", [["te", "ZQ, gzip"]], null), "invalid_header"],
    ];
    refused(conn, [
      ...commonCalls(),
      ...connectionSpecific,
      ["content-length smaller than the body", (c) => c.request("POST", "/", [["content-length", "1"]], "ZQ"), "content_length_mismatch"],
      ["content-length larger than the body", (c) => c.request("POST", "/", [["content-length", "9"]], "ZQ"), "content_length_mismatch"],
    ]);
    const ref = conn.request("POST", "/up", [["te", "trailers"]], STREAM);
    conn.streamRequestBody(ref, "abc");
    refused(conn, [
      ["trailer value with CRLF", (c) => c.streamRequestBody(ref, { eof: true, trailers: [["x-t", "ZQ\r\nx: y"]] }), "invalid_header_value"],
      ["trailer value with NUL", (c) => c.streamRequestBody(ref, { eof: true, trailers: [["x-t", "ZQ\0"]] }), "invalid_header_value"],
      ["trailer name with LF", (c) => c.streamRequestBody(ref, { eof: true, trailers: [["ZQ\n", "v"]] }), "invalid_header_name"],
      ["forbidden trailer", (c) => c.streamRequestBody(ref, { eof: true, trailers: [["content-length", "1"]] }), "unallowed_trailing_header"],
      ["connection-specific trailer", (c) => c.streamRequestBody(ref, { eof: true, trailers: [["connection", "ZQ"]] }), "unallowed_trailing_header"],
      ["chunk of a wrong type", (c) => c.streamRequestBody(ref, 42 as unknown as string), "TypeError"],
    ]);
    conn.streamRequestBody(ref, { eof: true, trailers: [["x-t", "ok"]] });
    refused(conn, [
      ["chunk after EOF", (c) => c.streamRequestBody(ref, "ZQ"), "*"],
      ["EOF after EOF", (c) => c.streamRequestBody(ref, EOF), "*"],
    ]);
    const last = conn.request("GET", "/last", [], null);
    await peer.waitForFrame((f) => f.type === 1 && f.streamId > 1, "the last HEADERS");
    const blocks = receivedHeaders(peer);
    const text = JSON.stringify(blocks);
    assert.ok(!text.includes("ZQ"), `a refused input reached the server: ${text}`);
    assert.deepEqual(blocks.map((b) => b.streamId), [1, 1, 3], "request, its trailers, the last request");
    assert.deepEqual(blocks[1]!.headers, [["x-t", "ok"]]);
    const data = peer.frames().filter((f) => f.type === 0);
    assert.equal(Buffer.concat(data.map((f) => f.payload)).toString(), "abc");
    assert.equal(peer.frames().filter((f) => f.type === 3).length, 0, "no RST_STREAM");
    assert.equal(typeof last, "string");
    assert.equal(conn.isOpen(), true);
  }));
});

// RFC 9113 §8.1.1: a request whose DATA disagrees with its content-length is malformed (the
// server would reset it), so a streamed HTTP/2 body is held to the declared length.
test("HTTP/2: a streamed body that disagrees with its content-length is refused before anything is written", async () => {
  await withPeer("http2", async (conn, peer) => {
    const sized = conn.request("POST", "/sized", [["content-length", "5"]], STREAM);
    conn.streamRequestBody(sized, "abc");
    refused(conn, [["chunk past content-length", (c) => c.streamRequestBody(sized, "ZQxyz"), "body_exceeds_content_length"],
      ["trailers before content-length is reached", (c) => c.streamRequestBody(sized, { eof: true, trailers: [["x-t", "1"]] }), "content_length_mismatch"]]);
    refused(conn, [["EOF before content-length is reached", (c) => c.streamRequestBody(sized, EOF), "content_length_mismatch"]]);
    conn.streamRequestBody(sized, "de");
    conn.streamRequestBody(sized, EOF);
    conn.request("GET", "/last", [], null);
    await peer.waitForFrame((f) => f.type === 1 && f.streamId > 1, "the last HEADERS");
    const data = Buffer.concat(peer.frames().filter((f) => f.type === 0).map((f) => f.payload)).toString();
    assert.equal(data, "abcde");
  });
});
