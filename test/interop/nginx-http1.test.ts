// Interop with nginx (Debian's package) over HTTP/1.1: plain TCP and TLS with ALPN forced to
// http/1.1. Keep-alive reuse of one socket, 20 pipelined requests answered in order, chunked
// gzip responses, HEAD, 204, 404, 405, 418 and 302, repeated add_header fields, a 32 MiB
// download, PUT uploads (body up front and streamed with chunked encoding) read back through
// WebDAV, `connection: close`, status_reason and passive mode.
// Without the binary these tests fail under CI and are skipped (with the reason) otherwise.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import type { TLSSocket } from "node:tls";
import { connect, EOF, HTTPError, MintError, STREAM, type Connection, type ConnectOptions, type ResponsePart } from "../../src/index.js";
import { testCerts } from "../support/certs.js";
import { collectActive, collectPassive, header, responseOf } from "../support/collect.js";
import { DOC_FILES, largeBody, startNginx, textBody, type Nginx } from "./support/servers.js";
import { assertRefusesRequests, collectUntilClosed, downloadLarge, get, getAll, getBigHeaders, headLarge, partsUntil, readAcrossModeSwitches, withConnection } from "./support/exchanges.js";
import { interopBinary } from "./support/process.js";

const { bin, missing } = interopBinary("nginx", "apt-get install nginx");

const certs = testCerts();

describe("nginx HTTP/1.1", { skip: missing }, () => {
  let nginx: Nginx;
  const plain = (extra: ConnectOptions = {}): Promise<Connection> => connect("http", "127.0.0.1", nginx.httpPort, extra);
  const overTLS = (extra: ConnectOptions = {}): Promise<Connection> =>
    connect("https", "127.0.0.1", nginx.httpsPort, { protocols: ["http1"], transportOpts: { cacerts: [certs.rootCA.cert] }, ...extra });

  before(async () => {
    nginx = await startNginx(bin!, certs.valid);
  });
  after(async () => {
    await nginx?.close();
  });

  test("keep-alive: five GETs in a row share one socket", () =>
    withConnection(plain(), async (conn) => {
      assert.equal(conn.protocol, "http1");
      const socket = conn.getSocket();
      const localPort = socket.localPort;
      for (let i = 0; i < 5; i++) {
        const r = await get(conn, DOC_FILES.small);
        assert.equal(r.status, 200, nginx.output());
        assert.equal(r.body.toString(), DOC_FILES.smallText);
        assert.equal(header(r.headers, "connection"), "keep-alive");
        assert.match(header(r.headers, "server") ?? "", /^nginx/);
        assert.equal(conn.openRequestCount(), 0);
      }
      assert.equal(conn.getSocket(), socket);
      assert.equal(conn.getSocket().localPort, localPort);
      assert.equal(conn.isOpen(), true);
    }));

  test("20 pipelined requests are answered in order", () =>
    withConnection(plain(), async (conn) => {
      const plan: Array<{ method: string; path: string; status: number; body?: string }> = [];
      for (let i = 0; i < 20; i++) {
        switch (i % 5) {
          case 0: plan.push({ method: "GET", path: DOC_FILES.small, status: 200, body: DOC_FILES.smallText }); break;
          case 1: plan.push({ method: "GET", path: DOC_FILES.text, status: 200, body: textBody() }); break;
          case 2: plan.push({ method: "GET", path: "/empty", status: 204, body: "" }); break;
          case 3: plan.push({ method: "HEAD", path: DOC_FILES.large, status: 200, body: "" }); break;
          default: plan.push({ method: "GET", path: `/missing-${i}`, status: 404 });
        }
      }
      const refs = plan.map((p) => conn.request(p.method, p.path, [], null));
      assert.equal(conn.openRequestCount(), 20);
      const parts = await collectActive(conn, refs, 15_000);
      refs.forEach((ref, i) => {
        const r = responseOf(parts, ref);
        assert.equal(r.error, undefined);
        assert.equal(r.status, plan[i]!.status, `request ${i} ${plan[i]!.method} ${plan[i]!.path}`);
        if (plan[i]!.body !== undefined) assert.equal(r.body.toString(), plan[i]!.body, `body of request ${i}`);
      });
      // HTTP/1.1 answers in request order: each response ends before the next begins.
      const order = parts.map((p) => refs.indexOf(p.ref));
      assert.deepEqual(order, [...order].sort((a, b) => a - b));
      assert.equal(conn.openRequestCount(), 0);
    }));

  test("gzip: a chunked, gzip-encoded response decodes to the file", () =>
    withConnection(plain(), async (conn) => {
      const zipped = await get(conn, `/gzip${DOC_FILES.text}`, "GET", [["accept-encoding", "gzip"]]);
      assert.equal(zipped.status, 200);
      assert.equal(header(zipped.headers, "transfer-encoding"), "chunked");
      assert.equal(header(zipped.headers, "content-encoding"), "gzip");
      assert.equal(header(zipped.headers, "content-length"), undefined);
      assert.ok(zipped.body.length < textBody().length / 4, `gzip body of ${zipped.body.length} octets`);
      assert.equal(gunzipSync(zipped.body).toString(), textBody());
      // Without accept-encoding the same location sends the file with a content-length.
      const raw = await get(conn, `/gzip${DOC_FILES.text}`);
      assert.equal(header(raw.headers, "content-encoding"), undefined);
      assert.equal(header(raw.headers, "content-length"), String(textBody().length));
      assert.equal(raw.body.toString(), textBody());
    }));

  test("HEAD of a 32 MiB file has no body, and the next response parses", () =>
    withConnection(plain(), async (conn) => {
      await headLarge(conn);
      const next = await get(conn, DOC_FILES.small);
      assert.equal(next.body.toString(), DOC_FILES.smallText);
    }));

  test("204, 404, 405, 418 and 302 with their bodies and headers", () =>
    withConnection(plain({ optionalResponses: ["status_reason"] }), async (conn) => {
      const noContent = await get(conn, "/empty");
      assert.equal(noContent.status, 204);
      assert.equal(noContent.reason, "No Content");
      assert.equal(noContent.body.length, 0);
      const notFound = await get(conn, "/nothing/here");
      assert.equal(notFound.status, 404);
      assert.equal(notFound.reason, "Not Found");
      assert.match(notFound.body.toString(), /404 Not Found/);
      const ref = conn.request("POST", DOC_FILES.small, [["content-type", "text/plain"]], "some data");
      const notAllowed = responseOf(await collectActive(conn, [ref]), ref);
      assert.equal(notAllowed.status, 405);
      const teapot = await get(conn, "/teapot");
      assert.equal(teapot.status, 418);
      assert.equal(teapot.body.toString(), "short and stout\n");
      const found = await get(conn, "/redirect");
      assert.equal(found.status, 302);
      assert.equal(found.reason, "Moved Temporarily");
      assert.match(header(found.headers, "location") ?? "", /\/small\.txt$/);
      assert.equal(conn.isOpen(), true);
    }));

  test("add_header fields, repeated names kept in order", () =>
    withConnection(plain(), async (conn) => {
      const r = await get(conn, `/headers${DOC_FILES.small}`);
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), DOC_FILES.smallText);
      assert.equal(header(r.headers, "x-interop"), "mint-http");
      assert.deepEqual(r.headers.filter(([n]) => n === "x-multi").map(([, v]) => v), ["one", "two"]);
      for (const [name] of r.headers) assert.equal(name, name.toLowerCase());
    }));

  test("a 32 MiB download: same length and bytes", () => withConnection(plain(), downloadLarge));

  test("PUT uploads, up front and streamed (chunked), read back with GET", () =>
    withConnection(plain(), async (conn) => {
      const whole = largeBody().subarray(0, 2 * 1024 * 1024);
      const put = conn.request("PUT", "/dav/whole.bin", [["content-type", "application/octet-stream"]], whole);
      const created = responseOf(await collectActive(conn, [put]), put);
      assert.equal(created.status, 201, nginx.output());
      const back = await get(conn, "/dav/whole.bin");
      assert.ok(back.body.equals(whole));

      const streamed = conn.request("PUT", "/dav/streamed.bin", [], STREAM);
      assert.equal(conn.requestBodyWindow(streamed), Infinity);
      const pieces = [largeBody().subarray(0, 100_000), new TextEncoder().encode("middle"), largeBody().subarray(5_000_000, 5_700_000)];
      for (const piece of pieces) conn.streamRequestBody(streamed, piece);
      conn.streamRequestBody(streamed, EOF);
      const r = responseOf(await collectActive(conn, [streamed]), streamed);
      assert.equal(r.status, 201, nginx.output());
      const read = await get(conn, "/dav/streamed.bin");
      assert.ok(read.body.equals(Buffer.concat(pieces)));
      // Overwriting an existing file answers 204.
      const again = conn.request("PUT", "/dav/whole.bin", [], "short");
      assert.equal(responseOf(await collectActive(conn, [again]), again).status, 204);
      assert.equal((await get(conn, "/dav/whole.bin")).body.toString(), "short");
    }));

  test("connection: close ends the connection after the response", async () => {
    const conn = await plain();
    const closed = new Promise<Error | undefined>((resolve) => conn.once("closed", resolve));
    try {
      const r = await get(conn, DOC_FILES.small, "GET", [["connection", "close"]]);
      assert.equal(header(r.headers, "connection"), "close");
      assert.equal(r.body.toString(), DOC_FILES.smallText);
      assert.equal(await closed, undefined);
      assert.equal(conn.isOpen(), false);
      assertRefusesRequests(conn);
    } finally {
      await conn.close();
    }
  });

  test("passive mode: recv, byteCount and an idle timeout", () =>
    withConnection(plain({ mode: "passive" }), async (conn) => {
      const refs = [conn.request("GET", DOC_FILES.small, [], null), conn.request("GET", DOC_FILES.large, [], null)];
      const parts = await collectPassive(conn, refs, 10_000);
      assert.equal(responseOf(parts, refs[0]!).body.toString(), DOC_FILES.smallText);
      assert.ok(responseOf(parts, refs[1]!).body.equals(largeBody()));
      const ref = conn.request("GET", DOC_FILES.text, [], null);
      // byteCount reads exactly that many octets: 10 octets cannot hold a whole status line.
      assert.deepEqual(await conn.recv(10, 5000), []);
      const statusLine = await conn.recv("HTTP/1.1 200 OK\r\n".length - 10, 5000);
      assert.deepEqual(statusLine, [{ type: "status", ref, status: 200 }]);
      const rest: ResponsePart[] = [...statusLine];
      while (!rest.some((p) => p.type === "done")) rest.push(...(await conn.recv(0, 5000)));
      assert.equal(responseOf(rest, ref).body.toString(), textBody());
      await assert.rejects(conn.recv(0, 100), (e: unknown) => e instanceof MintError && e.reason === "timeout");
      assert.equal(conn.isOpen(), true);
    }));

  test("close: the socket ends and requests are refused", async () => {
    const conn = await plain();
    await get(conn, DOC_FILES.small);
    await conn.close();
    assert.equal(conn.isOpen(), false);
    assert.equal(conn.getSocket().destroyed, true);
    assertRefusesRequests(conn);
  });

  test("chunked response with trailers (add_trailer)", () =>
    withConnection(plain(), async (conn) => {
      const r = await get(conn, `/trailers${DOC_FILES.small}`);
      assert.equal(r.status, 200);
      assert.equal(header(r.headers, "transfer-encoding"), "chunked");
      assert.equal(r.body.toString(), DOC_FILES.smallText);
      assert.deepEqual(r.trailers, [["x-checksum", "trailer-value"], ["x-second", "2"]]);
      // The connection is reusable after a trailer section.
      assert.equal((await get(conn, DOC_FILES.small)).body.toString(), DOC_FILES.smallText);
    }));

  test("a range request answers 206 with exactly the range", () =>
    withConnection(plain(), async (conn) => {
      const r = await get(conn, DOC_FILES.large, "GET", [["range", "bytes=1048570-1048679"]]);
      assert.equal(r.status, 206);
      assert.equal(header(r.headers, "content-range"), `bytes 1048570-1048679/${DOC_FILES.largeSize}`);
      assert.ok(r.body.equals(largeBody().subarray(1048570, 1048680)));
    }));

  test("expect: 100-continue brings a 100 before the final 201", () =>
    withConnection(plain(), async (conn) => {
      const body = largeBody().subarray(0, 300_000);
      const ref = conn.request("PUT", "/dav/continued.bin", [["expect", "100-continue"], ["content-length", String(body.length)]], STREAM);
      // Wait for the interim response before sending the body, as a careful client would.
      const parts = await partsUntil(conn, (seen) => seen.some((p) => p.type === "headers"), 5000, "no 100 Continue");
      assert.deepEqual(parts[0], { type: "status", ref, status: 100 });
      const rest = collectActive(conn, [ref]);
      conn.streamRequestBody(ref, body);
      conn.streamRequestBody(ref, EOF);
      const r = responseOf([...parts, ...(await rest)], ref);
      assert.deepEqual(r.informational.map((i) => i.status), [100]);
      assert.equal(r.status, 201);
      assert.ok((await get(conn, "/dav/continued.bin")).body.equals(body));
    }));

  test("a Unix domain socket with hostname for the Host header", () =>
    withConnection(connect("http", { path: nginx.unixSocket }, 0, { hostname: "localhost" }), async (conn) => {
      assert.equal(conn.protocol, "http1");
      const r = await get(conn, DOC_FILES.small);
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), DOC_FILES.smallText);
      const big = await get(conn, DOC_FILES.large);
      assert.ok(big.body.equals(largeBody()));
    }));

  test("keepalive_requests 5: pipelined requests past the fifth fail, the connection closes", async () => {
    const conn = await connect("http", "127.0.0.1", nginx.limitedHTTPPort);
    const closed = new Promise<Error | undefined>((resolve) => conn.once("closed", resolve));
    try {
      const refs = Array.from({ length: 8 }, () => conn.request("GET", DOC_FILES.small, [], null));
      const parts = await collectUntilClosed(conn, refs);
      refs.slice(0, 5).forEach((ref, i) => {
        const r = responseOf(parts, ref);
        assert.equal(r.status, 200, `request ${i}`);
        assert.equal(r.done, true);
        assert.equal(header(r.headers, "connection"), i === 4 ? "close" : "keep-alive");
      });
      for (const ref of refs.slice(5)) {
        const r = responseOf(parts, ref);
        assert.equal(r.status, undefined);
        assert.ok(r.error instanceof MintError, `request ${ref} did not fail`);
        assert.equal((r.error as MintError).reason, "closed");
      }
      await closed;
      assert.equal(conn.isOpen(), false);
      assert.equal(conn.openRequestCount(), 0);
    } finally {
      await conn.close();
    }
  });

  test("keepalive_timeout: the server closing an idle connection is reported", () =>
    withConnection(connect("http", "127.0.0.1", nginx.limitedHTTPPort), async (conn) => {
      const closed = new Promise<Error | undefined>((resolve) => conn.once("closed", resolve));
      assert.equal((await get(conn, DOC_FILES.small)).status, 200);
      const started = Date.now();
      assert.equal(await closed, undefined);
      assert.ok(Date.now() - started >= 500, "closed before the keepalive timeout");
      assert.equal(conn.isOpen(), false);
      assert.equal(conn.isOpen("read"), false);
    }));

  test("24 KB of response headers; maxHeaderListSize refuses them and fails the request", async () => {
    const conn = await plain();
    try {
      await getBigHeaders(conn);
    } finally {
      await conn.close();
    }
    // Over the cap the request fails and the connection ends with the same error (the rest of
    // the section would have to be read to find the next response).
    const small = await plain({ maxHeaderListSize: 16 * 1024 });
    const closed = new Promise<Error | undefined>((resolve) => small.once("closed", resolve));
    try {
      const ref = small.request("GET", `/bigheaders${DOC_FILES.small}`, [], null);
      const r = responseOf(await collectActive(small, [ref]), ref);
      assert.ok(r.error instanceof HTTPError, "the oversized header section was accepted");
      assert.equal(r.error.reason, "max_header_list_size_exceeded");
      assert.equal(r.error.details?.max, 16 * 1024);
      assert.ok((r.error.details?.size as number) > 16 * 1024);
      const err = await closed;
      assert.ok(err instanceof HTTPError && err.reason === "max_header_list_size_exceeded");
      assert.equal(small.isOpen(), false);
    } finally {
      await small.close();
    }
  });

  test("a streamed chunked PUT ending with trailers; no second request while it streams", () =>
    withConnection(plain(), async (conn) => {
      const ref = conn.request("PUT", "/dav/with-trailers.txt", [], STREAM);
      assert.throws(
        () => conn.request("GET", DOC_FILES.small, [], null),
        (e: unknown) => e instanceof MintError && e.reason === "request_body_is_streaming",
      );
      conn.streamRequestBody(ref, "first line\n");
      conn.streamRequestBody(ref, new TextEncoder().encode("second line\n"));
      conn.streamRequestBody(ref, { eof: true, trailers: [["x-upload-checksum", "abc123"]] });
      const r = responseOf(await collectActive(conn, [ref]), ref);
      assert.equal(r.status, 201, nginx.output());
      assert.equal((await get(conn, "/dav/with-trailers.txt")).body.toString(), "first line\nsecond line\n");
    }));

  test("setMode: active, then passive in the middle of a 32 MiB body, then active again", () =>
    withConnection(plain(), async (conn) => {
      const ref = conn.request("GET", DOC_FILES.large, [], null);
      const r = responseOf(await readAcrossModeSwitches(conn, ref), ref);
      assert.equal(r.body.length, DOC_FILES.largeSize);
      assert.ok(r.body.equals(largeBody()), "bytes were lost or reordered across the mode switches");
      assert.equal((await get(conn, DOC_FILES.small)).body.toString(), DOC_FILES.smallText);
    }));

  describe("over TLS with protocols [\"http1\"]", () => {
    test("ALPN settles on http/1.1 and the certificate verifies", () =>
      withConnection(overTLS(), async (conn) => {
        assert.equal(conn.protocol, "http1");
        const socket = conn.getSocket() as TLSSocket;
        assert.equal(socket.alpnProtocol, "http/1.1");
        assert.equal(socket.authorized, true);
        const r = await get(conn, DOC_FILES.small);
        assert.equal(r.status, 200);
        assert.equal(r.body.toString(), DOC_FILES.smallText);
      }));

    test("20 pipelined GETs and a 32 MiB download over TLS", () =>
      withConnection(overTLS({ hostname: "localhost" }), async (conn) => {
        const responses = await getAll(conn, Array.from({ length: 20 }, (_, i) => (i % 2 ? DOC_FILES.text : DOC_FILES.small)), 10_000);
        responses.forEach((r, i) => assert.equal(r.body.toString(), i % 2 ? textBody() : DOC_FILES.smallText));
        const big = await get(conn, DOC_FILES.large);
        assert.equal(big.body.length, DOC_FILES.largeSize);
        assert.ok(big.body.equals(largeBody()));
      }));
  });
});
