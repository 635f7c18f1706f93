// Interop with nghttpd (Debian's nghttp2-server), the reference HTTP/2 server of nghttp2:
// h2c with prior knowledge and TLS with ALPN h2, each against its own nghttpd process.
// Small and 32 MiB downloads compared byte for byte, 100 concurrent streams on one connection,
// HEAD, 404, PING, the server's SETTINGS, uploads streamed within the send window (nghttpd
// answers a POST to a static file with the file; with --echo-upload it sends the body back),
// RST_STREAM by cancelRequest, server push, response trailers, passive mode and close.
// (nghttpd-limits.test.ts covers padding, tiny windows, stream limits and HPACK tables.)
// Without the binary these tests fail under CI and are skipped (with the reason) otherwise.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect, STREAM, TransportError, type Connection, type ConnectOptions, type RequestRef, type ResponsePart } from "../../src/index.js";
import { testCerts } from "../support/certs.js";
import { collectActive, collectPassive, header, responseOf } from "../support/collect.js";
import { DOC_FILES, largeBody, startNghttpd, textBody, type Nghttpd, type NghttpdOptions } from "./support/servers.js";
import { assertRefusesRequests, collectUntilClosed, downloadLarge, get, getAll, headLarge, partsUntil, uploadWithinWindow, withConnection } from "./support/exchanges.js";
import { interopBinary } from "./support/process.js";

const { bin, missing } = interopBinary("nghttpd", "apt-get install nghttp2-server");

const certs = testCerts();
const PUSH = ["-p", `${DOC_FILES.pushing}=${DOC_FILES.text}`];
const TRAILER = "x-interop-trailer: all sent";

interface Variant {
  name: string;
  tls: boolean;
  server: NghttpdOptions;
  /** The stream window nghttpd announces in SETTINGS_INITIAL_WINDOW_SIZE. */
  initialWindowSize: number;
  connect(port: number, extra?: ConnectOptions): Promise<Connection>;
}

const variants: Variant[] = [
  {
    name: "h2c (prior knowledge)",
    tls: false,
    server: { trailers: [TRAILER], args: PUSH },
    initialWindowSize: 65_535,
    connect: (port, extra = {}) => connect("http", "127.0.0.1", port, { protocols: ["http2"], ...extra }),
  },
  {
    name: "TLS with ALPN h2",
    tls: true,
    server: { tls: certs.valid, echoUpload: true, args: [...PUSH, "-w", "17"] },
    initialWindowSize: 2 ** 17 - 1,
    connect: (port, extra = {}) =>
      connect("https", "127.0.0.1", port, { hostname: "localhost", transportOpts: { cacerts: [certs.rootCA.cert] }, ...extra }),
  },
];

for (const v of variants) {
  describe(`nghttpd ${v.name}`, { skip: missing }, () => {
    let server: Nghttpd;
    const open = async (extra?: ConnectOptions): Promise<Connection> => v.connect(server.port, extra);

    before(async () => {
      server = await startNghttpd(bin!, v.server);
    });
    after(async () => {
      await server?.close();
    });

    test("negotiates HTTP/2", () =>
      withConnection(open(), async (conn) => {
        assert.equal(conn.protocol, "http2");
        if (v.tls) {
          const socket = conn.getSocket() as import("node:tls").TLSSocket;
          assert.equal(socket.alpnProtocol, "h2");
          assert.equal(socket.authorized, true);
        }
        assert.equal(conn.isOpen(), true);
      }));

    test("GET of a small file", () =>
      withConnection(open(), async (conn) => {
        const r = await get(conn, DOC_FILES.small);
        assert.equal(r.status, 200, server.output());
        assert.equal(r.body.toString(), DOC_FILES.smallText);
        assert.equal(header(r.headers, "content-length"), String(DOC_FILES.smallText.length));
        assert.equal(header(r.headers, "content-type"), "text/plain");
        assert.match(header(r.headers, "server") ?? "", /^nghttpd/);
        for (const [name] of r.headers) assert.equal(name, name.toLowerCase());
        assert.equal(conn.openRequestCount(), 0);
      }));

    test("GET of a 32 MiB file: same length and bytes", () => withConnection(open(), downloadLarge));

    test("100 concurrent GETs on one connection", () =>
      withConnection(open(), async (conn) => {
        // The first response also brings the server's SETTINGS (max 100 concurrent streams).
        await get(conn, DOC_FILES.small);
        assert.equal(conn.getServerSetting("maxConcurrentStreams"), 100);
        const paths = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? DOC_FILES.text : DOC_FILES.small));
        const responses = await getAll(conn, paths, 15_000, (refs) => {
          assert.equal(new Set(refs).size, 100);
          assert.equal(conn.openRequestCount(), 100);
        });
        const text = textBody();
        responses.forEach((r, i) => {
          assert.equal(r.status, 200, `request ${i}`);
          assert.equal(r.done, true);
          assert.equal(r.body.toString(), paths[i] === DOC_FILES.text ? text : DOC_FILES.smallText, `body of request ${i}`);
        });
        assert.equal(conn.openRequestCount(), 0);
      }));

    test("HEAD: headers with content-length and no body", () =>
      withConnection(open(), async (conn) => {
        const r = await headLarge(conn);
        assert.equal(r.done, true);
      }));

    test("404 for a missing file, and the connection stays usable", () =>
      withConnection(open(), async (conn) => {
        const r = await get(conn, "/no/such/file");
        assert.equal(r.status, 404);
        assert.match(r.body.toString(), /404 Not Found/);
        assert.equal(header(r.headers, "content-length"), String(r.body.length));
        const again = await get(conn, DOC_FILES.small);
        assert.equal(again.status, 200);
      }));

    test("PING is answered by a pong with the ping's ref", () =>
      withConnection(open(), async (conn) => {
        const refs = [conn.ping(), conn.ping(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))];
        const pongsOf = (parts: ResponsePart[]): Set<RequestRef> => new Set(parts.filter((p) => p.type === "pong").map((p) => p.ref));
        const parts = await partsUntil(conn, (seen) => refs.every((r) => pongsOf(seen).has(r)), 5000, "no pong");
        assert.deepEqual([...pongsOf(parts)].sort(), [...refs].sort());
      }));

    test("the server's SETTINGS are read with getServerSetting", () =>
      withConnection(open(), async (conn) => {
        await get(conn, DOC_FILES.small);
        assert.equal(conn.getServerSetting("maxConcurrentStreams"), 100);
        assert.equal(conn.getServerSetting("initialWindowSize"), v.initialWindowSize);
        assert.equal(conn.getServerSetting("maxFrameSize"), 16_384);
        assert.equal(conn.getServerSetting("headerTableSize"), 4096);
        assert.equal(conn.getServerSetting("enablePush"), true);
        // A new stream's send window starts at the server's initial window size.
        const ref = conn.request("POST", DOC_FILES.small, [], STREAM);
        assert.equal(conn.requestBodyWindow(ref), Math.min(v.initialWindowSize, conn.getWindowSize("connection")));
        assert.equal(conn.getWindowSize({ request: ref }), v.initialWindowSize);
        conn.cancelRequest(ref);
      }));

    test("a 3 MiB streamed upload that follows requestBodyWindow", () =>
      withConnection(open(), async (conn) => {
        const body = largeBody().subarray(0, 3 * 1024 * 1024);
        const ref = conn.request("POST", DOC_FILES.small, [["content-type", "application/octet-stream"]], STREAM);
        const response = collectActive(conn, [ref], 20_000);
        const waits = await uploadWithinWindow(conn, ref, body, 256 * 1024);
        // The windows (64 KiB or 128 KiB) are far smaller than the body.
        assert.ok(waits > 0, "the upload never had to wait for a WINDOW_UPDATE");
        const r = responseOf(await response, ref);
        assert.equal(r.error, undefined);
        assert.equal(r.status, 200);
        if (v.server.echoUpload) {
          // --echo-upload: the body comes back.
          assert.equal(header(r.headers, "nghttpd-response"), "echo");
          assert.equal(r.body.length, body.length);
          assert.ok(r.body.equals(body), "the echoed body differs from the upload");
        } else {
          // A POST to a static file is read to the end and answered with the file.
          assert.equal(r.body.toString(), DOC_FILES.smallText);
        }
        assert.equal(conn.openRequestCount(), 0);
      }));

    test("cancelRequest stops a 32 MiB download; the connection goes on", () =>
      withConnection(open(), async (conn) => {
        const ref = conn.request("GET", DOC_FILES.large, [], null);
        const before: ResponsePart[] = [];
        const after: ResponsePart[] = [];
        let cancelled = false;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error("no data came")), 10_000);
          conn.on("parts", (batch: ResponsePart[]) => {
            for (const p of batch) {
              if (cancelled) after.push(p);
              else before.push(p);
            }
            if (!cancelled && before.some((p) => p.ref === ref && p.type === "data")) {
              conn.cancelRequest(ref);
              cancelled = true;
              clearTimeout(timer);
              resolve();
            }
          });
        });
        assert.equal(conn.openRequestCount(), 0);
        // After the cancel no part of the request comes, whatever DATA was in flight.
        const next = await get(conn, DOC_FILES.large, "GET", [], 20_000);
        assert.equal(next.body.length, DOC_FILES.largeSize);
        assert.ok(next.body.equals(largeBody()));
        assert.deepEqual(after.filter((p) => p.ref === ref), []);
        const received = before.filter((p) => p.ref === ref && p.type === "data").reduce((n, p) => n + (p as { data: Uint8Array }).data.length, 0);
        assert.ok(received < DOC_FILES.largeSize);
        assert.equal(before.some((p) => p.ref === ref && (p.type === "done" || p.type === "error")), false);
      }));

    test("server push: a push_promise and the pushed response", () =>
      withConnection(open(), async (conn) => {
        assert.equal(conn.getClientSetting("enablePush"), true);
        const ref = conn.request("GET", DOC_FILES.pushing, [], null);
        const parts = await partsUntil(conn, (seen) => {
          const promise = seen.find((p) => p.type === "push_promise");
          const ended = (r: RequestRef): boolean => seen.some((p) => p.ref === r && (p.type === "done" || p.type === "error"));
          return ended(ref) && promise !== undefined && ended((promise as { promisedRef: RequestRef }).promisedRef);
        }, 10_000, "the push did not complete");
        const promise = parts.find((p) => p.type === "push_promise") as Extract<ResponsePart, { type: "push_promise" }>;
        assert.equal(promise.ref, ref);
        assert.notEqual(promise.promisedRef, ref);
        assert.equal(header(promise.headers, ":path"), DOC_FILES.text);
        assert.equal(header(promise.headers, ":method"), "GET");
        const page = responseOf(parts, ref);
        assert.equal(page.status, 200);
        assert.match(page.body.toString(), /pushed/);
        const pushed = responseOf(parts, promise.promisedRef);
        assert.equal(pushed.status, 200);
        assert.equal(pushed.body.toString(), textBody());
      }));

    test("with enablePush false no push_promise comes", () =>
      withConnection(open({ clientSettings: { enablePush: false } }), async (conn) => {
        assert.equal(conn.getClientSetting("enablePush"), false);
        const ref = conn.request("GET", DOC_FILES.pushing, [], null);
        const parts = await collectActive(conn, [ref]);
        assert.equal(responseOf(parts, ref).status, 200);
        assert.deepEqual(parts.filter((p) => p.type === "push_promise" || p.ref !== ref), []);
      }));

    test("close: GOAWAY, the socket ends and requests are refused", async () => {
      const conn = await open();
      const closed = new Promise<Error | undefined>((resolve) => conn.once("closed", resolve));
      await get(conn, DOC_FILES.small);
      await conn.close();
      assert.equal(conn.isOpen(), false);
      assert.equal(conn.isOpen("read"), false);
      assert.equal(await closed, undefined);
      assertRefusesRequests(conn);
      // The server is still there for the next connection.
      const again = await open();
      try {
        assert.equal((await get(again, DOC_FILES.small)).status, 200);
      } finally {
        await again.close();
      }
    });

    if (v.tls) {
      test("protocols [\"http1\"] against an h2-only server: no ALPN, HTTP/1 is tried and refused", () =>
        withConnection(open({ protocols: ["http1"] }), async (conn) => {
          assert.equal(conn.protocol, "http1");
          assert.equal((conn.getSocket() as import("node:tls").TLSSocket).alpnProtocol, false);
          const ref = conn.request("GET", DOC_FILES.small, [], null);
          const parts = await collectUntilClosed(conn, [ref]);
          const r = responseOf(parts, ref);
          assert.equal(r.status, undefined);
          assert.ok(r.error instanceof TransportError, String(r.error));
          assert.equal(r.error.reason, "closed");
          assert.equal(conn.isOpen(), false);
        }));

      test("a certificate from an untrusted root is refused (unknown_ca)", async () => {
        await assert.rejects(
          connect("https", "127.0.0.1", server.port, { hostname: "localhost", transportOpts: { cacerts: [certs.selfSigned.cert] } }),
          (e: unknown) => e instanceof TransportError && e.reason === "tls_alert" && e.details?.alert === "unknown_ca",
        );
      });
    } else {
      test("response trailers (--trailer) come as a second headers part", () =>
        withConnection(open(), async (conn) => {
          const r = await get(conn, DOC_FILES.text);
          assert.equal(r.body.toString(), textBody());
          assert.deepEqual(r.trailers, [["x-interop-trailer", "all sent"]]);
          assert.equal(header(r.headers, "x-interop-trailer"), undefined);
        }));

      test("passive mode: recv reads a 32 MiB body", () =>
        withConnection(open({ mode: "passive" }), async (conn) => {
          const ref = conn.request("GET", DOC_FILES.large, [], null);
          const r = responseOf(await collectPassive(conn, [ref], 10_000), ref);
          assert.equal(r.status, 200);
          assert.ok(r.body.equals(largeBody()));
          // An idle recv with a timeout rejects with TransportError "timeout".
          await assert.rejects(conn.recv(0, 100), (e: unknown) => e instanceof TransportError && e.reason === "timeout");
          assert.equal(conn.isOpen(), true);
        }));
    }
  });
}
