// Every HTTP/1 response-side reason of Mint, produced by a raw TCP server writing crafted
// bytes, reaches the caller through connect() as an HTTPError with that reason and a
// message a person can act on; the socket is released each time.

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, HTTPError, type ResponsePart } from "../../src/index.js";
import { startScriptedServer } from "../support/servers.js";

const CASES: Array<[reason: string, response: string, message: RegExp]> = [
  ["invalid_status_line", "HTTP/1.1 2x0 OK\r\n\r\n", /status line/i],
  ["invalid_header", "HTTP/1.1 200 OK\r\nbad header line\r\n\r\n", /header/i],
  ["max_header_list_size_exceeded", `HTTP/1.1 200 OK\r\nx-big: ${"a".repeat(300 * 1024)}\r\n\r\n`, /header/i],
  ["invalid_content_length_header", "HTTP/1.1 200 OK\r\ncontent-length: +5\r\n\r\nhello", /content-length/i],
  ["more_than_one_content_length_header", "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello", /content-length/i],
  ["transfer_encoding_and_content_length", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n0\r\n\r\n", /transfer-encoding/i],
  ["invalid_chunk_size", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", /chunk/i],
  ["missing_crlf_after_chunk", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", /chunk/i],
  ["invalid_trailer_header", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n", /trailer/i],
  ["empty_token_list", "HTTP/1.1 200 OK\r\ntransfer-encoding: ,\r\n\r\n", /transfer-encoding|token/i],
  ["invalid_token_list", "HTTP/1.1 200 OK\r\nconnection: keep alive\r\ncontent-length: 0\r\n\r\n", /connection|token/i],
  ["unexpected_data", "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\nextra bytes", /no request|unexpected/i],
];

for (const [reason, response, message] of CASES) {
  test(`crafted response → ${reason}`, async () => {
    const server = await startScriptedServer([response]);
    const conn = await connect("http", "127.0.0.1", server.port);
    try {
      const ref = conn.request("GET", "/", [], null);
      const parts: ResponsePart[] = [];
      conn.on("parts", (ps) => parts.push(...ps));
      const err = await new Promise<Error | undefined>((resolve) => conn.on("closed", resolve));
      const errorPart = parts.find((p): p is Extract<ResponsePart, { type: "error" }> => p.type === "error" && p.ref === ref);
      const failure = err ?? errorPart?.error;
      assert.ok(failure instanceof HTTPError, `expected an HTTPError, got ${String(failure)}`);
      assert.equal(failure.reason, reason);
      assert.equal(failure.protocol, "http1");
      assert.match(failure.message, message);
      assert.equal(conn.isOpen(), false);
      assert.equal(conn.getSocket().destroyed, true);
    } finally {
      await conn.close();
      await server.close();
    }
  });
}
