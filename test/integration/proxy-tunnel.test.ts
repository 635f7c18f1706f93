// CONNECT tunnels through the test proxy to a TLS origin: HTTP/2 and HTTP/1 inside the
// tunnel, certificate verification of the origin, proxy replies (407, 403, stalls, malformed),
// https proxies (TLS in TLS), IPv6 authorities and the bytes that follow the reply.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { basicProxyAuth, connect, HTTPError, TransportError, type Connection } from "../../src/index.js";
import { testCerts } from "../support/certs.js";
import { collectActive, collectPassive, header, responseOf } from "../support/collect.js";
import { startProxy, startTLSOrigin, type Origin, type OriginEcho, type ProxyServer } from "../support/proxy-server.js";

const certs = testCerts();
const trustRoot = { cacerts: [certs.rootCA.cert] };

async function get(conn: Connection, path: string): Promise<{ status: number | undefined; echo: OriginEcho }> {
  const ref = conn.request("GET", path, [], null);
  const r = responseOf(await collectActive(conn, [ref]), ref);
  assert.equal(r.error, undefined);
  return { status: r.status, echo: JSON.parse(r.body.toString()) as OriginEcho };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    const v = await p;
    if (v && typeof (v as Connection).close === "function") await (v as Connection).close();
  } catch (err) {
    return err as Error;
  }
  assert.fail("expected a rejection");
}

describe("CONNECT tunnel through an http proxy", () => {
  let origin: Origin;
  let proxy: ProxyServer;
  before(async () => {
    origin = await startTLSOrigin(certs.valid);
    proxy = await startProxy();
  });
  after(async () => {
    await proxy.close();
    await origin.close();
  });

  test("HTTP/2 by ALPN inside the tunnel, origin certificate verified", async () => {
    const seenBefore = proxy.seen.length;
    const conn = await connect("https", "localhost", origin.port, {
      transportOpts: trustRoot,
      proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port },
    });
    try {
      assert.equal(conn.protocol, "http2");
      const { status, echo } = await get(conn, "/tunnel?x=1");
      assert.equal(status, 200);
      assert.equal(echo.httpVersion, "2.0");
      assert.equal(echo.url, "/tunnel?x=1");
      assert.equal(echo.authority, `localhost:${origin.port}`);
      const seen = proxy.seen[seenBefore]!;
      assert.equal(seen.method, "CONNECT");
      assert.equal(seen.url, `localhost:${origin.port}`);
      assert.equal(header(seen.headers, "host"), `localhost:${origin.port}`);
      // The reply's headers, as the proxy sent them.
      assert.deepEqual(conn.getProxyHeaders(), [["x-proxy", "test-proxy"]]);
      // Mutating the copy does not change the connection's.
      conn.getProxyHeaders().push(["a", "b"]);
      assert.equal(conn.getProxyHeaders().length, 1);
    } finally {
      await conn.close();
    }
  });

  test("HTTP/1.1 inside the tunnel when only http1 is asked", async () => {
    const conn = await connect("https", "localhost", origin.port, {
      protocols: ["http1"],
      transportOpts: trustRoot,
      proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port },
    });
    try {
      assert.equal(conn.protocol, "http1");
      const a = await get(conn, "/one");
      const b = await get(conn, "/two");
      assert.equal(a.echo.httpVersion, "1.1");
      assert.equal(a.echo.authority, `localhost:${origin.port}`);
      assert.equal(b.echo.url, "/two");
    } finally {
      await conn.close();
    }
  });

  test("passive mode through the tunnel", async () => {
    const conn = await connect("https", "localhost", origin.port, {
      mode: "passive",
      protocols: ["http1"],
      transportOpts: trustRoot,
      proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port },
    });
    try {
      const ref = conn.request("GET", "/passive", [], null);
      const r = responseOf(await collectPassive(conn, [ref]), ref);
      assert.equal(r.status, 200);
      assert.equal((JSON.parse(r.body.toString()) as OriginEcho).url, "/passive");
    } finally {
      await conn.close();
    }
  });

  test("CONNECT names the address; TLS and :authority use the hostname option", async () => {
    const before = proxy.seen.length;
    const conn = await connect("https", "127.0.0.1", origin.port, {
      hostname: "localhost",
      transportOpts: trustRoot,
      proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port },
    });
    try {
      assert.equal(proxy.seen[before]!.url, `127.0.0.1:${origin.port}`);
      const { echo } = await get(conn, "/");
      assert.equal(echo.authority, `localhost:${origin.port}`);
    } finally {
      await conn.close();
    }
  });

  test("an untrusted origin certificate fails with tls_alert and leaves no socket on the proxy", async () => {
    const err = await rejection(connect("https", "localhost", origin.port, {
      transportOpts: { cacerts: [certs.selfSigned.cert] },
      proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port },
    }));
    assert.ok(err instanceof TransportError, String(err));
    assert.equal(err.reason, "tls_alert");
    assert.equal(err.details?.alert, "unknown_ca");
    await proxy.waitForNoSockets();
  });

  test("proxy.opts are the proxy's: the target's transportOpts and hostname stay with the target", async () => {
    // A target timeout of 0 would fail at once if it were used for the proxy socket.
    const conn = await connect("https", "127.0.0.1", origin.port, {
      hostname: "localhost",
      transportOpts: { ...trustRoot, timeout: 5000, localAddress: "127.0.0.1" },
      proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port, opts: { transportOpts: { timeout: 5000 } } },
    });
    await conn.close();
    // ...and the proxy's own transportOpts are used: a timeout of 0 fails before any byte.
    const err = await rejection(connect("https", "127.0.0.1", origin.port, {
      transportOpts: trustRoot,
      proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port, opts: { transportOpts: { timeout: 0 } } },
    }));
    assert.ok(err instanceof TransportError);
    assert.equal(err.reason, "timeout");
  });

  test("IPv6 target: bracketed in CONNECT and host, verified against the IP SAN", async () => {
    const v6 = await startProxy({ rewrite: (host, port) => (host === "::1" ? { host: "127.0.0.1", port } : { host, port }) });
    try {
      const conn = await connect("https", "::1", origin.port, {
        transportOpts: trustRoot,
        proxy: { scheme: "http", address: "127.0.0.1", port: v6.port },
      });
      try {
        assert.equal(v6.seen[0]!.url, `[::1]:${origin.port}`);
        assert.equal(header(v6.seen[0]!.headers, "host"), `[::1]:${origin.port}`);
        const { echo } = await get(conn, "/v6");
        assert.equal(echo.authority, `[::1]:${origin.port}`);
      } finally {
        await conn.close();
      }
    } finally {
      await v6.close();
    }
  });

  test("a proxy on an IPv6 address given in brackets", async (t) => {
    // The proxy itself listens on 127.0.0.1 only; connecting to [::1] must be refused, not
    // misparsed: the bracketed address reaches connectTCP as ::1.
    const err = await rejection(connect("https", "localhost", origin.port, {
      transportOpts: trustRoot,
      proxy: { scheme: "http", address: "[::1]", port: proxy.port },
    }));
    if (!(err instanceof TransportError)) t.diagnostic(String(err));
    assert.ok(err instanceof TransportError);
    assert.match(err.reason, /^(econnrefused|eaddrnotavail|enetunreach)$/);
  });
});

describe("CONNECT replies that are not 2xx", () => {
  let origin: Origin;
  before(async () => {
    origin = await startTLSOrigin(certs.valid);
  });
  after(() => origin.close());

  test("407 without credentials: unexpected_status 407, socket closed; with credentials: 200", async () => {
    const proxy = await startProxy({ auth: { user: "alice", password: "s3cret:é" } });
    try {
      const opts = { transportOpts: trustRoot, proxy: { scheme: "http" as const, address: "127.0.0.1", port: proxy.port } };
      const err = await rejection(connect("https", "localhost", origin.port, opts));
      assert.ok(err instanceof HTTPError, String(err));
      assert.equal(err.protocol, "proxy");
      assert.equal(err.reason, "unexpected_status");
      assert.equal(err.details?.status, 407);
      assert.match(err.message, new RegExp(`^proxy 127\\.0\\.0\\.1:${proxy.port} answered CONNECT with 407 Proxy Authentication Required: add proxy-authorization to proxyHeaders`));
      await proxy.waitForNoSockets();

      const wrong = await rejection(connect("https", "localhost", origin.port, { ...opts, proxyHeaders: [basicProxyAuth("alice", "nope")] }));
      assert.ok(wrong instanceof HTTPError);
      assert.equal(wrong.details?.status, 407);
      assert.match(wrong.message, /refused the credentials/);

      const conn = await connect("https", "localhost", origin.port, { ...opts, proxyHeaders: [basicProxyAuth("alice", "s3cret:é")] });
      try {
        const { status, echo } = await get(conn, "/authed");
        assert.equal(status, 200);
        assert.equal(echo.url, "/authed");
        // Proxy credentials go to the proxy only, never through the tunnel.
        assert.equal(header(echo.headers, "proxy-authorization"), undefined);
        assert.equal(header(proxy.seen.at(-1)!.headers, "proxy-authorization"), basicProxyAuth("alice", "s3cret:é")[1]);
      } finally {
        await conn.close();
      }
    } finally {
      await proxy.close();
    }
  });

  test("403: unexpected_status with details.status 403", async () => {
    const proxy = await startProxy({ connectStatus: 403 });
    try {
      const err = await rejection(connect("https", "localhost", origin.port, {
        transportOpts: trustRoot,
        proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port },
      }));
      assert.ok(err instanceof HTTPError);
      assert.equal(err.reason, "unexpected_status");
      assert.equal(err.details?.status, 403);
      assert.match(err.message, /403 Forbidden/);
      await proxy.waitForNoSockets();
    } finally {
      await proxy.close();
    }
  });

  test("a stalled proxy: tunnel_timeout within the asked time, socket destroyed", async () => {
    const proxy = await startProxy({ stallConnect: true });
    try {
      const start = Date.now();
      const err = await rejection(connect("https", "localhost", origin.port, {
        transportOpts: trustRoot,
        proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port, opts: { tunnelTimeout: 300 } },
      }));
      const elapsed = Date.now() - start;
      assert.ok(err instanceof HTTPError, String(err));
      assert.equal(err.protocol, "proxy");
      assert.equal(err.reason, "tunnel_timeout");
      assert.ok(elapsed >= 280, `elapsed ${elapsed} ms`);
      assert.ok(elapsed < 2000, `elapsed ${elapsed} ms`);
      await proxy.waitForNoSockets();

      // A zero timeout is a deadline already reached: still a clean tunnel_timeout.
      const zero = await rejection(connect("https", "localhost", origin.port, {
        transportOpts: trustRoot,
        proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port, opts: { tunnelTimeout: 0 } },
      }));
      assert.ok(zero instanceof HTTPError);
      assert.equal(zero.reason, "tunnel_timeout");
    } finally {
      await proxy.close();
    }
  });

  test("a malformed reply: HTTPError proxy with the HTTP/1 reason", async () => {
    const proxy = await startProxy({ connectRawReply: "NOT HTTP AT ALL\r\n\r\n" });
    try {
      const err = await rejection(connect("https", "localhost", origin.port, {
        transportOpts: trustRoot,
        proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port },
      }));
      assert.ok(err instanceof HTTPError, String(err));
      assert.equal(err.protocol, "proxy");
      assert.equal(err.reason, "invalid_status_line");
      await proxy.waitForNoSockets();
    } finally {
      await proxy.close();
    }
  });

  test("a reply header section over maxHeaderListSize of the proxy opts", async () => {
    const proxy = await startProxy({ connectRawReply: `HTTP/1.1 200 OK\r\nx-big: ${"a".repeat(4000)}\r\n\r\n` });
    try {
      const err = await rejection(connect("https", "localhost", origin.port, {
        transportOpts: trustRoot,
        proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port, opts: { maxHeaderListSize: 1024 } },
      }));
      assert.ok(err instanceof HTTPError, String(err));
      assert.equal(err.reason, "max_header_list_size_exceeded");
    } finally {
      await proxy.close();
    }
  });

  test("a proxy that closes before answering: TransportError closed, unwrapped", async () => {
    const proxy = await startProxy({ dropConnect: true });
    try {
      const err = await rejection(connect("https", "localhost", origin.port, {
        transportOpts: trustRoot,
        proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port },
      }));
      assert.ok(err instanceof TransportError, String(err));
      assert.equal(err.reason, "closed");
      assert.match(err.message, /before answering CONNECT/);
    } finally {
      await proxy.close();
    }
  });

  test("a proxy port that refuses connections: TransportError econnrefused, unwrapped", async () => {
    const proxy = await startProxy();
    await proxy.close();
    const err = await rejection(connect("https", "localhost", origin.port, {
      transportOpts: trustRoot,
      proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port },
    }));
    assert.ok(err instanceof TransportError, String(err));
    assert.equal(err.reason, "econnrefused");
  });

  test("a 2xx reply with framing headers: the tunnel starts right after the head", async () => {
    const proxy = await startProxy({ replyHeaders: [["content-length", "0"], ["transfer-encoding", "chunked"]] });
    try {
      const conn = await connect("https", "localhost", origin.port, {
        transportOpts: trustRoot,
        proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port },
      });
      try {
        assert.equal((await get(conn, "/framed")).status, 200);
        assert.deepEqual(conn.getProxyHeaders(), [["content-length", "0"], ["transfer-encoding", "chunked"]]);
      } finally {
        await conn.close();
      }
    } finally {
      await proxy.close();
    }
  });

  test("bytes written with the 200 reply reach the TLS layer (a fatal alert record)", async () => {
    // A TLS alert record (fatal, handshake_failure) in the same write as the reply: if those
    // bytes were dropped, the handshake with the origin would succeed.
    const alert = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
    const proxy = await startProxy({ afterReply: alert });
    try {
      const err = await rejection(connect("https", "localhost", origin.port, {
        transportOpts: trustRoot,
        proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port },
      }));
      assert.ok(err instanceof TransportError, String(err));
      assert.equal(err.reason, "tls_alert");
      assert.equal(err.details?.alert, "handshake_failure");
    } finally {
      await proxy.close();
    }
  });
});

describe("CONNECT tunnel through an https proxy (TLS in TLS)", () => {
  let origin: Origin;
  let proxy: ProxyServer;
  before(async () => {
    origin = await startTLSOrigin(certs.valid);
    // The proxy presents a self-signed certificate: only the proxy's own trust store has it.
    proxy = await startProxy({ tls: certs.selfSigned });
  });
  after(async () => {
    await proxy.close();
    await origin.close();
  });

  for (const protocols of [["http1", "http2"], ["http1"]] as const) {
    test(`protocols ${protocols.join("+")}: each TLS session verified with its own options`, async () => {
      const conn = await connect("https", "localhost", origin.port, {
        protocols: [...protocols],
        transportOpts: trustRoot,
        proxy: { scheme: "https", address: "127.0.0.1", port: proxy.port, opts: { hostname: "localhost", transportOpts: { cacerts: [certs.selfSigned.cert] } } },
      });
      try {
        assert.equal(conn.protocol, protocols.length === 2 ? "http2" : "http1");
        const { echo } = await get(conn, "/tls-in-tls");
        assert.equal(echo.url, "/tls-in-tls");
        assert.equal(echo.httpVersion, protocols.length === 2 ? "2.0" : "1.1");
        // The connection's socket is the inner TLS session, with the origin's certificate.
        const peer = (conn.getSocket() as import("node:tls").TLSSocket).getPeerCertificate();
        assert.equal(peer.issuer?.CN, "mint-http Test Root CA");
      } finally {
        await conn.close();
      }
    });
  }

  test("the proxy's certificate is checked with the proxy's options", async () => {
    const err = await rejection(connect("https", "localhost", origin.port, {
      transportOpts: { cacerts: [certs.selfSigned.cert, certs.rootCA.cert] },
      proxy: { scheme: "https", address: "127.0.0.1", port: proxy.port, opts: { transportOpts: trustRoot } },
    }));
    assert.ok(err instanceof TransportError, String(err));
    assert.equal(err.reason, "tls_alert");
  });

  test("the origin's certificate is checked inside the tunnel", async () => {
    const err = await rejection(connect("https", "localhost", origin.port, {
      transportOpts: { cacerts: [certs.selfSigned.cert] },
      proxy: { scheme: "https", address: "127.0.0.1", port: proxy.port, opts: { transportOpts: { cacerts: [certs.selfSigned.cert] } } },
    }));
    assert.ok(err instanceof TransportError, String(err));
    assert.equal(err.reason, "tls_alert");
    assert.equal(err.details?.alert, "unknown_ca");
    await proxy.waitForNoSockets();
  });
});
