// HTTP/2 streamed request bodies are held to their declared content-length: a chunk that
// would go past it, or EOF (or trailers) before it is reached, is refused before any frame
// is written (RFC 9113 §8.1.1: such a request is malformed and the server would reset it).

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, EOF, HTTPError, STREAM, type Connection } from "../../src/index.js";
import { startFaultServer, type Peer } from "../support/fault-server.js";

type Call = [what: string, fn: (c: Connection) => unknown, expect: "TypeError" | string];

function refused(conn: Connection, calls: Call[]): void {
  for (const [what, fn, expect] of calls) {
    assert.throws(() => fn(conn), (e: unknown) => {
      if (expect === "TypeError") return e instanceof TypeError;
      return e instanceof HTTPError && (expect === "*" || e.reason === expect);
    }, `${what}: expected ${expect}`);
  }
}

async function withPeer(fn: (conn: Connection, peer: Peer) => Promise<void>): Promise<void> {
  const server = await startFaultServer();
  const conn = await connect("http", "127.0.0.1", server.port, { protocols: ["http2"] });
  conn.on("closed", () => {});
  const peer = await server.nextPeer();
  try {
    await peer.h2Handshake();
    await fn(conn, peer);
  } finally {
    await conn.close();
    await server.close();
  }
}

test("HTTP/2: a streamed body that disagrees with its content-length is refused before anything is written", async () => {
  await withPeer(async (conn, peer) => {
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
