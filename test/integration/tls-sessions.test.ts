// TLS session resumption (reuseSessions) against HTTPS and HTTP/2 servers, TLS 1.2 and 1.3.

import assert from "node:assert/strict";
import { once } from "node:events";
import type { TLSSocket } from "node:tls";
import { after, before, beforeEach, describe, test } from "node:test";
import type { TransportOptions } from "../../src/transport/options.js";
import { sessionCache } from "../../src/transport/session-cache.js";
import { testCerts } from "../support/certs.js";
import { assertAlert, end, SERVER_KINDS, startServer, tlsTo, type TestServer } from "./tls-support.js";

const certs = testCerts();
const root = [certs.rootCA.cert];

/** Connects and waits until the connection's session is known (TLS 1.3 tickets come after the handshake). */
async function connectAndKeepSession(port: number, host: string, opts: TransportOptions): Promise<TLSSocket> {
  const s = await tlsTo(port, host, opts);
  s.resume(); // the ticket is processed when the socket is read
  if (s.getProtocol() === "TLSv1.3" && !s.isSessionReused()) await once(s, "session");
  return s;
}

for (const kind of SERVER_KINDS) {
  for (const version of ["tlsv1.3", "tlsv1.2"] as const) {
    describe(`session resumption (${kind}, ${version})`, () => {
      let server: TestServer;
      const base: TransportOptions = { cacerts: root, versions: [version] };
      before(async () => {
        server = await startServer(kind, { cert: certs.valid.cert, key: certs.valid.key });
      });
      after(() => server.close());
      beforeEach(() => sessionCache.clear());

      test("the second connection resumes the first one's session", async () => {
        const a = await connectAndKeepSession(server.port, "localhost", base);
        assert.equal(a.isSessionReused(), false);
        await end(a);
        const b = await tlsTo(server.port, "localhost", base);
        assert.equal(b.isSessionReused(), true);
        assert.equal(b.getProtocol(), version === "tlsv1.3" ? "TLSv1.3" : "TLSv1.2");
        assert.equal(b.alpnProtocol, kind === "h2" ? "h2" : "http/1.1");
        await end(b);
      });

      test("reuseSessions: false never resumes", async () => {
        const opts = { ...base, reuseSessions: false };
        const a = await tlsTo(server.port, "localhost", opts);
        a.resume();
        if (a.getProtocol() === "TLSv1.3") await once(a, "session");
        await end(a);
        const b = await tlsTo(server.port, "localhost", opts);
        assert.equal(b.isSessionReused(), false);
        await end(b);
        assert.equal(sessionCache.size, 0);
      });

      test("a session is not offered under another server name or trust store", async () => {
        await end(await connectAndKeepSession(server.port, "localhost", base));
        const other = await tlsTo(server.port, "127.0.0.1", base);
        assert.equal(other.isSessionReused(), false);
        await end(other);
        const otherStore = await tlsTo(server.port, "localhost", { ...base, cacerts: [...root, certs.intermediateCA.cert] });
        assert.equal(otherStore.isSessionReused(), false);
        await end(otherStore);
      });

      test("a resumed connection is still checked (verifyFun runs on the stored certificate)", async () => {
        await end(await connectAndKeepSession(server.port, "localhost", base));
        let seen: string | undefined;
        const b = await tlsTo(server.port, "localhost", { ...base, verifyFun: (_h, cert) => { seen = cert.subjectaltname; return undefined; } });
        assert.equal(b.isSessionReused(), true);
        assert.equal(seen, "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
        await end(b);
        await end(await connectAndKeepSession(server.port, "localhost", base));
        await assertAlert(tlsTo(server.port, "localhost", { ...base, verifyFun: () => new Error("no") }), "bad_certificate", "ERR_TLS_VERIFY_FUN", /refused by verifyFun: no/);
      });
    });
  }
}
