// Interop with tinyproxy (Debian's package): the forward proxy for http targets, CONNECT
// tunnels for https targets with HTTP/2 and HTTP/1 inside, BasicAuth (407 then 200), and a
// CONNECT port tinyproxy refuses. tinyproxy answers CONNECT with "HTTP/1.0 200".
// Without the binary these tests fail under CI and are skipped (with the reason) otherwise.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { basicProxyAuth, connect, HTTPError, type Connection } from "../../src/index.js";
import { testCerts } from "../support/certs.js";
import { collectActive, header, responseOf } from "../support/collect.js";
import { startHTTPOrigin, startTLSOrigin, type Origin, type OriginEcho } from "../support/proxy-server.js";
import { interopBinary } from "./support/process.js";
import { startTinyproxy, type Tinyproxy } from "./support/tinyproxy.js";

const { bin, missing } = interopBinary("tinyproxy", "apt-get install tinyproxy");

async function get(conn: Connection, path: string) {
  const ref = conn.request("GET", path, [], null);
  const r = responseOf(await collectActive(conn, [ref]), ref);
  assert.equal(r.error, undefined);
  return { status: r.status, headers: r.headers, echo: r.status === 200 ? (JSON.parse(r.body.toString()) as OriginEcho) : undefined };
}

describe("tinyproxy", { skip: missing }, () => {
  const certs = testCerts();
  const trustRoot = { cacerts: [certs.rootCA.cert] };
  let httpOrigin: Origin;
  let tlsOrigin: Origin;
  let open: Tinyproxy;
  let authed: Tinyproxy;
  const auth = { user: "mint", password: "pa55word" };

  before(async () => {
    httpOrigin = await startHTTPOrigin();
    tlsOrigin = await startTLSOrigin(certs.valid);
    open = await startTinyproxy(bin!, { connectPorts: [tlsOrigin.port] });
    authed = await startTinyproxy(bin!, { connectPorts: [tlsOrigin.port], auth });
  });
  after(async () => {
    await open?.close();
    await authed?.close();
    await httpOrigin?.close();
    await tlsOrigin?.close();
  });

  test("http GET through the forward proxy reaches the origin with Host = origin", async () => {
    const conn = await connect("http", "127.0.0.1", httpOrigin.port, {
      proxy: { scheme: "http", address: "127.0.0.1", port: open.port },
    });
    try {
      assert.equal(conn.protocol, "http1");
      const { status, echo } = await get(conn, "/forward?x=1");
      assert.equal(status, 200, open.output());
      assert.equal(echo!.url, "/forward?x=1");
      assert.equal(echo!.authority, `127.0.0.1:${httpOrigin.port}`);
      assert.match(header(echo!.headers, "via") ?? "", /tinyproxy/);
      // tinyproxy closes the client connection after each response (without saying so).
    } finally {
      await conn.close();
    }
  });

  test("https GET through the tunnel negotiates HTTP/2 and verifies the origin", async () => {
    const conn = await connect("https", "localhost", tlsOrigin.port, {
      transportOpts: trustRoot,
      proxy: { scheme: "http", address: "127.0.0.1", port: open.port },
    });
    try {
      assert.equal(conn.protocol, "http2");
      const { status, echo } = await get(conn, "/h2");
      assert.equal(status, 200);
      assert.equal(echo!.httpVersion, "2.0");
      assert.equal(echo!.authority, `localhost:${tlsOrigin.port}`);
      assert.match(header(conn.getProxyHeaders(), "proxy-agent") ?? "", /tinyproxy/i);
    } finally {
      await conn.close();
    }
  });

  test("HTTP/1.1 inside the tunnel", async () => {
    const conn = await connect("https", "localhost", tlsOrigin.port, {
      protocols: ["http1"],
      transportOpts: trustRoot,
      proxy: { scheme: "http", address: "127.0.0.1", port: open.port },
    });
    try {
      assert.equal(conn.protocol, "http1");
      const { echo } = await get(conn, "/h1");
      assert.equal(echo!.httpVersion, "1.1");
      assert.equal(echo!.authority, `localhost:${tlsOrigin.port}`);
    } finally {
      await conn.close();
    }
  });

  test("an untrusted origin certificate fails inside the tunnel", async () => {
    await assert.rejects(
      connect("https", "localhost", tlsOrigin.port, {
        transportOpts: { cacerts: [certs.selfSigned.cert] },
        proxy: { scheme: "http", address: "127.0.0.1", port: open.port },
      }),
      (err: unknown) => err instanceof Error && (err as { reason?: string }).reason === "tls_alert",
    );
  });

  test("CONNECT to a port tinyproxy does not allow: unexpected_status 403", async () => {
    await assert.rejects(
      connect("https", "localhost", httpOrigin.port, {
        transportOpts: trustRoot,
        proxy: { scheme: "http", address: "127.0.0.1", port: open.port },
      }),
      (err: unknown) => err instanceof HTTPError && err.protocol === "proxy" && err.reason === "unexpected_status" && err.details?.status === 403,
    );
  });

  test("BasicAuth: CONNECT without credentials is 407, with them 200", async () => {
    const proxy = { scheme: "http" as const, address: "127.0.0.1", port: authed.port };
    await assert.rejects(
      connect("https", "localhost", tlsOrigin.port, { transportOpts: trustRoot, proxy }),
      (err: unknown) => err instanceof HTTPError && err.reason === "unexpected_status" && err.details?.status === 407,
    );
    const conn = await connect("https", "localhost", tlsOrigin.port, {
      transportOpts: trustRoot,
      proxyHeaders: [basicProxyAuth(auth.user, auth.password)],
      proxy,
    });
    try {
      assert.equal(conn.protocol, "http2");
      assert.equal((await get(conn, "/authed")).status, 200);
    } finally {
      await conn.close();
    }
  });

  test("BasicAuth: forward requests without credentials get 407, with them 200", async () => {
    const proxy = { scheme: "http" as const, address: "127.0.0.1", port: authed.port };
    const bare = await connect("http", "127.0.0.1", httpOrigin.port, { proxy });
    try {
      assert.equal((await get(bare, "/")).status, 407);
    } finally {
      await bare.close();
    }
    const conn = await connect("http", "127.0.0.1", httpOrigin.port, { proxy, proxyHeaders: [basicProxyAuth(auth.user, auth.password)] });
    try {
      const { status, echo } = await get(conn, "/authed");
      assert.equal(status, 200);
      assert.equal(echo!.authority, `127.0.0.1:${httpOrigin.port}`);
    } finally {
      await conn.close();
    }
  });
});
