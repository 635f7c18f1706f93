// Happy Eyeballs v2 (RFC 8305) in the pool's dial, with an injected resolver and connect:
// family interleaving, the 250 ms Connection Attempt Delay, the 50 ms Resolution Delay,
// losers aborted or closed, failures gathered, the abort signal, and the direct cases.

import assert from "node:assert/strict";
import { test } from "node:test";
import { dialWith, type ConnectAttempt, type LookupFamily } from "../../src/pool/dial.js";
import type { PoolOrigin } from "../../src/pool/origin.js";
import { TransportError, type Connection, type ConnectOptions } from "../../src/index.js";

const origin: PoolOrigin = { scheme: "https", host: "example.test", port: 8443 };

interface FakeConn {
  address: string;
  closed: boolean;
  close(): Promise<void>;
}

interface Attempt {
  address: string;
  opts: ConnectOptions;
  signal: AbortSignal;
  at: number;
  succeed(): void;
  fail(err: unknown): void;
  conn: FakeConn;
}

/** A connect that records each attempt and lets the test decide when and how it ends. */
function fakeConnect(script: (a: Attempt) => void = () => {}): { connect: ConnectAttempt; attempts: Attempt[] } {
  const attempts: Attempt[] = [];
  const t0 = Date.now();
  const connect: ConnectAttempt = (_scheme, address, _port, opts, signal) =>
    new Promise((resolve, reject) => {
      const conn: FakeConn = { address, closed: false, close: async () => void (conn.closed = true) };
      const a: Attempt = {
        address, opts, signal, at: Date.now() - t0, conn,
        succeed: () => resolve(conn as unknown as Connection),
        fail: reject,
      };
      attempts.push(a);
      script(a);
    });
  return { connect, attempts };
}

/** A resolver answering from a table, each family after its own delay (ms). */
function fakeLookup(table: { 6?: string[] | Error; 4?: string[] | Error }, delay: { 6?: number; 4?: number } = {}): LookupFamily & { calls: number } {
  const fn = ((_host: string, family: 4 | 6) => {
    fn.calls++;
    return new Promise<string[]>((resolve, reject) => {
      setTimeout(() => {
        const v = table[family] ?? [];
        if (v instanceof Error) reject(v);
        else resolve(v);
      }, delay[family] ?? 0);
    });
  }) as LookupFamily & { calls: number };
  fn.calls = 0;
  return fn;
}

const refused = (address: string): TransportError =>
  new TransportError("econnrefused", `${address}:8443: connection refused`, { code: "ECONNREFUSED" });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test("an IPv6 address that never answers: the IPv4 attempt starts 250 ms later and wins; the IPv6 one is aborted", async () => {
  const { connect, attempts } = fakeConnect((a) => {
    if (a.address === "192.0.2.10") a.succeed();
  });
  const t0 = Date.now();
  const conn = (await dialWith({ connect, lookup: fakeLookup({ 6: ["2001:db8::10"], 4: ["192.0.2.10"] }) }, origin, {})) as unknown as FakeConn;
  const elapsed = Date.now() - t0;
  assert.equal(conn.address, "192.0.2.10");
  assert.deepEqual(attempts.map((a) => a.address), ["2001:db8::10", "192.0.2.10"]);
  assert.ok(elapsed >= 240 && elapsed < 700, `the IPv4 attempt won after ${elapsed} ms, expected about 250`);
  assert.ok(attempts[1]!.at - attempts[0]!.at >= 240, "the second attempt waited the Connection Attempt Delay");
  assert.equal(attempts[0]!.signal.aborted, true, "the losing attempt is aborted");
  assert.equal(attempts[1]!.signal.aborted, false);
  // Host, SNI and verification use the name, not the address.
  for (const a of attempts) assert.equal(a.opts.hostname, "example.test");
});

test("a loser that connects after the winner is closed", async () => {
  const { connect, attempts } = fakeConnect((a) => {
    if (a.address === "192.0.2.10") a.succeed();
    else setTimeout(a.succeed, 400);
  });
  const conn = (await dialWith({ connect, lookup: fakeLookup({ 6: ["2001:db8::10"], 4: ["192.0.2.10"] }) }, origin, {})) as unknown as FakeConn;
  assert.equal(conn.address, "192.0.2.10");
  await sleep(250);
  assert.equal(attempts[0]!.conn.closed, true, "the late IPv6 connection was closed");
  assert.equal(conn.closed, false, "the winner stays open");
});

test("IPv6 answers first and connects: it wins alone, no IPv4 attempt is made", async () => {
  const { connect, attempts } = fakeConnect((a) => a.succeed());
  const conn = (await dialWith({ connect, lookup: fakeLookup({ 6: ["2001:db8::10"], 4: ["192.0.2.10"] }) }, origin, {})) as unknown as FakeConn;
  assert.equal(conn.address, "2001:db8::10");
  await sleep(300);
  assert.deepEqual(attempts.map((a) => a.address), ["2001:db8::10"], "no attempt after the win (the attempt timer was cleared)");
});

test("a failed attempt does not wait out the delay: the next address is tried at once", async () => {
  const { connect, attempts } = fakeConnect((a) => {
    if (a.address === "2001:db8::10") a.fail(refused(a.address));
    else a.succeed();
  });
  const t0 = Date.now();
  const conn = (await dialWith({ connect, lookup: fakeLookup({ 6: ["2001:db8::10"], 4: ["192.0.2.10"] }) }, origin, {})) as unknown as FakeConn;
  assert.equal(conn.address, "192.0.2.10");
  assert.ok(Date.now() - t0 < 150, `took ${Date.now() - t0} ms`);
  assert.equal(attempts.length, 2);
});

test("addresses alternate families starting with IPv6 (RFC 8305 §4)", async () => {
  const { connect, attempts } = fakeConnect(() => {});
  const ac = new AbortController();
  const lookup = fakeLookup({ 6: ["2001:db8::1", "2001:db8::2", "2001:db8::3"], 4: ["192.0.2.1", "192.0.2.2"] });
  const dialing = dialWith({ connect, lookup, delays: { attempt: 10 } }, origin, {}, ac.signal);
  await sleep(150);
  assert.deepEqual(attempts.map((a) => a.address), ["2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2", "2001:db8::3"]);
  ac.abort(new Error("enough"));
  await assert.rejects(dialing, (e: unknown) => e instanceof TransportError && e.reason === "aborted");
  assert.ok(attempts.every((a) => a.signal.aborted), "every running attempt is aborted");
});

test("A answers first: the Resolution Delay (50 ms) waits for a prompt AAAA, which then goes first", async () => {
  const { connect, attempts } = fakeConnect((a) => a.succeed());
  const conn = (await dialWith({ connect, lookup: fakeLookup({ 6: ["2001:db8::10"], 4: ["192.0.2.10"] }, { 6: 20, 4: 0 }) }, origin, {})) as unknown as FakeConn;
  assert.equal(conn.address, "2001:db8::10");
  assert.equal(attempts.length, 1);
});

test("A answers first and AAAA is late: IPv4 starts after the Resolution Delay, AAAA joins when it comes", async () => {
  const { connect, attempts } = fakeConnect((a) => {
    if (a.address === "2001:db8::10") a.succeed();
  });
  const t0 = Date.now();
  const conn = (await dialWith({ connect, lookup: fakeLookup({ 6: ["2001:db8::10"], 4: ["192.0.2.10"] }, { 6: 150, 4: 0 }) }, origin, {})) as unknown as FakeConn;
  assert.deepEqual(attempts.map((a) => a.address), ["192.0.2.10", "2001:db8::10"]);
  assert.ok(attempts[0]!.at >= 40 && attempts[0]!.at < 140, `IPv4 started at ${attempts[0]!.at} ms, expected about 50`);
  assert.equal(conn.address, "2001:db8::10");
  assert.ok(Date.now() - t0 >= 140, "the IPv6 attempt started only when AAAA answered");
  assert.equal(attempts[0]!.signal.aborted, true);
});

test("no AAAA record: IPv4 alone; AAAA failing does not fail the dial", async () => {
  const { connect, attempts } = fakeConnect((a) => a.succeed());
  const err = Object.assign(new Error("queryAaaa ESERVFAIL"), { code: "ESERVFAIL" });
  const conn = (await dialWith({ connect, lookup: fakeLookup({ 6: err, 4: ["192.0.2.10"] }) }, origin, {})) as unknown as FakeConn;
  assert.equal(conn.address, "192.0.2.10");
  assert.equal(attempts.length, 1);
});

test("every address fails: the reached address's error is chosen, every attempt listed", async () => {
  const tls = new TransportError("tls_alert", "certificate for other.test does not match example.test", { alert: "hostname_check_failed" });
  const { connect } = fakeConnect((a) => a.fail(a.address === "192.0.2.10" ? tls : refused(a.address)));
  const lookup = fakeLookup({ 6: ["2001:db8::10"], 4: ["192.0.2.10", "192.0.2.11"] });
  const t0 = Date.now();
  await assert.rejects(dialWith({ connect, lookup }, origin, {}), (e: unknown) => {
    assert.ok(e instanceof TransportError);
    assert.equal(e.reason, "tls_alert");
    assert.equal(e.details?.alert, "hostname_check_failed");
    const attempts = e.details?.attempts as Array<{ address: string; error: TransportError }>;
    assert.deepEqual(attempts.map((a) => [a.address, a.error.reason]), [
      ["2001:db8::10", "econnrefused"], ["192.0.2.10", "tls_alert"], ["192.0.2.11", "econnrefused"],
    ]);
    assert.equal(e.cause, tls);
    assert.match(e.message, /tried 3 addresses of example\.test:8443: 2001:db8::10 \(econnrefused\), 192\.0\.2\.10 \(tls_alert\)/);
    return true;
  });
  assert.ok(Date.now() - t0 < 150, "failures chain without waiting");
});

test("every address refused: the first error, with the others attached", async () => {
  const { connect } = fakeConnect((a) => a.fail(refused(a.address)));
  await assert.rejects(dialWith({ connect, lookup: fakeLookup({ 6: ["2001:db8::10"], 4: ["192.0.2.10"] }) }, origin, {}), (e: unknown) => {
    assert.ok(e instanceof TransportError);
    assert.equal(e.reason, "econnrefused");
    assert.equal((e.details?.attempts as unknown[]).length, 2);
    assert.match(e.message, /^2001:db8::10:8443: connection refused; tried 2 addresses/);
    return true;
  });
});

test("one address that fails: its own error, unchanged", async () => {
  const err = refused("192.0.2.10");
  const { connect } = fakeConnect((a) => a.fail(err));
  await assert.rejects(dialWith({ connect, lookup: fakeLookup({ 4: ["192.0.2.10"] }) }, origin, {}), (e: unknown) => e === err);
});

test("no address at all: TransportError enotfound naming the host", async () => {
  const { connect, attempts } = fakeConnect();
  const nf = (fam: string) => Object.assign(new Error(`getaddrinfo ENOTFOUND (${fam})`), { code: "ENOTFOUND" });
  await assert.rejects(dialWith({ connect, lookup: fakeLookup({ 6: nf("6"), 4: nf("4") }) }, origin, {}),
    (e: unknown) => e instanceof TransportError && e.reason === "enotfound" && e.message === "example.test: host name not found");
  await assert.rejects(dialWith({ connect, lookup: fakeLookup({ 6: [], 4: [] }) }, origin, {}),
    (e: unknown) => e instanceof TransportError && e.reason === "enotfound");
  const again = Object.assign(new Error("getaddrinfo EAI_AGAIN example.test"), { code: "EAI_AGAIN" });
  await assert.rejects(dialWith({ connect, lookup: fakeLookup({ 6: nf("6"), 4: again }) }, origin, {}),
    (e: unknown) => e instanceof TransportError && e.reason === "eai_again" && e.cause === again);
  assert.equal(attempts.length, 0);
});

test("the signal aborts lookups and attempts: aborted with the signal's reason as cause, nothing starts after", async () => {
  const { connect, attempts } = fakeConnect();
  const ac = new AbortController();
  const dialing = dialWith({ connect, lookup: fakeLookup({ 6: ["2001:db8::10"], 4: ["192.0.2.10", "192.0.2.11"] }) }, origin, {}, ac.signal);
  await sleep(20);
  const why = new Error("caller gave up");
  ac.abort(why);
  await assert.rejects(dialing, (e: unknown) => e instanceof TransportError && e.reason === "aborted" && e.cause === why);
  assert.equal(attempts.length, 1);
  assert.equal(attempts[0]!.signal.aborted, true);
  await sleep(300);
  assert.equal(attempts.length, 1, "no attempt after the abort");

  // Already aborted: no lookup at all.
  const lookup = fakeLookup({ 4: ["192.0.2.10"] });
  await assert.rejects(dialWith({ connect, lookup }, origin, {}, AbortSignal.abort(why)), (e: unknown) => e instanceof TransportError && e.reason === "aborted");
  assert.equal(lookup.calls, 0);

  // Aborted while the lookups are out.
  const slow = fakeLookup({ 6: ["2001:db8::10"], 4: ["192.0.2.10"] }, { 6: 100, 4: 100 });
  const ac2 = new AbortController();
  const d2 = dialWith({ connect, lookup: slow }, origin, {}, ac2.signal);
  ac2.abort(why);
  await assert.rejects(d2, (e: unknown) => e instanceof TransportError && e.reason === "aborted");
  await sleep(150);
  assert.equal(attempts.length, 1, "answers after the abort start nothing");
});

test("an IP literal or a proxy: one connect to the origin as given, no lookup", async () => {
  const { connect, attempts } = fakeConnect((a) => a.succeed());
  const lookup = fakeLookup({ 4: ["192.0.2.99"] });
  await dialWith({ connect, lookup }, { scheme: "http", host: "127.0.0.1", port: 80 }, {});
  await dialWith({ connect, lookup }, { scheme: "http", host: "::1", port: 80 }, {});
  const proxy = { scheme: "http" as const, address: "proxy.test", port: 3128 };
  await dialWith({ connect, lookup }, { scheme: "https", host: "example.test", port: 443 }, { proxy });
  assert.deepEqual(attempts.map((a) => a.address), ["127.0.0.1", "::1", "example.test"]);
  assert.equal(attempts[2]!.opts.proxy, proxy);
  assert.equal(lookup.calls, 0);
});

test("an aborted direct connect: rejected at once, a late connection closed", async () => {
  const { connect, attempts } = fakeConnect((a) => setTimeout(a.succeed, 50));
  const ac = new AbortController();
  const d = dialWith({ connect }, { scheme: "http", host: "127.0.0.1", port: 80 }, {}, ac.signal);
  ac.abort();
  await assert.rejects(d, (e: unknown) => e instanceof TransportError && e.reason === "aborted");
  assert.equal(attempts[0]!.signal.aborted, true);
  await sleep(100);
  assert.equal(attempts[0]!.conn.closed, true);
});

test("transportOpts.family or inet4: false restricts the lookups to one family", async () => {
  const seen: Array<4 | 6> = [];
  const lookup: LookupFamily = async (_h, family) => {
    seen.push(family);
    return family === 6 ? ["2001:db8::10"] : ["192.0.2.10"];
  };
  const { connect } = fakeConnect((a) => a.succeed());
  await dialWith({ connect, lookup }, origin, { transportOpts: { family: 4 } as ConnectOptions["transportOpts"] });
  await dialWith({ connect, lookup }, origin, { transportOpts: { inet4: false, inet6: true } });
  assert.deepEqual(seen, [4, 6]);
});

test("a TypeError from connect (bad options) rejects at once", async () => {
  const { connect, attempts } = fakeConnect((a) => a.fail(new TypeError('unknown connect option "bogus"')));
  await assert.rejects(dialWith({ connect, lookup: fakeLookup({ 6: ["2001:db8::10"], 4: ["192.0.2.10"] }) }, origin, {}), TypeError);
  await sleep(50);
  assert.equal(attempts.length, 1);
});
