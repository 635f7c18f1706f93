// ConnectOptions checks that run before any socket opens: host syntax (RFC 3986 §3.2.2) for
// `hostname`, the address and `proxy.address`, HTTP/2 clientSettings (RFC 9113 §6.5.2), the
// boolean options, and the plain net options of transportOpts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkHost, validateConnectOptions } from "../../src/options.js";
import { validateTransportOptions } from "../../src/transport/options.js";

test("checkHost accepts host names and IP literals", () => {
  for (const h of ["example.com", "localhost", "localhost.", "a-b_c~d.test", "xn--bcher-kva.example", "bücher.example", "127.0.0.1",
    "::1", "[::1]", "2001:db8::1", "[2001:db8::1]", "fe80::1%eth0", "::ffff:1.2.3.4", "a%20b"]) {
    assert.doesNotThrow(() => checkHost(h, "host"), h);
  }
});

test("checkHost refuses what would break the authority, the Host header or SNI", () => {
  for (const h of ["", " ", "a b", "a\tb", "a\r\nb", "a\nb", "a\0b", "a\x7fb", "a\x85b", "host:80", "user@host", "host/path", "host?q", "host#f",
    "a\\b", "[host]", "[::1", "::1]", "[:]", ":", "1:2", "h<", "h>", 'h"', "h{", "h|", "h^", "h`"]) {
    assert.throws(() => checkHost(h, "host"), TypeError, JSON.stringify(h));
  }
});

test("validateConnectOptions checks hostname, proxy.address, clientSettings, booleans and tunnelTimeout", () => {
  const bad: unknown[] = [
    { hostname: "a\r\nb" }, { hostname: "h:1" },
    { proxy: { scheme: "http", address: "p roxy", port: 1 } },
    { clientSettings: { maxFrameSize: 1 } }, { clientSettings: { nope: 1 } }, { clientSettings: null },
    { clientSettings: { enableConnectProtocol: true } },
    { caseSensitiveHeaders: "true" }, { skipTargetValidation: 0 },
    { tunnelTimeout: -1 }, { tunnelTimeout: "5" },
  ];
  for (const o of bad) assert.throws(() => validateConnectOptions(o as never), TypeError, JSON.stringify(o));
  assert.match(String((() => { try { validateConnectOptions({ clientSettings: { maxFrameSize: 1 } }); } catch (e) { return (e as Error).message; } })()),
    /^option clientSettings: HTTP\/2 setting maxFrameSize/);
  for (const o of [{ hostname: "[::1]" }, { clientSettings: { maxFrameSize: 16384, enablePush: false } }, { caseSensitiveHeaders: true },
    { tunnelTimeout: Infinity }, { proxy: { scheme: "http", address: "[::1]", port: 3128 } }]) {
    assert.doesNotThrow(() => validateConnectOptions(o as never), JSON.stringify(o));
  }
});

test("validateTransportOptions checks the plain net options and the address families", () => {
  const bad = [
    { localAddress: "nope" }, { localAddress: 1 }, { localPort: -1 }, { localPort: 65536 }, { localPort: 1.5 }, { family: 5 },
    { lookup: "x" }, { keepAlive: "yes" }, { noDelay: 1 }, { autoSelectFamily: "no" }, { keepAliveInitialDelay: -1 },
    { autoSelectFamilyAttemptTimeout: NaN }, { inet4: false }, { inet4: false, inet6: false },
  ];
  for (const o of bad) assert.throws(() => validateTransportOptions(o), TypeError, JSON.stringify(o));
  for (const o of [{ localAddress: "::1", localPort: 0, family: 6, lookup: () => {}, keepAlive: true, keepAliveInitialDelay: 100 }, { inet4: false, inet6: true }]) {
    assert.doesNotThrow(() => validateTransportOptions(o), JSON.stringify(o));
  }
});
