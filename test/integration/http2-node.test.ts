// HTTP/2 through the whole library against node:http2, over h2c (prior knowledge) and
// TLS with ALPN: multiplexing, large bodies both ways, headers, GOAWAY, RST_STREAM, push,
// ping and settings.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { connect, EOF, HTTPError, STREAM, type Connection, type ResponsePart } from "../../src/index.js";
import { testCerts } from "../support/certs.js";
import { collectActive, collectPassive, header, responseOf } from "../support/collect.js";

type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void;

const routes = new Map<string, Handler>();

function route(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  stream.on("error", () => {});
  const path = String(headers[":path"]);
  const handler = routes.get(path.split("?")[0]!) ?? ((s) => s.respond({ ":status": 404 }, { endStream: true }));
  handler(stream, headers);
}

routes.set("/echo", (stream, headers) => {
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  stream.on("end", () => {
    stream.respond({ ":status": 200, "x-path": String(headers[":path"]), "x-method": String(headers[":method"]) });
    stream.end(`${headers[":method"]} ${headers[":path"]} ${Buffer.concat(chunks).toString()}`);
  });
});
routes.set("/count", (stream) => {
  let n = 0;
  stream.on("data", (c: Buffer) => (n += c.length));
  stream.on("end", () => {
    stream.respond({ ":status": 200 });
    stream.end(String(n));
  });
});
const BIG = 64 * 1024 * 1024;
routes.set("/big", (stream) => {
  stream.respond({ ":status": 200, "content-length": String(BIG) });
  const block = Buffer.alloc(256 * 1024, 1);
  let sent = 0;
  const pump = (): void => {
    while (sent < BIG) {
      sent += block.length;
      if (!stream.write(block)) {
        stream.once("drain", pump);
        return;
      }
    }
    stream.end();
  };
  pump();
});
export const VARIED: Array<[string, string]> = [
  ["x-short", "a"],
  ["x-long", "v".repeat(12_000)],
  ["x-repeat", "one"],
  ["x-repeat", "two"],
  ["x-mixed", "Hello, World! 0123456789 ~!@#$%^&*()_+{}|:<>?"],
  ["x-empty", ""],
  ["content-type", "application/json; charset=utf-8"],
  ["cache-control", "no-cache, no-store, must-revalidate"],
];
routes.set("/headers", (stream) => {
  const h: http2.OutgoingHttpHeaders = { ":status": 200 };
  for (const [n, v] of VARIED) {
    const prev = h[n];
    h[n] = prev === undefined ? v : ([] as string[]).concat(prev as string, v);
  }
  stream.respond(h);
  stream.end("h");
});
routes.set("/reset", (stream) => stream.close(http2.constants.NGHTTP2_REFUSED_STREAM));
routes.set("/push", (stream) => {
  stream.pushStream({ ":path": "/pushed" }, (err, push) => {
    if (err) throw err;
    push.respond({ ":status": 200, "x-pushed": "yes" });
    push.end("pushed body");
    stream.respond({ ":status": 200 });
    stream.end("main body");
  });
});
routes.set("/trailers", (stream) => {
  stream.respond({ ":status": 200 }, { waitForTrailers: true });
  stream.on("wantTrailers", () => stream.sendTrailers({ "x-trailer": "t" }));
  stream.end("with trailers");
});
routes.set("/hold", () => {});
const cancelled: number[] = [];
routes.set("/endless", (stream) => {
  stream.respond({ ":status": 200 });
  stream.write("start");
  stream.on("close", () => cancelled.push(stream.rstCode));
});

interface H2Server {
  port: number;
  server: http2.Http2Server | http2.Http2SecureServer;
  sessions: Set<http2.ServerHttp2Session>;
  close(): Promise<void>;
}

async function listen(server: http2.Http2Server | http2.Http2SecureServer): Promise<H2Server> {
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s: http2.ServerHttp2Session) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
    s.on("error", () => {});
  });
  server.on("stream", route);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    sessions,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sessions) s.destroy();
        server.close(() => r());
      }),
  };
}

const settings = { maxConcurrentStreams: 250, initialWindowSize: 1 << 20 };
let h2c: H2Server;
let h2s: H2Server;

before(async () => {
  const certs = testCerts();
  h2c = await listen(http2.createServer({ settings }));
  h2s = await listen(http2.createSecureServer({ settings, key: certs.valid.key, cert: certs.valid.cert, allowHTTP1: true }));
});
after(async () => {
  await h2c.close();
  await h2s.close();
});

function tlsOpts(): { transportOpts: Record<string, unknown> } {
  return { transportOpts: { cacerts: [testCerts().rootCA.cert] } };
}

for (const variant of ["h2c", "tls"] as const) {
  describe(`HTTP/2 over ${variant}`, () => {
    let conn: Connection;
    before(async () => {
      conn =
        variant === "h2c"
          ? await connect("http", "127.0.0.1", h2c.port, { protocols: ["http2"] })
          : await connect("https", "localhost", h2s.port, tlsOpts());
    });
    after(async () => {
      await conn.close();
    });

    test("negotiates HTTP/2 and answers a GET", async () => {
      assert.equal(conn.protocol, "http2");
      const ref = conn.request("GET", "/echo?q=1", [], null);
      const r = responseOf(await collectActive(conn, [ref]), ref);
      assert.equal(r.status, 200);
      assert.equal(header(r.headers, "x-path"), "/echo?q=1");
      assert.equal(r.body.toString(), "GET /echo?q=1 ");
    });

    test("200 concurrent GETs on one connection", async () => {
      assert.equal(conn.getServerSetting("maxConcurrentStreams"), 250);
      const refs = Array.from({ length: 200 }, (_, i) => conn.request("GET", `/echo?i=${i}`, [], null));
      assert.equal(conn.openRequestCount(), 200);
      const parts = await collectActive(conn, refs, 20_000);
      refs.forEach((ref, i) => {
        const r = responseOf(parts, ref);
        assert.equal(r.status, 200);
        assert.equal(r.body.toString(), `GET /echo?i=${i} `);
      });
      assert.equal(conn.openRequestCount(), 0);
    });

    test("varied, large and Huffman-coded response headers are decoded exactly", async () => {
      const ref = conn.request("GET", "/headers", [], null);
      const r = responseOf(await collectActive(conn, [ref]), ref);
      const got = r.headers.filter(([n]) => VARIED.some(([v]) => v === n));
      assert.deepEqual(got, VARIED);
    });

    test("POST with a body and a response with trailers", async () => {
      const ref = conn.request("POST", "/echo", [["content-type", "text/plain"]], "payload");
      const t = conn.request("GET", "/trailers", [], null);
      const parts = await collectActive(conn, [ref, t]);
      assert.equal(responseOf(parts, ref).body.toString(), "POST /echo payload");
      assert.deepEqual(responseOf(parts, t).trailers, [["x-trailer", "t"]]);
    });

    test("RST_STREAM from the server fails only that request", async () => {
      const bad = conn.request("GET", "/reset", [], null);
      const good = conn.request("GET", "/echo", [], null);
      const parts = await collectActive(conn, [bad, good]);
      const err = responseOf(parts, bad).error;
      assert.ok(err instanceof HTTPError);
      assert.equal(err.reason, "server_closed_request");
      assert.equal(responseOf(parts, good).status, 200);
      assert.equal(conn.isOpen(), true);
    });

    test("server push arrives as push_promise and its own response", async () => {
      const ref = conn.request("GET", "/push", [], null);
      const all: ResponsePart[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("push did not complete")), 5000);
        const onParts = (ps: ResponsePart[]): void => {
          all.push(...ps);
          const promise = all.find((x) => x.type === "push_promise");
          const doneRefs = new Set(all.filter((x) => x.type === "done").map((x) => x.ref));
          if (promise && promise.type === "push_promise" && doneRefs.has(ref) && doneRefs.has(promise.promisedRef)) {
            clearTimeout(timer);
            conn.off("parts", onParts);
            resolve();
          }
        };
        conn.on("parts", onParts);
      });
      const promise = all.find((x) => x.type === "push_promise") as Extract<ResponsePart, { type: "push_promise" }>;
      assert.equal(promise.ref, ref);
      assert.equal(header(promise.headers, ":path"), "/pushed");
      assert.equal(responseOf(all, ref).body.toString(), "main body");
      const pushed = responseOf(all, promise.promisedRef);
      assert.equal(header(pushed.headers, "x-pushed"), "yes");
      assert.equal(pushed.body.toString(), "pushed body");
    });

    test("ping is answered by pong", async () => {
      const ref = conn.ping(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
      assert.equal(await pongAfter(conn, ref), true);
    });

    test("putSettings applies once acknowledged", async () => {
      conn.putSettings({ maxConcurrentStreams: 50 });
      const ref = conn.ping(); // the ACK of SETTINGS comes before the PONG
      await pongAfter(conn, ref);
      assert.equal(conn.getClientSetting("maxConcurrentStreams"), 50);
    });

    test("cancelRequest resets the stream with CANCEL", async () => {
      const ref = conn.request("GET", "/endless", [], null);
      await new Promise<void>((resolve) => {
        const onParts = (ps: ResponsePart[]): void => {
          if (ps.some((p) => p.ref === ref && p.type === "data")) {
            conn.off("parts", onParts);
            resolve();
          }
        };
        conn.on("parts", onParts);
      });
      conn.cancelRequest(ref);
      const deadline = Date.now() + 3000;
      while (!cancelled.includes(http2.constants.NGHTTP2_CANCEL) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(cancelled.includes(http2.constants.NGHTTP2_CANCEL));
      assert.equal(conn.openRequestCount(), 0);
    });
  });
}

/** Resolves true once a pong for `ref` arrives. */
function pongAfter(conn: Connection, ref: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no pong")), 5000);
    const onParts = (ps: ResponsePart[]): void => {
      if (ps.some((p) => p.type === "pong" && p.ref === ref)) {
        clearTimeout(timer);
        conn.off("parts", onParts);
        resolve(true);
      }
    };
    conn.on("parts", onParts);
  });
}

test("a 64 MiB download over HTTP/2 in passive mode", async () => {
  const conn = await connect("http", "127.0.0.1", h2c.port, { protocols: ["http2"], mode: "passive" });
  try {
    const ref = conn.request("GET", "/big", [], null);
    let received = 0;
    let done = false;
    while (!done) {
      for (const p of await conn.recv(0, 10_000)) {
        if (p.ref === ref && p.type === "data") received += p.data.length;
        if (p.ref === ref && p.type === "done") done = true;
      }
    }
    assert.equal(received, BIG);
  } finally {
    await conn.close();
  }
});

test("an 8 MiB streamed upload that follows requestBodyWindow", async () => {
  const conn = await connect("http", "127.0.0.1", h2c.port, { protocols: ["http2"], mode: "passive" });
  try {
    const total = 8 * 1024 * 1024;
    const ref = conn.request("POST", "/count", [], STREAM);
    let sent = 0;
    const parts: ResponsePart[] = [];
    while (sent < total) {
      const window = conn.requestBodyWindow(ref);
      if (window > 0) {
        const n = Math.min(window, total - sent, 1 << 20);
        conn.streamRequestBody(ref, new Uint8Array(n));
        sent += n;
      } else {
        parts.push(...(await conn.recv(0, 5000)));
      }
    }
    assert.throws(
      () => conn.streamRequestBody(ref, new Uint8Array(conn.requestBodyWindow(ref) + 1)),
      (e: unknown) => e instanceof HTTPError && e.reason === "exceeds_window_size",
    );
    conn.streamRequestBody(ref, EOF);
    parts.push(...(await collectPassive(conn, [ref])));
    assert.equal(responseOf(parts, ref).body.toString(), String(total));
  } finally {
    await conn.close();
  }
});

test("GOAWAY: requests above last_stream_id fail as unprocessed and writes stop", async () => {
  const server = await listen(http2.createServer());
  const conn = await connect("http", "127.0.0.1", server.port, { protocols: ["http2"] });
  try {
    const first = conn.request("GET", "/echo", [], null);
    await collectActive(conn, [first]);
    const [session] = [...server.sessions];
    const lastId = 1;
    const pending = [conn.request("GET", "/hold", [], null), conn.request("GET", "/hold", [], null)];
    await new Promise((r) => setTimeout(r, 50));
    session!.goaway(http2.constants.NGHTTP2_NO_ERROR, lastId);
    const parts = await collectActive(conn, pending, 5000).catch((e: Error & { parts?: ResponsePart[] }) => e.parts ?? []);
    for (const ref of pending) {
      const err = responseOf(parts, ref).error;
      assert.ok(err instanceof HTTPError, `expected unprocessed for ${ref}`);
      assert.equal(err.reason, "unprocessed");
    }
    assert.equal(conn.isOpen("write"), false);
    assert.throws(() => conn.request("GET", "/", [], null), HTTPError);
  } finally {
    await conn.close();
    await server.close();
  }
});

test("https with both protocols follows the server's ALPN choice of HTTP/1.1", async () => {
  const certs = testCerts();
  const server = await listen(http2.createSecureServer({ key: certs.valid.key, cert: certs.valid.cert, allowHTTP1: true }));
  try {
    const c1 = await connect("https", "localhost", server.port, { ...tlsOpts(), protocols: ["http1"] });
    assert.equal(c1.protocol, "http1");
    await c1.close();
    const c2 = await connect("https", "localhost", server.port, { ...tlsOpts(), protocols: ["http2"] });
    assert.equal(c2.protocol, "http2");
    await c2.close();
  } finally {
    await server.close();
  }
});

test("active mode: a streamed upload goes on at each \"window\" event", async () => {
  const conn = await connect("http", "127.0.0.1", h2c.port, { protocols: ["http2"] });
  try {
    const total = 4 * 1024 * 1024;
    const ref = conn.request("POST", "/count", [], STREAM);
    let sent = 0;
    let windows = 0;
    const response = collectActive(conn, [ref], 15_000);
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (sent < total) {
          const n = Math.min(conn.requestBodyWindow(ref), total - sent);
          if (n <= 0) return; // wait for the next "window" event
          conn.streamRequestBody(ref, new Uint8Array(n));
          sent += n;
        }
        conn.off("window", onWindow);
        conn.streamRequestBody(ref, EOF);
        resolve();
      };
      const onWindow = (): void => {
        windows++;
        pump();
      };
      conn.on("window", onWindow);
      pump();
    });
    assert.ok(windows > 0, "window events were emitted");
    assert.equal(responseOf(await response, ref).body.toString(), String(total));
  } finally {
    await conn.close();
  }
});
