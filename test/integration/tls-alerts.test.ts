// TLS failures through connect(), against real node:tls / node:https servers and a scripted
// raw server that answers the ClientHello with any alert record: each failure names its
// alert (RFC 8446 §6) and says what to do, with no OpenSSL text in the message, and every
// socket is released (counted with process.getActiveResourcesInfo()).

import assert from "node:assert/strict";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import { after, before, describe, test } from "node:test";
import { connect, TransportError, type Connection } from "../../src/index.js";
import { TLS_ALERTS } from "../../src/transport/tls-alerts.js";
import { testCerts } from "../support/certs.js";
import { watch } from "../support/fault-server.js";
import { describeResources, settleSockets, socketHandleCount } from "../support/handles.js";
import { startRawServer, type Running } from "../support/servers.js";

const certs = testCerts();
const root = [certs.rootCA.cert];

function assertClean(message: string): void {
  assert.doesNotMatch(message, /SSL routines|\.c:\d|:error:|0x[0-9a-f]|[0-9A-F]{8,}|ERR_SSL|SSL alert number/i, message);
}

async function rejection(p: Promise<Connection>): Promise<TransportError> {
  let conn: Connection | undefined;
  try {
    conn = await p;
  } catch (err) {
    assert.ok(err instanceof TransportError, `expected a TransportError, got ${String(err)}`);
    return err;
  }
  await conn.close();
  assert.fail("connect resolved");
}

/** Runs `fn` and checks the socket handles it opened were all released. */
async function releasing<T>(fn: () => Promise<T>): Promise<T> {
  const baseline = socketHandleCount();
  const out = await fn();
  const left = await settleSockets(baseline);
  assert.ok(left <= baseline, `socket handles: ${left} left, ${baseline} before (${describeResources()})`);
  return out;
}

async function serve(server: tls.Server | https.Server): Promise<Running> {
  server.on("tlsClientError", () => {});
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => {
      (server as http.Server).closeAllConnections?.();
      server.close(() => r());
    }),
  };
}

const valid = { cert: certs.valid.cert, key: certs.valid.key };

describe("every alert a server can send, from a scripted server", () => {
  let raw: Running;
  let alertToSend = 0;
  before(async () => {
    // Answers the first bytes (the ClientHello) with one fatal alert record (RFC 8446 §6:
    // content type 21, legacy version 3.3, length 2, level 2 = fatal, description).
    raw = await startRawServer((s) => s.once("data", () => s.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, alertToSend]))));
  });
  after(() => raw.close());

  for (const a of TLS_ALERTS) {
    test(`alert ${a.number} (${a.name})`, async () => {
      alertToSend = a.number;
      const err = await releasing(() => rejection(connect("https", "127.0.0.1", raw.port, { transportOpts: { cacerts: root } })));
      if (a.name === "close_notify") {
        // RFC 8446 §6.1: the end of the session before the handshake finished.
        assert.equal(err.reason, "closed", err.message);
        return;
      }
      assert.equal(err.reason, "tls_alert", err.message);
      assert.equal(err.details?.alert, a.name);
      assert.equal(err.details?.alertNumber, a.number);
      assert.equal(err.details?.code, a.code);
      assert.equal(err.details?.received, true);
      assert.ok(err.message.startsWith(`The server at 127.0.0.1:${raw.port} refused the TLS handshake: it ${a.says}`), err.message);
      assert.ok(err.message.endsWith(a.hint), err.message);
      assertClean(err.message);
    });
  }
});

describe("alerts and verification failures from real TLS servers", () => {
  test("ALPN refused (ALPNProtocols): no_application_protocol, naming what we offered", async () => {
    const s = await serve(https.createServer({ ...valid, ALPNProtocols: ["spdy/3"] }, (_q, r) => r.end()));
    try {
      const err = await releasing(() => rejection(connect("https", "127.0.0.1", s.port, { transportOpts: { cacerts: root } })));
      assert.equal(err.details?.alert, "no_application_protocol");
      assert.equal(err.details?.code, "ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL");
      assert.equal(err.message, `The server at 127.0.0.1:${s.port} refused the TLS handshake: it supports none of the application protocols we offered (h2, http/1.1). Check the server's ALPN configuration or force a protocol with \`protocols\`.`);
      assert.match(String((err.cause as Error).message), /SSL routines/, "OpenSSL's text is kept in cause");
    } finally {
      await s.close();
    }
  });

  test("ALPN refused (ALPNCallback) with only HTTP/2 offered", async () => {
    const s = await serve(tls.createServer({ ...valid, ALPNCallback: ({ protocols }) => (protocols.includes("http/1.1") ? "http/1.1" : undefined) }));
    try {
      const err = await releasing(() => rejection(connect("https", "127.0.0.1", s.port, { protocols: ["http2"], transportOpts: { cacerts: root } })));
      assert.equal(err.details?.alert, "no_application_protocol");
      assert.match(err.message, /we offered \(h2\)\. Check the server's ALPN configuration/);
    } finally {
      await s.close();
    }
  });

  test("no TLS version in common (server minVersion TLS 1.3): protocol_version", async () => {
    const s = await serve(https.createServer({ ...valid, minVersion: "TLSv1.3" }));
    try {
      const err = await releasing(() => rejection(connect("https", "localhost", s.port, { transportOpts: { cacerts: root, versions: ["tlsv1.2"] } })));
      assert.equal(err.details?.alert, "protocol_version");
      assert.match(err.message, /^The server at localhost:\d+ refused the TLS handshake: it supports no TLS version we offered\. .*`versions`/);
      assertClean(err.message);
    } finally {
      await s.close();
    }
  });

  test("no cipher in common (server TLS 1.2 with a CBC suite only): handshake_failure", async () => {
    const s = await serve(https.createServer({ ...valid, maxVersion: "TLSv1.2", ciphers: "ECDHE-ECDSA-AES128-SHA" }));
    try {
      const err = await releasing(() => rejection(connect("https", "localhost", s.port, { transportOpts: { cacerts: root } })));
      assert.equal(err.details?.alert, "handshake_failure");
      assert.equal(err.details?.alertNumber, 40);
      assert.match(err.message, /`ciphers`/);
      assertClean(err.message);
    } finally {
      await s.close();
    }
  });

  test("TLS 1.2 server requiring a client certificate: handshake_failure that mentions the certificate", async () => {
    const s = await serve(https.createServer({ ...valid, maxVersion: "TLSv1.2", requestCert: true, rejectUnauthorized: true, ca: root }));
    try {
      const err = await releasing(() => rejection(connect("https", "localhost", s.port, { transportOpts: { cacerts: root } })));
      assert.equal(err.details?.alert, "handshake_failure");
      assert.match(err.message, /client certificate/);
    } finally {
      await s.close();
    }
  });

  {
    const [what, extra, alert] = ["no client certificate", {}, "certificate_required"] as const;
    test(`TLS 1.3 server refusing ${what} after the handshake: ${alert}, on the connection`, async () => {
      // TLS 1.3 (RFC 8446 §4.4.2): the server checks the client certificate after the
      // client's Finished, so connect() resolves and the alert ends the connection. (A
      // certificate the server does not trust is refused by Node's server code closing the
      // socket, without an alert; the scripted server above covers unknown_ca.)
      const ca = root;
      const s = await serve(https.createServer({ ...valid, requestCert: true, rejectUnauthorized: true, ca }, (_q, r) => r.end("no")));
      try {
        await releasing(async () => {
          const conn = await connect("https", "localhost", s.port, { protocols: ["http1"], transportOpts: { cacerts: root, ...extra } });
          // No request is written first: bytes the server never reads would make its kernel
          // answer with a reset that can overtake the alert.
          const w = watch(conn);
          const err = await w.untilClosed();
          assert.ok(err instanceof TransportError, String(err));
          assert.equal(err.reason, "tls_alert");
          assert.equal(err.details?.alert, alert);
          assert.match(err.message, /^The server at localhost:\d+ ended the TLS session: it /);
          assertClean(err.message);
          assert.throws(() => conn.request("GET", "/", [], null), /closed/);
          await conn.close();
        });
      } finally {
        await s.close();
      }
    });
  }

  test("the client certificate accepted: the same server answers", async () => {
    const s = await serve(https.createServer({ ...valid, requestCert: true, rejectUnauthorized: true, ca: root }, (_q, r) => r.end("yes")));
    try {
      const conn = await connect("https", "localhost", s.port, { protocols: ["http1"], transportOpts: { cacerts: root, cert: certs.client.cert, key: certs.client.key } });
      const w = watch(conn);
      const ref = conn.request("GET", "/", [], null);
      await w.untilEnded([ref]);
      assert.equal(w.body(ref).toString(), "yes");
      await conn.close();
    } finally {
      await s.close();
    }
  });

  const verifyCases: Array<[string, tls.TlsOptions, string, Record<string, unknown>, string, string]> = [
    ["expired certificate", { cert: certs.expired.cert, key: certs.expired.key }, "localhost", {}, "certificate_expired", "CERT_HAS_EXPIRED"],
    ["certificate for another host", { cert: certs.otherHost.cert, key: certs.otherHost.key }, "localhost", {}, "hostname_check_failed", "ERR_TLS_CERT_ALTNAME_INVALID"],
    ["self-signed certificate", { cert: certs.selfSigned.cert, key: certs.selfSigned.key }, "localhost", {}, "unknown_ca", "DEPTH_ZERO_SELF_SIGNED_CERT"],
    ["chain longer than depth", { cert: certs.chained.cert, key: certs.chained.key }, "localhost", { depth: 0 }, "unknown_ca", "CERT_CHAIN_TOO_LONG"],
    ["verifyFun refusing", valid, "localhost", { verifyFun: () => new Error("pinned key differs") }, "bad_certificate", "ERR_TLS_VERIFY_FUN"],
    ["verifyFun throwing", valid, "localhost", { verifyFun: () => { throw new Error("boom"); } }, "bad_certificate", "ERR_TLS_VERIFY_FUN"],
  ];
  for (const [what, serverOpts, host, transportOpts, alert, code] of verifyCases) {
    test(`${what}: ${alert}, socket released`, async () => {
      const s = await serve(https.createServer(serverOpts));
      try {
        for (const protocols of [["http1", "http2"], ["http1"]] as const) {
          const err = await releasing(() => rejection(connect("https", host, s.port, { protocols: [...protocols], transportOpts: { cacerts: root, ...transportOpts } })));
          assert.equal(err.reason, "tls_alert");
          assert.equal(err.details?.alert, alert);
          assert.equal(err.details?.code, code);
          assertClean(err.message);
        }
      } finally {
        await s.close();
      }
    });
  }

  test("a plain HTTP server: protocol_version, the message says it is not TLS", async () => {
    const s = await (async () => {
      const server = http.createServer((_q, r) => r.end("plain"));
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
    })();
    try {
      const err = await releasing(() => rejection(connect("https", "127.0.0.1", s.port)));
      assert.equal(err.details?.alert, "protocol_version");
      assert.equal(err.details?.received, false);
      assert.match(err.message, /did not answer with TLS .*is it plain HTTP\? Use the http scheme/);
      assertClean(err.message);
    } finally {
      await s.close();
    }
  });

  test("passive mode: recv rejects with the alert that ended the session, and nothing leaks", async () => {
    const s = await serve(https.createServer({ ...valid, requestCert: true, rejectUnauthorized: true, ca: root }));
    try {
      await releasing(async () => {
        const conn = await connect("https", "localhost", s.port, { protocols: ["http1"], mode: "passive", transportOpts: { cacerts: root } });
        let err: unknown;
        try {
          for (;;) await conn.recv(0, 3000);
        } catch (e) {
          err = e;
        }
        assert.ok(err instanceof TransportError, String(err));
        assert.equal(err.details?.alert, "certificate_required");
        assert.throws(() => conn.request("GET", "/", [], null), /closed/);
        await conn.close();
      });
    } finally {
      await s.close();
    }
  });
});
