import assert from "node:assert/strict";
import { test } from "node:test";
import { checkIdentity, dnsNameMatches, ipBytes, parseAltNames } from "../../src/transport/hostname-check.js";

test("DNS names match case-insensitively, one trailing dot ignored", () => {
  assert.equal(dnsNameMatches("Example.COM", "example.com"), true);
  assert.equal(dnsNameMatches("example.com", "EXAMPLE.com."), true);
  assert.equal(dnsNameMatches("example.com.", "example.com"), true);
  assert.equal(dnsNameMatches("example.com", "example.org"), false);
  assert.equal(dnsNameMatches("example.com", "www.example.com"), false);
  assert.equal(dnsNameMatches("", "example.com"), false);
});

test("wildcard: whole left-most label, exactly one label", () => {
  assert.equal(dnsNameMatches("*.example.test", "a.example.test"), true);
  assert.equal(dnsNameMatches("*.EXAMPLE.test", "Www.example.TEST"), true);
  assert.equal(dnsNameMatches("*.example.test", "example.test"), false);
  assert.equal(dnsNameMatches("*.example.test", "a.b.example.test"), false);
  assert.equal(dnsNameMatches("*.example.test", ".example.test"), false);
  assert.equal(dnsNameMatches("*.example.test", "a.example.test.evil"), false);
});

test("wildcard: needs at least two labels after it", () => {
  assert.equal(dnsNameMatches("*.com", "example.com"), false);
  assert.equal(dnsNameMatches("*.test", "a.test"), false);
  assert.equal(dnsNameMatches("*", "localhost"), false);
  assert.equal(dnsNameMatches("*.", "a."), false);
});

test("no partial-label or inner wildcards", () => {
  assert.equal(dnsNameMatches("f*.example.test", "foo.example.test"), false);
  assert.equal(dnsNameMatches("*oo.example.test", "foo.example.test"), false);
  assert.equal(dnsNameMatches("w*w.example.test", "www.example.test"), false);
  assert.equal(dnsNameMatches("www.*.test", "www.example.test"), false);
  assert.equal(dnsNameMatches("*.*.test", "a.b.test"), false);
});

test("internationalized names compare in A-label form", () => {
  assert.equal(dnsNameMatches("xn--bcher-kva.example", "bücher.example"), true);
  assert.equal(dnsNameMatches("*.xn--bcher-kva.example", "a.bücher.example"), true);
});

test("ipBytes normalizes IPv4 and IPv6 forms", () => {
  assert.equal(ipBytes("127.0.0.1"), "7f000001");
  assert.equal(ipBytes("::1"), "00000000000000000000000000000001");
  assert.equal(ipBytes("[::1]"), ipBytes("0:0:0:0:0:0:0:1"));
  assert.equal(ipBytes("2001:DB8::1"), ipBytes("2001:db8:0:0:0:0:0:1"));
  assert.equal(ipBytes("::ffff:1.2.3.4"), "00000000000000000000ffff01020304");
  assert.equal(ipBytes("fe80::1%eth0"), ipBytes("fe80::1"));
  assert.equal(ipBytes("1::"), "00010000000000000000000000000000");
  assert.equal(ipBytes("localhost"), undefined);
  assert.equal(ipBytes("1.2.3"), undefined);
});

test("parseAltNames reads Node's subjectaltname string, quoted values included", () => {
  assert.deepEqual(parseAltNames("DNS:a.test, IP Address:127.0.0.1, DNS:b.test, IP Address:0:0:0:0:0:0:0:1, URI:http://x"), {
    dns: ["a.test", "b.test"], ip: ["127.0.0.1", "0:0:0:0:0:0:0:1"],
  });
  assert.deepEqual(parseAltNames('DNS:"evil.test, DNS:good.test", DNS:x.test').dns, ["evil.test, DNS:good.test", "x.test"]);
  assert.deepEqual(parseAltNames(undefined), { dns: [], ip: [] });
});

test("a quoted SAN holding a comma cannot smuggle a second name", () => {
  const cert = { subjectaltname: 'DNS:"evil.test, DNS:good.test"', subject: { CN: "x" } };
  assert.ok(checkIdentity("good.test", cert as never));
});

test("IP literals match only IP SANs; DNS names never match IP SANs", () => {
  const cert = { subjectaltname: "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1", subject: {} } as never;
  assert.equal(checkIdentity("127.0.0.1", cert), undefined);
  assert.equal(checkIdentity("::1", cert), undefined);
  assert.equal(checkIdentity("[::1]", cert), undefined);
  assert.equal(checkIdentity("localhost", cert), undefined);
  assert.deepEqual(checkIdentity("127.0.0.2", cert), { certNames: ["localhost", "127.0.0.1", "0:0:0:0:0:0:0:1"], why: "" });
  const dnsIp = { subjectaltname: "DNS:127.0.0.1", subject: {} } as never;
  assert.ok(checkIdentity("127.0.0.1", dnsIp), "an IP literal must not match a dNSName");
  const ipOnly = { subjectaltname: "IP Address:10.0.0.1", subject: {} } as never;
  assert.ok(checkIdentity("10.0.0.1.example", ipOnly));
});

test("no CN fallback", () => {
  const cert = { subjectaltname: undefined, subject: { CN: "localhost" } } as never;
  assert.deepEqual(checkIdentity("localhost", cert), { certNames: ["CN=localhost"], why: "the certificate has no subjectAltName (the subject CN is not used)" });
});
