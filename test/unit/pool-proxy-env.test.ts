// ProxyResolver: proxy URLs and the environment rules of undici's EnvHttpProxyAgent
// (HTTP_PROXY, HTTPS_PROXY, NO_PROXY and their lowercase forms).

import assert from "node:assert/strict";
import { test } from "node:test";
import { ProxyResolver } from "../../src/pool/proxy-env.js";
import type { PoolOrigin } from "../../src/pool/origin.js";

function origin(url: string): PoolOrigin {
  const u = new URL(url);
  const scheme = u.protocol === "https:" ? "https" : "http";
  const host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
  return { scheme, host, port: u.port === "" ? (scheme === "https" ? 443 : 80) : Number(u.port) };
}

/** "scheme://address:port" of the proxy chosen for `url`, or "direct". */
function via(r: ProxyResolver, url: string): string {
  const p = r.proxyFor(origin(url));
  return p === undefined ? "direct" : `${p.proxy.scheme}://${p.proxy.address.includes(":") ? `[${p.proxy.address}]` : p.proxy.address}:${p.proxy.port}`;
}

test("a proxy URL applies to every origin; the port defaults by scheme", () => {
  const r = new ProxyResolver("http://proxy.test:3128");
  assert.deepEqual(r.proxyFor(origin("https://example.com")), { proxy: { scheme: "http", address: "proxy.test", port: 3128 }, proxyHeaders: [] });
  assert.equal(via(r, "http://localhost:8080"), "http://proxy.test:3128");
  assert.equal(via(new ProxyResolver(new URL("https://secure-proxy.test")), "http://a.test"), "https://secure-proxy.test:443");
  assert.equal(via(new ProxyResolver("http://proxy.test"), "http://a.test"), "http://proxy.test:80");
  assert.equal(via(new ProxyResolver("http://[::1]:3128"), "http://a.test"), "http://[::1]:3128");
  assert.equal(new ProxyResolver("http://[::1]:3128").proxyFor(origin("http://a.test"))!.proxy.address, "::1");
});

test("userinfo becomes a percent-decoded Basic proxy-authorization header", () => {
  const r = new ProxyResolver("http://us%40er:p%3Ass%20w%C3%B6rd@proxy.test:3128");
  const p = r.proxyFor(origin("https://example.com"))!;
  assert.deepEqual(p.proxyHeaders, [["proxy-authorization", `Basic ${Buffer.from("us@er:p:ss wörd").toString("base64")}`]]);
  assert.equal(p.proxy.address, "proxy.test");
  // A user name alone.
  assert.deepEqual(new ProxyResolver("http://alice@proxy.test").proxyFor(origin("http://x.test"))!.proxyHeaders,
    [["proxy-authorization", `Basic ${Buffer.from("alice:").toString("base64")}`]]);
  // Each call hands out its own copy.
  p.proxyHeaders.length = 0;
  assert.equal(r.proxyFor(origin("https://example.com"))!.proxyHeaders.length, 1);
});

test("proxy URLs that are not http: or https:, or not URLs, are TypeErrors", () => {
  assert.throws(() => new ProxyResolver("socks5://proxy.test:1080"), TypeError);
  assert.throws(() => new ProxyResolver("http://"), TypeError);
  assert.throws(() => new ProxyResolver("env", { HTTP_PROXY: "ftp://proxy.test" }), /HTTP_PROXY must be an http: or https: URL/);
  assert.throws(() => new ProxyResolver("http://%zz@proxy.test"), /percent-encoded/);
});

test("env: http origins use HTTP_PROXY, https origins HTTPS_PROXY, falling back to HTTP_PROXY", () => {
  const both = new ProxyResolver("env", { HTTP_PROXY: "http://p1.test:1", HTTPS_PROXY: "http://p2.test:2" });
  assert.equal(via(both, "http://a.test"), "http://p1.test:1");
  assert.equal(via(both, "https://a.test"), "http://p2.test:2");
  const httpOnly = new ProxyResolver("env", { HTTP_PROXY: "http://p1.test:1" });
  assert.equal(via(httpOnly, "https://a.test"), "http://p1.test:1");
  const httpsOnly = new ProxyResolver("env", { HTTPS_PROXY: "https://p2.test:2" });
  assert.equal(via(httpsOnly, "http://a.test"), "direct", "HTTPS_PROXY is never used for http origins");
  assert.equal(via(httpsOnly, "https://a.test"), "https://p2.test:2");
  assert.equal(via(new ProxyResolver("env", {}), "https://a.test"), "direct");
});

test("env: the lowercase form wins over the uppercase one, even when empty", () => {
  const r = new ProxyResolver("env", { http_proxy: "http://lower.test:1", HTTP_PROXY: "http://upper.test:2", https_proxy: "http://lower-s.test:3", HTTPS_PROXY: "http://upper-s.test:4" });
  assert.equal(via(r, "http://a.test"), "http://lower.test:1");
  assert.equal(via(r, "https://a.test"), "http://lower-s.test:3");
  const emptyLower = new ProxyResolver("env", { http_proxy: "", HTTP_PROXY: "http://upper.test:2" });
  assert.equal(via(emptyLower, "http://a.test"), "direct");
  const noProxyLower = new ProxyResolver("env", { HTTP_PROXY: "http://p.test:1", no_proxy: "a.test", NO_PROXY: "b.test" });
  assert.equal(via(noProxyLower, "http://a.test"), "direct");
  assert.equal(via(noProxyLower, "http://b.test"), "http://p.test:1");
});

test("env: a proxy without a scheme is read as http://", () => {
  assert.equal(via(new ProxyResolver("env", { HTTP_PROXY: "proxy.internal:3128" }), "http://a.test"), "http://proxy.internal:3128");
});

test("env: NO_PROXY rules", () => {
  const P = "http://p.test:1";
  // [NO_PROXY value, origin, expected]
  const table: Array<[string, string, string]> = [
    ["", "http://a.test", P],
    ["*", "http://a.test", "direct"],
    ["*", "https://anything.example:8443", "direct"],
    ["a.test", "http://a.test", "direct"],
    ["a.test", "http://A.TEST", "direct"],
    ["A.Test", "http://a.test", "direct"],
    ["a.test", "http://sub.a.test", "direct"],
    ["a.test", "http://deep.sub.a.test", "direct"],
    ["a.test", "http://xa.test", P],
    ["a.test", "http://a.test.evil", P],
    [".a.test", "http://sub.a.test", "direct"],
    [".a.test", "http://a.test", "direct"],
    ["*.a.test", "http://sub.a.test", "direct"],
    ["*.a.test", "http://a.test", "direct"],
    ["a.test:8080", "http://a.test:8080", "direct"],
    ["a.test:8080", "http://a.test:8081", P],
    ["a.test:80", "http://a.test", "direct"],
    ["a.test:443", "https://a.test", "direct"],
    ["a.test:443", "http://a.test", P],
    ["127.0.0.1", "http://127.0.0.1:3000", "direct"],
    ["127.0.0.1", "http://127.0.0.2:3000", P],
    ["127.0.0.1:3000", "http://127.0.0.1:3000", "direct"],
    ["127.0.0.1:3000", "http://127.0.0.1:3001", P],
    ["[::1]", "http://[::1]:3000", "direct"],
    ["[::1]:3000", "http://[::1]:3000", "direct"],
    ["[::1]:3000", "http://[::1]:3001", P],
    ["::1", "http://[::1]:3000", "direct"],
    ["b.test,a.test", "http://a.test", "direct"],
    ["b.test, a.test", "http://a.test", "direct"],
    ["b.test a.test", "http://a.test", "direct"],
    ["b.test\ta.test\nc.test", "http://c.test", "direct"],
    [",,, ,", "http://a.test", P],
    ["b.test", "http://a.test", P],
    // "*" is only special as the whole value.
    ["*,b.test", "http://a.test", P],
    ["localhost", "http://localhost:9000", "direct"],
  ];
  for (const [noProxy, url, expected] of table) {
    const r = new ProxyResolver("env", { HTTP_PROXY: P, HTTPS_PROXY: P, NO_PROXY: noProxy });
    assert.equal(via(r, url), expected, `NO_PROXY=${JSON.stringify(noProxy)} for ${url}`);
  }
});

test("env: the variables are read once, at construction", () => {
  const env: Record<string, string | undefined> = { HTTP_PROXY: "http://p.test:1" };
  const r = new ProxyResolver("env", env);
  env.HTTP_PROXY = "http://other.test:2";
  env.NO_PROXY = "*";
  assert.equal(via(r, "http://a.test"), "http://p.test:1");
});

test("env: process.env is read when no table is given", () => {
  const saved = { ...process.env };
  try {
    for (const k of ["http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"]) delete process.env[k];
    process.env.HTTPS_PROXY = "http://from-process.test:9";
    assert.equal(via(new ProxyResolver("env"), "https://a.test"), "http://from-process.test:9");
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
});
