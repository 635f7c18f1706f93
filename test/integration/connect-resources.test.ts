// connect() and its sockets: every option that can be refused is refused before a socket
// opens, and every failure that can only happen once one is open destroys it.
//
// Refused options: one row per check. The target (and the proxy, for proxy rows) is a
// server that counts the connections it accepts, so a row fails if its check ran after a
// socket was opened (or not at all); the socket handle count (process.getActiveResourcesInfo)
// must be back to its baseline.
//
// Failures after the socket opens: one row per failure path, against a server that keeps its
// side open, so a row fails if that path did not destroy the client's socket (the handle
// count stays above the baseline).

import assert from "node:assert/strict";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import { after, before, describe, test } from "node:test";
import { connect, HTTPError, MintError, TransportError, type ConnectOptions, type Connection } from "../../src/index.js";
import { testCerts } from "../support/certs.js";
import { watch } from "../support/fault-server.js";
import { describeResources, settleSockets, socketHandleCount } from "../support/handles.js";
import { startRawServer, startScriptedServer, type Running } from "../support/servers.js";

const certs = testCerts();
const root = [certs.rootCA.cert];
const trust = { cacerts: root };
const valid = { cert: certs.valid.cert, key: certs.valid.key };

type Matcher = "TypeError" | ((e: unknown) => boolean);

function matches(e: unknown, m: Matcher): boolean {
  return m === "TypeError" ? e instanceof TypeError : m(e);
}

const reason = (r: string) => (e: unknown) => e instanceof MintError && e.reason === r;
const alert = (a: string) => (e: unknown) => e instanceof TransportError && e.reason === "tls_alert" && e.details?.alert === a;

async function assertReleased(baseline: number, what: string): Promise<void> {
  const left = await settleSockets(baseline);
  assert.ok(left <= baseline, `${what}: ${left} socket handles left, ${baseline} before (${describeResources()})`);
}

describe("options are refused before any socket opens", () => {
  let server: Running;
  let accepted = 0;
  before(async () => {
    server = await startRawServer(() => { accepted++; });
  });
  after(() => server.close());

  const proxy = (port: number, extra: Record<string, unknown> = {}) => ({ scheme: "http" as const, address: "127.0.0.1", port, ...extra });
  type Row = [what: string, run: (port: number) => Promise<unknown>, expect: Matcher];
  const http = (opts: unknown) => (port: number) => connect("http", "127.0.0.1", port, opts as ConnectOptions);
  const secure = (opts: unknown) => (port: number) => connect("https", "127.0.0.1", port, opts as ConnectOptions);
  const viaProxy = (scheme: "http" | "https", p: (port: number) => unknown, opts: Record<string, unknown> = {}) =>
    (port: number) => connect(scheme, "127.0.0.1", port, { ...opts, proxy: p(port) } as ConnectOptions);

  const rows: Row[] = [
    // connect's own arguments
    ["scheme", (port) => connect("ftp" as "http", "127.0.0.1", port), "TypeError"],
    ["address empty", (port) => connect("http", "", port), "TypeError"],
    ["address with CR LF", (port) => connect("http", "127.0.0.1\r\nx", port), "TypeError"],
    ["address with a space", (port) => connect("http", "127.0.0.1 ", port), "TypeError"],
    ["address with a path", (port) => connect("http", "127.0.0.1/x", port), "TypeError"],
    ["address with userinfo", (port) => connect("http", "u@127.0.0.1", port), "TypeError"],
    ["address with a port", (port) => connect("http", `127.0.0.1:${port}`, port), "TypeError"],
    ["address not a string or { path }", (port) => connect("http", 127 as unknown as string, port), "TypeError"],
    ["port as a string", (port) => connect("http", "127.0.0.1", String(port) as unknown as number), "TypeError"],
    ["port 0", () => connect("http", "127.0.0.1", 0), "TypeError"],
    ["port 65536", () => connect("http", "127.0.0.1", 65536), "TypeError"],
    ["port fractional", (port) => connect("http", "127.0.0.1", port + 0.5), "TypeError"],
    ["Unix path empty", () => connect("http", { path: "" }, 0, { hostname: "localhost" }), "TypeError"],
    ["Unix path with NUL", () => connect("http", { path: "/tmp/x\0y" }, 0, { hostname: "localhost" }), "TypeError"],
    ["Unix socket without hostname", () => connect("http", { path: "/tmp/none.sock" }, 0), "TypeError"],
    ["Unix socket with a proxy", (port) => connect("http", { path: "/tmp/none.sock" }, 0, { hostname: "localhost", proxy: proxy(port) }), "TypeError"],
    ["opts null", http(null), "TypeError"],
    ["unknown option", http({ hostnme: "x" }), "TypeError"],
    // hostname
    ["hostname empty", http({ hostname: "" }), "TypeError"],
    ["hostname not a string", http({ hostname: 1 }), "TypeError"],
    ["hostname with CR LF", http({ hostname: "a\r\nx-injected: 1" }), "TypeError"],
    ["hostname with NUL", http({ hostname: "a\0b" }), "TypeError"],
    ["hostname with a space", http({ hostname: "a b" }), "TypeError"],
    ["hostname with userinfo", http({ hostname: "user@host" }), "TypeError"],
    ["hostname with a port", http({ hostname: "host:80" }), "TypeError"],
    ["hostname with a path", http({ hostname: "host/p" }), "TypeError"],
    ["hostname in brackets, not IPv6", http({ hostname: "[host]" }), "TypeError"],
    // connection options
    ["mode", http({ mode: "sync" }), "TypeError"],
    ["protocols empty", http({ protocols: [] }), "TypeError"],
    ["protocols unknown", http({ protocols: ["http3"] }), "TypeError"],
    ["protocols not an array", http({ protocols: "http1" }), "TypeError"],
    ["log", http({ log: "yes" }), "TypeError"],
    ["maxHeaderListSize 0", http({ maxHeaderListSize: 0 }), "TypeError"],
    ["maxHeaderListSize fractional", http({ maxHeaderListSize: 1.5 }), "TypeError"],
    ["connectionWindowSize too small", http({ connectionWindowSize: 100 }), "TypeError"],
    ["connectionWindowSize too large", http({ connectionWindowSize: 2 ** 31 }), "TypeError"],
    ["receiveWindowUpdateThreshold", http({ receiveWindowUpdateThreshold: -1 }), "TypeError"],
    ["caseSensitiveHeaders", http({ caseSensitiveHeaders: "yes" }), "TypeError"],
    ["skipTargetValidation", http({ skipTargetValidation: 1 }), "TypeError"],
    ["optionalResponses not an array", http({ optionalResponses: "status_reason" }), "TypeError"],
    ["optionalResponses unknown", http({ optionalResponses: ["status_line"] }), "TypeError"],
    ["tunnelTimeout", http({ tunnelTimeout: "1" }), "TypeError"],
    ["proxyHeaders not an array", http({ proxyHeaders: "x" }), "TypeError"],
    ["proxyHeaders not pairs", http({ proxyHeaders: [["a"]] }), "TypeError"],
    // clientSettings (RFC 9113 §6.5.2), over h2c so the engine would be built at once
    ["clientSettings not an object", http({ protocols: ["http2"], clientSettings: 5 }), "TypeError"],
    ["clientSettings unknown", http({ protocols: ["http2"], clientSettings: { pushy: true } }), "TypeError"],
    ["clientSettings maxFrameSize", http({ protocols: ["http2"], clientSettings: { maxFrameSize: 100 } }), "TypeError"],
    ["clientSettings initialWindowSize", http({ protocols: ["http2"], clientSettings: { initialWindowSize: 2 ** 31 } }), "TypeError"],
    ["clientSettings enablePush", http({ protocols: ["http2"], clientSettings: { enablePush: 1 } }), "TypeError"],
    ["clientSettings headerTableSize", http({ protocols: ["http2"], clientSettings: { headerTableSize: -1 } }), "TypeError"],
    ["clientSettings enableConnectProtocol", http({ protocols: ["http2"], clientSettings: { enableConnectProtocol: true } }), "TypeError"],
    // transportOpts: shapes and ranges
    ["transportOpts not an object", http({ transportOpts: 5 }), "TypeError"],
    ...["alpnAdvertisedProtocols", "ALPNProtocols", "ALPNCallback", "mode", "active", "packet", "socket", "host", "port", "path"].map(
      (k): Row => [`transportOpts managed ${k}`, http({ transportOpts: { [k]: 1 } }), "TypeError"]),
    ...["ca", "rejectUnauthorized", "checkServerIdentity", "servername", "minVersion", "maxVersion", "secureProtocol", "session", "allowPartialTrustChain"].map(
      (k): Row => [`transportOpts ${k} (a Mint option says it)`, http({ transportOpts: { [k]: 1 } }), "TypeError"]),
    ["transportOpts timeout negative", http({ transportOpts: { timeout: -1 } }), "TypeError"],
    ["transportOpts timeout NaN", http({ transportOpts: { timeout: NaN } }), "TypeError"],
    ["transportOpts verify", http({ transportOpts: { verify: "none" } }), "TypeError"],
    ["transportOpts cacertfile empty", http({ transportOpts: { cacertfile: "" } }), "TypeError"],
    ["transportOpts cacerts not an array", http({ transportOpts: { cacerts: "pem" } }), "TypeError"],
    ["transportOpts cacerts entry", http({ transportOpts: { cacerts: [5] } }), "TypeError"],
    ["transportOpts ciphers empty", http({ transportOpts: { ciphers: "" } }), "TypeError"],
    ["transportOpts ciphers entry with a colon", http({ transportOpts: { ciphers: ["A:B"] } }), "TypeError"],
    ["transportOpts versions empty", http({ transportOpts: { versions: [] } }), "TypeError"],
    ["transportOpts versions unknown", http({ transportOpts: { versions: ["sslv3"] } }), "TypeError"],
    ["transportOpts depth", http({ transportOpts: { depth: -1 } }), "TypeError"],
    ...["partialChain", "reuseSessions", "secureRenegotiate", "inet6", "inet4", "keepAlive", "noDelay", "autoSelectFamily"].map(
      (k): Row => [`transportOpts ${k} not a boolean`, http({ transportOpts: { [k]: "yes" } }), "TypeError"]),
    ["transportOpts inet4 false without inet6", (port) => connect("http", "localhost", port, { transportOpts: { inet4: false } }), "TypeError"],
    ["transportOpts serverNameIndication", http({ transportOpts: { serverNameIndication: "" } }), "TypeError"],
    ["transportOpts verifyFun", http({ transportOpts: { verifyFun: "f" } }), "TypeError"],
    ["transportOpts localAddress", http({ transportOpts: { localAddress: "not-an-ip" } }), "TypeError"],
    ["transportOpts localPort", http({ transportOpts: { localPort: 70000 } }), "TypeError"],
    ["transportOpts family", http({ transportOpts: { family: 5 } }), "TypeError"],
    ["transportOpts lookup", http({ transportOpts: { lookup: "dns" } }), "TypeError"],
    ["transportOpts keepAliveInitialDelay", http({ transportOpts: { keepAliveInitialDelay: -5 } }), "TypeError"],
    // TLS settings OpenSSL must judge, checked before the socket too
    ["https: unknown cipher names", secure({ transportOpts: { ciphers: "NOPE-NOTHING" } }), "TypeError"],
    ["https: certificate that is not PEM", secure({ transportOpts: { cert: "garbage", key: certs.client.key } }), "TypeError"],
    ["https: key that is not PEM", secure({ transportOpts: { cert: certs.client.cert, key: "garbage" } }), "TypeError"],
    ["https: key of another certificate", secure({ transportOpts: { cert: certs.client.cert, key: certs.valid.key } }), "TypeError"],
    ["https: pfx that is not PKCS#12", secure({ transportOpts: { pfx: Buffer.from("xx") } }), "TypeError"],
    ["https: cacertfile missing", secure({ transportOpts: { cacertfile: "/nonexistent/ca.pem" } }), reason("options")],
    // proxy options
    ["proxy not an object", http({ proxy: 5 }), "TypeError"],
    ["proxy.scheme", viaProxy("http", (port) => proxy(port, { scheme: "ftp" })), "TypeError"],
    ["proxy.address empty", viaProxy("http", (port) => proxy(port, { address: "" })), "TypeError"],
    ["proxy.address with CR LF", viaProxy("http", (port) => proxy(port, { address: "127.0.0.1\r\nx" })), "TypeError"],
    ["proxy.port", viaProxy("http", () => proxy(0)), "TypeError"],
    ["proxy.opts not an object", viaProxy("http", (port) => proxy(port, { opts: 5 })), "TypeError"],
    ["proxy.opts unknown option", viaProxy("http", (port) => proxy(port, { opts: { nope: 1 } })), "TypeError"],
    ["proxy.opts.proxy (nested)", viaProxy("http", (port) => proxy(port, { opts: { proxy: proxy(port) } })), "TypeError"],
    ["proxy.opts.tunnelTimeout", viaProxy("https", (port) => proxy(port, { opts: { tunnelTimeout: -1 } })), "TypeError"],
    ["proxy.opts.hostname", viaProxy("https", (port) => proxy(port, { scheme: "https", opts: { hostname: "a b" } })), "TypeError"],
    ["proxy.opts.transportOpts", viaProxy("http", (port) => proxy(port, { opts: { transportOpts: { verify: 1 } } })), "TypeError"],
    ["proxy.opts.transportOpts ciphers (https proxy)", viaProxy("http", (port) => proxy(port, { scheme: "https", opts: { transportOpts: { ciphers: "NOPE-NOTHING" } } })), "TypeError"],
    ["tunnel target transportOpts ciphers", viaProxy("https", (port) => proxy(port), { transportOpts: { ciphers: "NOPE-NOTHING" } }), "TypeError"],
    ["tunnel target certificate", viaProxy("https", (port) => proxy(port), { transportOpts: { cert: "garbage", key: "garbage" } }), "TypeError"],
    ["proxyHeaders name (RFC 9110 §5.1)", viaProxy("https", (port) => proxy(port), { proxyHeaders: [["bad name", "v"]] }), reason("invalid_header_name")],
    ["proxyHeaders value (RFC 9110 §5.5)", viaProxy("http", (port) => proxy(port), { proxyHeaders: [["x", "a\r\nb"]] }), reason("invalid_header_value")],
  ];

  for (const [what, run, expect] of rows) {
    test(what, async () => {
      const before = accepted;
      const baseline = socketHandleCount();
      let caught: unknown;
      let conn: Connection | undefined;
      try {
        conn = (await run(server.port)) as Connection;
      } catch (err) {
        caught = err;
      }
      if (conn) await conn.close();
      assert.ok(matches(caught, expect), `${what}: got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
      if (caught instanceof Error) assert.doesNotMatch(caught.message, /SSL routines|:error:/, "no OpenSSL text in the message");
      await new Promise((r) => setTimeout(r, 20)); // a connection would have been accepted by now
      assert.equal(accepted, before, `${what}: a socket was opened before the option was refused`);
      await assertReleased(baseline, what);
    });
  }
});

describe("failures after the socket opens destroy it", () => {
  type Row = {
    what: string;
    /** Starts the servers; returns what `run` needs and a close function. */
    setup: () => Promise<{ port: number; proxyPort?: number; close: () => Promise<void> }>;
    run: (s: { port: number; proxyPort?: number }) => Promise<Connection>;
    expect: (e: unknown) => boolean;
  };

  const httpsServer = async (opts: tls.TlsOptions) => {
    const server = https.createServer(opts, (_q, r) => r.end("ok"));
    server.on("tlsClientError", () => {});
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
  };
  const tlsServer = async (opts: tls.TlsOptions) => {
    const server = tls.createServer(opts, (s) => s.on("error", () => {}));
    server.on("tlsClientError", () => {});
    const sockets = new Set<tls.TLSSocket>();
    server.on("secureConnection", (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) };
  };
  /** A raw server that answers the first bytes with `reply` and keeps its side open. */
  const answering = async (reply: Uint8Array | string | undefined) => startRawServer((s) => s.once("data", () => { if (reply !== undefined) s.write(reply); }));
  const fatalAlert = (n: number) => Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, n]);
  /** A scripted proxy answering CONNECT with `reply` and keeping the socket open. */
  const scriptedProxy = async (reply: string | Uint8Array | undefined) => {
    const target = await startRawServer(() => {});
    const proxy = await startScriptedServer(reply === undefined ? [] : [reply]);
    return { port: target.port, proxyPort: proxy.port, close: async () => { await proxy.close(); await target.close(); } };
  };
  const tunnel = (s: { port: number; proxyPort?: number }, proxyOpts: { tunnelTimeout?: number } = {}) =>
    connect("https", "localhost", s.port, { transportOpts: trust, proxy: { scheme: "http", address: "127.0.0.1", port: s.proxyPort!, opts: proxyOpts } });

  const rows: Row[] = [
    { what: "TLS: expired certificate", setup: () => httpsServer({ cert: certs.expired.cert, key: certs.expired.key }),
      run: (s) => connect("https", "localhost", s.port, { transportOpts: trust }), expect: alert("certificate_expired") },
    { what: "TLS: certificate for another host", setup: () => httpsServer({ cert: certs.otherHost.cert, key: certs.otherHost.key }),
      run: (s) => connect("https", "localhost", s.port, { transportOpts: trust }), expect: alert("hostname_check_failed") },
    { what: "TLS: chain deeper than depth", setup: () => httpsServer({ cert: certs.chained.cert, key: certs.chained.key }),
      run: (s) => connect("https", "localhost", s.port, { transportOpts: { ...trust, depth: 0 } }), expect: alert("unknown_ca") },
    { what: "TLS: verifyFun refuses", setup: () => httpsServer(valid),
      run: (s) => connect("https", "localhost", s.port, { transportOpts: { ...trust, verifyFun: () => new Error("no") } }), expect: alert("bad_certificate") },
    { what: "TLS: verifyFun throws", setup: () => httpsServer(valid),
      run: (s) => connect("https", "localhost", s.port, { transportOpts: { ...trust, verifyFun: () => { throw new Error("boom"); } } }), expect: alert("bad_certificate") },
    { what: "TLS: the server sends a fatal alert and keeps the socket open", setup: () => answering(fatalAlert(40)),
      run: (s) => connect("https", "127.0.0.1", s.port, { transportOpts: trust }), expect: alert("handshake_failure") },
    { what: "TLS: the handshake never finishes (connect timeout)", setup: () => answering(undefined),
      run: (s) => connect("https", "127.0.0.1", s.port, { transportOpts: { ...trust, timeout: 150 } }), expect: reason("timeout") },
    { what: "TLS: a plain-text answer", setup: () => answering("HTTP/1.1 400 Bad Request\r\n\r\n"),
      run: (s) => connect("https", "127.0.0.1", s.port, { transportOpts: trust }), expect: alert("protocol_version") },
    { what: "ALPN: server refuses our offer (no_application_protocol)", setup: () => httpsServer({ ...valid, ALPNProtocols: ["spdy/3"] }),
      run: (s) => connect("https", "localhost", s.port, { transportOpts: trust }), expect: alert("no_application_protocol") },
    { what: "ALPN: HTTP/2 alone asked, server negotiates nothing (protocol_not_negotiated)", setup: () => tlsServer(valid),
      run: (s) => connect("https", "localhost", s.port, { protocols: ["http2"], transportOpts: trust }), expect: reason("protocol_not_negotiated") },
    { what: "proxy: CONNECT answered 407", setup: () => scriptedProxy("HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n"),
      run: (s) => tunnel(s), expect: (e) => e instanceof HTTPError && e.reason === "unexpected_status" && e.details?.status === 407 },
    { what: "proxy: CONNECT answered 502 with a body", setup: () => scriptedProxy("HTTP/1.1 502 Bad Gateway\r\ncontent-length: 5\r\n\r\nnope!"),
      run: (s) => tunnel(s), expect: (e) => e instanceof HTTPError && e.reason === "unexpected_status" && e.details?.status === 502 },
    { what: "proxy: malformed CONNECT reply", setup: () => scriptedProxy("HTTP/1.1 two hundred\r\n\r\n"),
      run: (s) => tunnel(s), expect: reason("invalid_status_line") },
    { what: "proxy: no CONNECT reply (tunnel timeout)", setup: () => scriptedProxy(undefined),
      run: (s) => tunnel(s, { tunnelTimeout: 150 }), expect: reason("tunnel_timeout") },
    { what: "tunnel: the target's TLS fails inside the tunnel", setup: () => scriptedProxy(Buffer.concat([Buffer.from("HTTP/1.1 200 OK\r\n\r\n"), fatalAlert(112)])),
      run: (s) => tunnel(s), expect: alert("unrecognized_name") },
    { what: "https proxy: the proxy's certificate is refused", setup: async () => {
        const p = await httpsServer({ cert: certs.selfSigned.cert, key: certs.selfSigned.key });
        return { port: 443, proxyPort: p.port, close: p.close };
      },
      run: (s) => connect("http", "origin.test", s.port, { proxy: { scheme: "https", address: "127.0.0.1", port: s.proxyPort!, opts: { transportOpts: trust } } }),
      expect: alert("unknown_ca") },
    { what: "https proxy for a tunnel: the proxy's host name does not match", setup: async () => {
        const p = await httpsServer(valid);
        return { port: 443, proxyPort: p.port, close: p.close };
      },
      run: (s) => connect("https", "origin.test", s.port, { proxy: { scheme: "https", address: "127.0.0.1", port: s.proxyPort!, opts: { hostname: "proxy.test", transportOpts: trust } } }),
      expect: alert("hostname_check_failed") },
  ];

  let quiet = 0;
  before(() => {
    quiet = socketHandleCount();
  });

  for (const row of rows) {
    test(row.what, async () => {
      // What an earlier row left (its servers are closed now) must not hide this row's leak.
      await settleSockets(quiet);
      const s = await row.setup();
      try {
        const baseline = socketHandleCount();
        let caught: unknown;
        try {
          const conn = await row.run(s);
          await conn.close();
        } catch (err) {
          caught = err;
        }
        assert.ok(row.expect(caught), `${row.what}: got ${caught instanceof Error ? `${(caught as MintError).reason ?? caught.name}: ${caught.message}` : String(caught)}`);
        await assertReleased(baseline, row.what);
      } finally {
        await s.close();
      }
    });
  }

  test("h2c: a server answering the preface with HTTP/1 ends the connection and its socket", async () => {
    const server = await startScriptedServer(["HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"]);
    try {
      const baseline = socketHandleCount();
      const conn = await connect("http", "127.0.0.1", server.port, { protocols: ["http2"] });
      const w = watch(conn);
      const err = await w.untilClosed();
      assert.ok(err instanceof HTTPError, String(err));
      await assertReleased(baseline, "h2c preface failure");
      await conn.close();
    } finally {
      await server.close();
    }
  });

  test("connection refused and a missing Unix socket leave nothing behind", async () => {
    const gone = await startRawServer(() => {});
    const port = gone.port;
    await gone.close();
    const baseline = socketHandleCount();
    await assert.rejects(connect("http", "127.0.0.1", port), reason("econnrefused"));
    await assert.rejects(connect("http", { path: "/nonexistent/mint.sock" }, 0, { hostname: "localhost" }), reason("enoent"));
    await assertReleased(baseline, "refused");
  });
});
