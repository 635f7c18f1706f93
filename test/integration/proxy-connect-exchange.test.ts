// The CONNECT exchange without sockets: the request bytes, the reply read at any split,
// the bytes after a 2xx head kept for the tunnel, 1xx skipped, errors as HTTPError("proxy");
// and the Basic credentials helper.

import { test } from "node:test";
import assert from "node:assert/strict";
import { basicProxyAuth, HTTPError } from "../../src/index.js";
import { ConnectExchange, type ConnectReply } from "../../src/proxy/connect-exchange.js";

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));
const text = (chunks: Uint8Array[]): string => Buffer.concat(chunks).toString("latin1");

function exchange(headers: Array<[string, string]> = [], maxHeaderListSize = 256 * 1024): ConnectExchange {
  return new ConnectExchange({ scheme: "http", authority: "example.test:443", headers, maxHeaderListSize });
}

/** Feed `bytes` cut at `cuts`; the reply and the index of the piece that completed it. */
function feed(x: ConnectExchange, bytes: Uint8Array, cuts: number[]): { reply: ConnectReply | undefined; leftover: Uint8Array[] } {
  let reply: ConnectReply | undefined;
  const leftover: Uint8Array[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    const piece = bytes.subarray(from, to);
    from = to;
    if (reply !== undefined) leftover.push(piece);
    else if (piece.length > 0) reply = x.push(piece);
  }
  return { reply, leftover };
}

test("the CONNECT request: authority-form target, host = authority, proxy headers", () => {
  const x = exchange([["proxy-authorization", "Basic abc"], ["x-a", "1"]]);
  const req = text(x.takeOutgoing());
  assert.match(req, /^CONNECT example\.test:443 HTTP\/1\.1\r\nhost: example\.test:443\r\n/);
  assert.match(req, /\r\nproxy-authorization: Basic abc\r\nx-a: 1\r\n/);
  assert.ok(req.endsWith("\r\n\r\n"));
  assert.equal(x.takeOutgoing().length, 0);
});

test("a host given in the proxy headers replaces ours", () => {
  const req = text(exchange([["Host", "other:1"]]).takeOutgoing());
  assert.equal(req.match(/^host:/gim)?.length, 1);
  assert.match(req, /\r\nhost: other:1\r\n/i);
});

test("an IPv6 authority passes as it is", () => {
  const x = new ConnectExchange({ scheme: "http", authority: "[::1]:8443", headers: [], maxHeaderListSize: 1024 });
  assert.match(text(x.takeOutgoing()), /^CONNECT \[::1\]:8443 HTTP\/1\.1\r\nhost: \[::1\]:8443\r\n/);
});

test("a proxy header that cannot be sent is HTTPError proxy", () => {
  assert.throws(() => exchange([["x", "a\nb"]]), (e: unknown) => e instanceof HTTPError && e.protocol === "proxy" && e.reason === "invalid_header_value");
  assert.throws(() => exchange([["bad name", "v"]]), (e: unknown) => e instanceof HTTPError && e.protocol === "proxy" && e.reason === "invalid_header_name");
});

const TUNNEL = "\x16\x03\x01\x00\x05hello-tls";

test("a 2xx reply at every split point: same headers, the bytes after it kept", () => {
  const reply = `HTTP/1.1 200 Connection Established\r\nx-proxy: a\r\nVia: 1.1 p\r\n\r\n${TUNNEL}`;
  const bytes = enc(reply);
  for (let i = 1; i < bytes.length; i++) {
    const x = exchange();
    const { reply: r, leftover } = feed(x, bytes, [i]);
    assert.ok(r, `no reply for split ${i}`);
    assert.equal(r.status, 200);
    assert.equal(r.reason, "Connection Established");
    assert.deepEqual(r.headers, [["x-proxy", "a"], ["via", "1.1 p"]]);
    assert.equal(text([r.rest, ...leftover]), TUNNEL, `split ${i}`);
  }
});

test("HTTP/1.0 200 with no headers (tinyproxy) and a 2xx other than 200", () => {
  const a = exchange().push(enc("HTTP/1.0 200 Connection established\r\nProxy-agent: tinyproxy/1.11.1\r\n\r\n"));
  assert.equal(a?.status, 200);
  assert.deepEqual(a?.headers, [["proxy-agent", "tinyproxy/1.11.1"]]);
  assert.equal(a?.rest.length, 0);
  assert.equal(exchange().push(enc("HTTP/1.1 204 No Content\r\n\r\n"))?.status, 204);
});

test("a 2xx reply's framing headers are ignored: what follows the head is the tunnel", () => {
  for (const framing of ["content-length: 5", "transfer-encoding: chunked", "content-length: 0"]) {
    const r = exchange().push(enc(`HTTP/1.1 200 OK\r\n${framing}\r\n\r\n${TUNNEL}`));
    assert.equal(r?.status, 200);
    assert.equal(text([r!.rest]), TUNNEL, framing);
  }
});

test("interim 1xx replies are skipped", () => {
  const r = exchange().push(enc(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nx: 1\r\n\r\nHTTP/1.1 200 OK\r\nx-final: yes\r\n\r\n${TUNNEL}`));
  assert.equal(r?.status, 200);
  assert.deepEqual(r?.headers, [["x-final", "yes"]]);
  assert.equal(text([r!.rest]), TUNNEL);
});

test("non-2xx replies are returned at their head; a broken body does not hide them", () => {
  const r = exchange().push(enc('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="x"\r\ncontent-length: 100\r\n\r\npartial'));
  assert.equal(r?.status, 407);
  assert.equal(r?.reason, "Proxy Authentication Required");
  assert.deepEqual(r?.headers[0], ["proxy-authenticate", 'Basic realm="x"']);
  const broken = exchange().push(enc("HTTP/1.1 502 Bad Gateway\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n"));
  assert.equal(broken?.status, 502);
  assert.equal(exchange().push(enc("HTTP/1.1 101 Switching Protocols\r\nupgrade: x\r\n\r\n"))?.status, 101);
});

test("an incomplete head returns nothing yet", () => {
  const x = exchange();
  assert.equal(x.push(enc("HTTP/1.1 200 OK\r\nx: 1\r\n")), undefined);
  assert.equal(x.push(enc("\r")), undefined);
  assert.equal(x.push(enc("\n"))?.status, 200);
  assert.throws(() => x.push(enc("more")), TypeError);
});

test("a malformed reply is HTTPError proxy with the HTTP/1 reason", () => {
  const cases: Array<[string, string]> = [
    ["HTTP/1.1 2000 OK\r\n\r\n", "invalid_status_line"],
    ["garbage\r\n\r\n", "invalid_status_line"],
    ["HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "invalid_header"],
  ];
  for (const [reply, reason] of cases) {
    assert.throws(() => exchange().push(enc(reply)), (e: unknown) => e instanceof HTTPError && e.protocol === "proxy" && e.reason === reason, reply);
  }
});

test("the head is capped by maxHeaderListSize, even while incomplete", () => {
  const x = exchange([], 512);
  assert.throws(() => x.push(enc(`HTTP/1.1 200 OK\r\nx-big: ${"a".repeat(600)}`)), (e: unknown) =>
    e instanceof HTTPError && e.protocol === "proxy" && e.reason === "max_header_list_size_exceeded");
  const y = exchange([], 512);
  assert.equal(y.push(enc(`HTTP/1.1 200 OK\r\nx-small: ${"a".repeat(100)}\r\n\r\n`))?.status, 200);
});

test("basicProxyAuth builds a Basic proxy-authorization header (UTF-8, RFC 7617)", () => {
  assert.deepEqual(basicProxyAuth("Aladdin", "open sesame"), ["proxy-authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="]);
  assert.deepEqual(basicProxyAuth("test", "123£"), ["proxy-authorization", "Basic dGVzdDoxMjPCow=="]);
  assert.deepEqual(basicProxyAuth("u", "a:b"), ["proxy-authorization", `Basic ${Buffer.from("u:a:b").toString("base64")}`]);
  assert.throws(() => basicProxyAuth("a:b", "p"), TypeError);
  assert.throws(() => basicProxyAuth("a", "p\r\n"), TypeError);
  assert.throws(() => basicProxyAuth(1 as unknown as string, "p"), TypeError);
});
