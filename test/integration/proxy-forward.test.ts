// Forward proxies for http targets: absolute-form request targets, Host = the origin,
// proxy headers on every request, the proxy's own options (and only those) for the proxy
// socket, and https proxies.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { basicProxyAuth, connect, TransportError, type Connection } from "../../src/index.js";
import { testCerts } from "../support/certs.js";
import { collectActive, collectPassive, header, responseOf } from "../support/collect.js";
import { startHTTPOrigin, startProxy, type Origin, type OriginEcho, type ProxyServer } from "../support/proxy-server.js";

const certs = testCerts();

async function get(conn: Connection, path: string, headers: Array<[string, string]> = []) {
  const ref = conn.request("GET", path, headers, null);
  const r = responseOf(await collectActive(conn, [ref]), ref);
  assert.equal(r.error, undefined);
  return { status: r.status, headers: r.headers, echo: r.status === 200 ? (JSON.parse(r.body.toString()) as OriginEcho) : undefined };
}

describe("forward proxy over http", () => {
  let origin: Origin;
  let proxy: ProxyServer;
  before(async () => {
    origin = await startHTTPOrigin();
    proxy = await startProxy();
  });
  after(async () => {
    await proxy.close();
    await origin.close();
  });

  test("GET reaches the origin: absolute-form target at the proxy, Host = origin", async () => {
    const before = proxy.seen.length;
    const conn = await connect("http", "127.0.0.1", origin.port, { proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port } });
    try {
      assert.equal(conn.protocol, "http1");
      assert.deepEqual(conn.getProxyHeaders(), []);
      const { status, echo } = await get(conn, "/path/a?q=1");
      assert.equal(status, 200);
      const seen = proxy.seen[before]!;
      assert.equal(seen.method, "GET");
      assert.equal(seen.url, `http://127.0.0.1:${origin.port}/path/a?q=1`);
      assert.equal(header(seen.headers, "host"), `127.0.0.1:${origin.port}`);
      assert.equal(echo!.url, "/path/a?q=1");
      assert.equal(echo!.authority, `127.0.0.1:${origin.port}`);
    } finally {
      await conn.close();
    }
  });

  test("the hostname option names the origin in the target and in Host", async () => {
    const p = await startProxy({ rewrite: (_host, port) => ({ host: "127.0.0.1", port }) });
    try {
      const conn = await connect("http", "127.0.0.1", origin.port, {
        hostname: "origin.test",
        proxy: { scheme: "http", address: "127.0.0.1", port: p.port },
      });
      try {
        const { echo } = await get(conn, "/named");
        assert.equal(p.seen[0]!.url, `http://origin.test:${origin.port}/named`);
        assert.equal(echo!.authority, `origin.test:${origin.port}`);
      } finally {
        await conn.close();
      }
    } finally {
      await p.close();
    }
  });

  test("port 80 is left out of the absolute-form target and of Host", async () => {
    const p = await startProxy({ rewrite: (_host, port) => ({ host: "127.0.0.1", port: port === 80 ? origin.port : port }) });
    try {
      const conn = await connect("http", "example.test", 80, { proxy: { scheme: "http", address: "127.0.0.1", port: p.port } });
      try {
        const { echo } = await get(conn, "/");
        assert.equal(p.seen[0]!.url, "http://example.test/");
        assert.equal(header(p.seen[0]!.headers, "host"), "example.test");
        assert.equal(echo!.authority, "example.test");
      } finally {
        await conn.close();
      }
    } finally {
      await p.close();
    }
  });

  test("a caller's Host header is kept", async () => {
    const conn = await connect("http", "127.0.0.1", origin.port, { proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port } });
    try {
      const { echo } = await get(conn, "/h", [["host", "custom.test"]]);
      assert.equal(echo!.authority, "custom.test");
    } finally {
      await conn.close();
    }
  });

  test("proxyHeaders go with every request, pipelined or not, in passive mode too", async () => {
    const before = proxy.seen.length;
    const conn = await connect("http", "127.0.0.1", origin.port, {
      mode: "passive",
      proxyHeaders: [["x-proxy-token", "t1"], basicProxyAuth("bob", "pw")],
      proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port },
    });
    try {
      const refs = [conn.request("GET", "/1", [], null), conn.request("GET", "/2", [], null), conn.request("POST", "/3", [], "body")];
      const parts = await collectPassive(conn, refs);
      for (const ref of refs) assert.equal(responseOf(parts, ref).status, 200);
      const seen = proxy.seen.slice(before);
      assert.equal(seen.length, 3);
      for (const s of seen) {
        assert.equal(header(s.headers, "x-proxy-token"), "t1");
        assert.equal(header(s.headers, "proxy-authorization"), basicProxyAuth("bob", "pw")[1]);
      }
      assert.deepEqual(seen.map((s) => s.method), ["GET", "GET", "POST"]);
    } finally {
      await conn.close();
    }
  });

  test("the target's transportOpts are not used for the proxy socket; the proxy's are", async () => {
    // A local address that does not exist here would fail the proxy socket if it leaked.
    const conn = await connect("http", "127.0.0.1", origin.port, {
      transportOpts: { localAddress: "192.0.2.1", timeout: 0 },
      proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port, opts: { transportOpts: { timeout: 5000 } } },
    });
    try {
      assert.equal((await get(conn, "/no-leak")).status, 200);
    } finally {
      await conn.close();
    }
    await assert.rejects(
      connect("http", "127.0.0.1", origin.port, {
        proxy: { scheme: "http", address: "127.0.0.1", port: proxy.port, opts: { transportOpts: { localAddress: "192.0.2.1" } } },
      }),
      (err: unknown) => err instanceof TransportError && err.reason === "eaddrnotavail",
    );
  });

  test("a proxy that requires credentials answers 407 as a response; with credentials, 200", async () => {
    const p = await startProxy({ auth: { user: "u", password: "p" } });
    try {
      const conn = await connect("http", "127.0.0.1", origin.port, { proxy: { scheme: "http", address: "127.0.0.1", port: p.port } });
      try {
        const r = await get(conn, "/");
        assert.equal(r.status, 407);
        assert.equal(header(r.headers, "proxy-authenticate"), 'Basic realm="test"');
      } finally {
        await conn.close();
      }
      const ok = await connect("http", "127.0.0.1", origin.port, {
        proxyHeaders: [basicProxyAuth("u", "p")],
        proxy: { scheme: "http", address: "127.0.0.1", port: p.port },
      });
      try {
        assert.equal((await get(ok, "/")).status, 200);
      } finally {
        await ok.close();
      }
    } finally {
      await p.close();
    }
  });

  test("a refused proxy port: TransportError econnrefused", async () => {
    const p = await startProxy();
    await p.close();
    await assert.rejects(
      connect("http", "127.0.0.1", origin.port, { proxy: { scheme: "http", address: "127.0.0.1", port: p.port } }),
      (err: unknown) => err instanceof TransportError && err.reason === "econnrefused",
    );
  });

  test("bad proxy options are TypeErrors; bad proxy headers are refused before connecting", async () => {
    const proxyAt = { scheme: "http" as const, address: "127.0.0.1", port: proxy.port };
    await assert.rejects(connect("http", "127.0.0.1", origin.port, { proxy: { ...proxyAt, opts: { tunnelTimeout: -1 } } }), TypeError);
    await assert.rejects(connect("http", "127.0.0.1", origin.port, { proxy: { ...proxyAt, opts: { transportOpts: { ALPNProtocols: ["h2"] } } } }), TypeError);
    await assert.rejects(connect("http", "127.0.0.1", origin.port, { proxy: { ...proxyAt, opts: { bogus: 1 } as never } }), TypeError);
    await assert.rejects(connect("http", "127.0.0.1", origin.port, { proxy: { ...proxyAt, opts: { proxy: proxyAt } } }), TypeError);
    const before = proxy.seen.length;
    await assert.rejects(connect("http", "127.0.0.1", origin.port, { proxyHeaders: [["x-bad", "a\r\nb"]], proxy: proxyAt }), (err: unknown) =>
      err instanceof Error && (err as { reason?: string }).reason === "invalid_header_value");
    await assert.rejects(connect("http", "127.0.0.1", origin.port, { proxyHeaders: [["bad name", "v"]], proxy: proxyAt }), (err: unknown) =>
      err instanceof Error && (err as { reason?: string }).reason === "invalid_header_name");
    assert.equal(proxy.seen.length, before);
  });
});

describe("forward proxy over https (TLS to the proxy)", () => {
  let origin: Origin;
  let proxy: ProxyServer;
  before(async () => {
    origin = await startHTTPOrigin();
    proxy = await startProxy({ tls: certs.valid });
  });
  after(async () => {
    await proxy.close();
    await origin.close();
  });

  test("GET through a proxy verified with the proxy's trust store", async () => {
    const before = proxy.seen.length;
    const conn = await connect("http", "127.0.0.1", origin.port, {
      proxyHeaders: [["x-through", "tls"]],
      proxy: { scheme: "https", address: "127.0.0.1", port: proxy.port, opts: { transportOpts: { cacerts: [certs.rootCA.cert] } } },
    });
    try {
      assert.equal(conn.protocol, "http1");
      const { status, echo } = await get(conn, "/secure-hop");
      assert.equal(status, 200);
      assert.equal(proxy.seen[before]!.url, `http://127.0.0.1:${origin.port}/secure-hop`);
      assert.equal(header(proxy.seen[before]!.headers, "x-through"), "tls");
      assert.equal(echo!.authority, `127.0.0.1:${origin.port}`);
      assert.equal(typeof (conn.getSocket() as import("node:tls").TLSSocket).getPeerCertificate, "function");
    } finally {
      await conn.close();
    }
  });

  test("an untrusted proxy certificate fails with tls_alert, whatever the target's options say", async () => {
    await assert.rejects(
      connect("http", "127.0.0.1", origin.port, {
        transportOpts: { cacerts: [certs.rootCA.cert] },
        proxy: { scheme: "https", address: "127.0.0.1", port: proxy.port, opts: { transportOpts: { cacerts: [certs.selfSigned.cert] } } },
      }),
      (err: unknown) => err instanceof TransportError && err.reason === "tls_alert" && err.details?.alert === "unknown_ca",
    );
  });

  test("the proxy's hostname option is what its certificate is checked against", async () => {
    await assert.rejects(
      connect("http", "127.0.0.1", origin.port, {
        hostname: "localhost",
        proxy: { scheme: "https", address: "127.0.0.1", port: proxy.port, opts: { hostname: "other.test", transportOpts: { cacerts: [certs.rootCA.cert] } } },
      }),
      (err: unknown) => err instanceof TransportError && err.reason === "tls_alert" && err.details?.alert === "hostname_check_failed",
    );
  });
});
