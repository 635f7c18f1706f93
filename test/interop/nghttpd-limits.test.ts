// Interop with a hard-to-please nghttpd (Debian's nghttp2-server) over h2c: every frame
// padded, no content-length, at most 10 concurrent streams, tiny receive windows, a small
// HPACK decoder table (our encoder must shrink to it) and a smaller encoder table (a dynamic
// table size update). Also client SETTINGS, CONTINUATION, putSettings and setWindowSize.
// Without the binary these tests fail under CI and are skipped (with the reason) otherwise.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect, MintError, STREAM, type Connection, type ConnectOptions, type ResponsePart } from "../../src/index.js";
import { collectActive, header, responseOf } from "../support/collect.js";
import { get, uploadWithinWindow } from "./support/exchanges.js";
import { interopBinary } from "./support/process.js";
import { DOC_FILES, largeBody, startNghttpd, textBody, type Nghttpd } from "./support/servers.js";

const { bin, missing } = interopBinary("nghttpd", "apt-get install nghttp2-server");

// A harder nghttpd: every frame padded (up to 255 octets), no content-length, at most 10
// concurrent streams, receive windows of 4095 (stream) and 16383 (connection) octets, an
// HPACK decoder table of 512 octets (our encoder must shrink to it) and an encoder table of
// 1024 (a dynamic table size update below our 4096).
describe("nghttpd h2c with padding, tiny windows and 10 streams", { skip: missing }, () => {
  let server: Nghttpd;
  const open = (extra: ConnectOptions = {}): Promise<Connection> =>
    connect("http", "127.0.0.1", server.port, { protocols: ["http2"], ...extra });

  before(async () => {
    server = await startNghttpd(bin!, { echoUpload: true, args: ["-b", "255", "--no-content-length", "-m", "10", "-w", "12", "-W", "14", "-c", "512", "--encoder-header-table-size", "1024"] });
  });
  after(async () => {
    await server?.close();
  });

  test("padded frames: a 32 MiB body without content-length", async () => {
    const conn = await open();
    try {
      const r = await get(conn, DOC_FILES.large, "GET", [], 20_000);
      assert.equal(r.status, 200, server.output());
      assert.equal(header(r.headers, "content-length"), undefined);
      assert.equal(r.body.length, DOC_FILES.largeSize);
      assert.ok(r.body.equals(largeBody()));
    } finally {
      await conn.close();
    }
  });

  test("the 11th concurrent request is refused with too_many_concurrent_requests", async () => {
    const conn = await open();
    try {
      await get(conn, DOC_FILES.small);
      assert.equal(conn.getServerSetting("maxConcurrentStreams"), 10);
      const refs = Array.from({ length: 10 }, () => conn.request("GET", DOC_FILES.text, [], null));
      assert.throws(
        () => conn.request("GET", DOC_FILES.small, [], null),
        (e: unknown) => e instanceof MintError && e.reason === "too_many_concurrent_requests",
      );
      assert.equal(conn.openRequestCount(), 10);
      const parts = await collectActive(conn, refs);
      for (const ref of refs) assert.equal(responseOf(parts, ref).body.toString(), textBody());
      // Once they end, new requests may go again.
      assert.equal((await get(conn, DOC_FILES.small)).body.toString(), DOC_FILES.smallText);
    } finally {
      await conn.close();
    }
  });

  test("a 1 MiB upload through 4 KiB / 16 KiB windows is echoed back", async () => {
    const conn = await open();
    try {
      await get(conn, DOC_FILES.small);
      assert.equal(conn.getServerSetting("initialWindowSize"), 4095);
      const body = largeBody().subarray(7, 7 + 1024 * 1024);
      const ref = conn.request("PUT", "/upload", [], STREAM);
      const response = collectActive(conn, [ref], 20_000);
      const waits = await uploadWithinWindow(conn, ref, body, 256 * 1024);
      assert.ok(waits >= 200, `waited only ${waits} times for WINDOW_UPDATE`);
      const r = responseOf(await response, ref);
      assert.equal(r.status, 200);
      assert.ok(r.body.equals(body));
    } finally {
      await conn.close();
    }
  });

  test("client SETTINGS: no HPACK table, a 16 KiB stream window and 64 KiB frames", async () => {
    const conn = await open({ clientSettings: { headerTableSize: 0, initialWindowSize: 16_384, maxFrameSize: 65_536 } });
    try {
      for (let i = 0; i < 3; i++) {
        // Repeated responses would reuse the dynamic table; with size 0 every field is literal.
        const r = await get(conn, DOC_FILES.text);
        assert.equal(r.body.toString(), textBody());
        assert.match(header(r.headers, "server") ?? "", /^nghttpd/);
      }
      assert.equal(conn.getClientSetting("headerTableSize"), 0);
      assert.equal(conn.getClientSetting("initialWindowSize"), 16_384);
      assert.equal(conn.getClientSetting("maxFrameSize"), 65_536);
      const big = await get(conn, DOC_FILES.large, "GET", [], 20_000);
      assert.ok(big.body.equals(largeBody()));
    } finally {
      await conn.close();
    }
  });

  test("a 30 KiB header block goes out in HEADERS + CONTINUATION, twice", async () => {
    const conn = await open();
    try {
      const headers: Array<[string, string]> = Array.from({ length: 30 }, (_, i) => [`x-filler-${i}`, `${i}`.padEnd(1000, "v")]);
      for (let i = 0; i < 2; i++) {
        const ref = conn.request("GET", DOC_FILES.small, headers, null);
        const r = responseOf(await collectActive(conn, [ref]), ref);
        assert.equal(r.error, undefined);
        assert.equal(r.status, 200);
        assert.equal(r.body.toString(), DOC_FILES.smallText);
      }
      assert.equal(conn.isOpen(), true);
    } finally {
      await conn.close();
    }
  });

  test("putSettings is applied once acknowledged; setWindowSize grows the receive window", async () => {
    const conn = await open();
    try {
      await get(conn, DOC_FILES.small);
      conn.putSettings({ maxConcurrentStreams: 7, initialWindowSize: 1 << 20 });
      // The server acknowledges SETTINGS before it answers a PING sent after them.
      const ping = conn.ping();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no pong")), 5000);
        conn.on("parts", (batch: ResponsePart[]) => {
          if (batch.some((p) => p.type === "pong" && p.ref === ping)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      assert.equal(conn.getClientSetting("maxConcurrentStreams"), 7);
      assert.equal(conn.getClientSetting("initialWindowSize"), 1 << 20);
      conn.setWindowSize("connection", 64 * 1024 * 1024);
      assert.throws(
        () => conn.setWindowSize("connection", 1024),
        (e: unknown) => e instanceof MintError && e.reason === "window_size_too_small",
      );
      const r = await get(conn, DOC_FILES.large, "GET", [], 20_000);
      assert.ok(r.body.equals(largeBody()));
    } finally {
      await conn.close();
    }
  });

  test("HPACK under a 512-octet server table: 300 requests with changing fields", async () => {
    const conn = await open();
    try {
      await get(conn, DOC_FILES.small);
      assert.equal(conn.getServerSetting("headerTableSize"), 512);
      for (let batch = 0; batch < 30; batch++) {
        const refs = Array.from({ length: 10 }, (_, i) => {
          const n = batch * 10 + i;
          return conn.request("GET", `${DOC_FILES.small}?n=${n}`, [
            ["x-request-id", `req-${n}-${"z".repeat(n % 97)}`],
            ["x-constant", "the same value every time"],
            ["cookie", `a=${n % 7}`],
            ["cookie", `session=${"s".repeat(n % 50)}`],
            ["x-size", "q".repeat((n * 37) % 400)],
          ], null);
        });
        const parts = await collectActive(conn, refs);
        for (const ref of refs) {
          const r = responseOf(parts, ref);
          assert.equal(r.error, undefined, `batch ${batch}: ${String(r.error)}`);
          assert.equal(r.status, 200);
          assert.equal(r.body.toString(), DOC_FILES.smallText);
        }
      }
      assert.equal(conn.isOpen(), true);
    } finally {
      await conn.close();
    }
  });

  test("a streamed upload ending with trailers is echoed", async () => {
    const conn = await open();
    try {
      const ref = conn.request("POST", "/echo", [["content-type", "text/plain"]], STREAM);
      conn.streamRequestBody(ref, "part one, ");
      conn.streamRequestBody(ref, "part two");
      conn.streamRequestBody(ref, { eof: true, trailers: [["x-checksum", "42"]] });
      const r = responseOf(await collectActive(conn, [ref]), ref);
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), "part one, part two");
    } finally {
      await conn.close();
    }
  });
});
