// undici's diagnostics_channel messages from requests made through Pool and Agent, read by
// a subscriber written the way OpenTelemetry's undici instrumentation is: it subscribes to
// undici:request:create and injects a traceparent header with request.addHeader(), keeps a
// span per request object, sets the status from undici:request:headers, and ends the span
// on undici:request:trailers or undici:request:error.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import diagnostics from "node:diagnostics_channel";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import * as undici from "undici";
import { Agent } from "../../src/pool/index.js";
import { TransportError } from "../../src/index.js";
import { fetchInit as init } from "../support/strict-handler.js";
import { startHTTPServer, type Running } from "../support/servers.js";

interface Span {
  origin: string;
  method: string;
  path: string;
  traceparent: string;
  status?: number;
  responseHeaders?: string[];
  trailers?: number;
  error?: Error;
  ended: number;
}

type Req = { origin: string; method: string; path: string; headers: string[]; addHeader(k: string, v: string): unknown };

const spans = new WeakMap<object, Span>();
const finished: Span[] = [];
let nextId = 1;

const onCreate = (message: unknown): void => {
  const { request } = message as { request: Req };
  const traceparent = `00-${String(nextId++).padStart(32, "0")}-00f067aa0ba902b7-01`;
  spans.set(request, { origin: request.origin, method: request.method, path: request.path, traceparent, ended: 0 });
  request.addHeader("traceparent", traceparent);
};
const onHeaders = (message: unknown): void => {
  const { request, response } = message as { request: object; response: { statusCode: number; headers: Buffer[] } };
  const span = spans.get(request);
  if (span === undefined) return;
  span.status = response.statusCode;
  span.responseHeaders = response.headers.map((b) => b.toString());
};
const onTrailers = (message: unknown): void => {
  const { request, trailers } = message as { request: object; trailers: Buffer[] };
  const span = spans.get(request);
  if (span === undefined) return;
  span.trailers = trailers.length;
  span.ended++;
  finished.push(span);
};
const onError = (message: unknown): void => {
  const { request, error } = message as { request: object; error: Error };
  const span = spans.get(request);
  if (span === undefined) return;
  span.error = error;
  span.ended++;
  finished.push(span);
};

let server: Running;
let origin: string;
const received: Array<string | undefined> = [];

before(async () => {
  diagnostics.subscribe("undici:request:create", onCreate);
  diagnostics.subscribe("undici:request:headers", onHeaders);
  diagnostics.subscribe("undici:request:trailers", onTrailers);
  diagnostics.subscribe("undici:request:error", onError);
  server = await startHTTPServer((req, res) => {
    received.push(req.headers.traceparent as string | undefined);
    res.setHeader("x-served", "yes");
    res.end("ok");
  });
  origin = `http://127.0.0.1:${server.port}`;
});
after(async () => {
  diagnostics.unsubscribe("undici:request:create", onCreate);
  diagnostics.unsubscribe("undici:request:headers", onHeaders);
  diagnostics.unsubscribe("undici:request:trailers", onTrailers);
  diagnostics.unsubscribe("undici:request:error", onError);
  await server.close();
});

test("a create subscriber's addHeader reaches the server; headers and trailers end the span once", async () => {
  const agent = new Agent();
  finished.length = 0;
  received.length = 0;
  const r = await fetch(`${origin}/traced?q=1`, init(agent, { method: "POST", body: "x" }));
  assert.equal(await r.text(), "ok");
  const u = await undici.request(`${origin}/second`, { dispatcher: agent as unknown as undici.Dispatcher });
  await u.body.text();
  assert.equal(finished.length, 2);
  const [a, b] = finished;
  assert.deepEqual(received, [a!.traceparent, b!.traceparent]);
  assert.equal(a!.origin, origin);
  assert.equal(a!.method, "POST");
  assert.equal(a!.path, "/traced?q=1");
  assert.equal(a!.status, 200);
  assert.ok(a!.responseHeaders!.includes("x-served"));
  assert.equal(a!.trailers, 0);
  assert.equal(a!.ended, 1);
  assert.equal(b!.path, "/second");
  await agent.close();
});

test("a failed request publishes undici:request:error with our error, once", async () => {
  const free = net.createServer();
  await new Promise<void>((r) => free.listen(0, "127.0.0.1", r));
  const port = (free.address() as AddressInfo).port;
  await new Promise<void>((r) => free.close(() => r()));
  const agent = new Agent();
  finished.length = 0;
  await assert.rejects(fetch(`http://127.0.0.1:${port}/`, init(agent)), TypeError);
  assert.equal(finished.length, 1);
  assert.ok(finished[0]!.error instanceof TransportError);
  assert.equal(finished[0]!.ended, 1);
  assert.equal(finished[0]!.status, undefined);
  await agent.close();
});

test("no subscriber: no request object is built and requests still work", async () => {
  diagnostics.unsubscribe("undici:request:create", onCreate);
  diagnostics.unsubscribe("undici:request:headers", onHeaders);
  diagnostics.unsubscribe("undici:request:trailers", onTrailers);
  diagnostics.unsubscribe("undici:request:error", onError);
  try {
    const agent = new Agent();
    finished.length = 0;
    received.length = 0;
    const r = await fetch(`${origin}/plain`, init(agent));
    assert.equal(await r.text(), "ok");
    assert.deepEqual(received, [undefined]);
    assert.equal(finished.length, 0);
    await agent.close();
  } finally {
    diagnostics.subscribe("undici:request:create", onCreate);
    diagnostics.subscribe("undici:request:headers", onHeaders);
    diagnostics.subscribe("undici:request:trailers", onTrailers);
    diagnostics.subscribe("undici:request:error", onError);
  }
});

test("client channels: beforeConnect, connected, sendHeaders (with the socket), bodySent, connectError", async () => {
  const log: Array<[string, Record<string, unknown>]> = [];
  const names = ["undici:client:beforeConnect", "undici:client:connected", "undici:client:connectError", "undici:client:sendHeaders", "undici:request:bodySent"];
  const subs = names.map((name) => [name, (m: unknown) => void log.push([name, m as Record<string, unknown>])] as const);
  for (const [name, fn] of subs) diagnostics.subscribe(name, fn);
  const created: object[] = [];
  const onCreated = (m: unknown): void => void created.push((m as { request: object }).request);
  diagnostics.subscribe("undici:request:create", onCreated);
  try {
    const agent = new Agent();
    const r = await fetch(`${origin}/client`, init(agent, { method: "POST", body: "abc" }));
    await r.text();
    const order = log.map(([n]) => n);
    assert.deepEqual(order, ["undici:client:beforeConnect", "undici:client:connected", "undici:client:sendHeaders", "undici:request:bodySent"]);
    const before = log[0]![1] as { connectParams: { hostname: string; port: string; protocol: string }; connector: unknown };
    assert.deepEqual([before.connectParams.hostname, before.connectParams.port, before.connectParams.protocol], ["127.0.0.1", String(server.port), "http:"]);
    const connected = log[1]![1] as { socket: net.Socket };
    assert.equal(connected.socket.remotePort, server.port);
    const sent = log[2]![1] as { request: object; headers: string; socket: net.Socket };
    assert.equal(sent.request, created[0]);
    assert.match(sent.headers, /^traceparent: 00-/m);
    assert.equal(sent.socket.remotePort, server.port);
    assert.equal((log[3]![1] as { request: object }).request, created[0]);
    await agent.close();

    log.length = 0;
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, "127.0.0.1", r));
    const port = (free.address() as AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const other = new Agent();
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`, init(other)));
    assert.deepEqual(log.map(([n]) => n), ["undici:client:beforeConnect", "undici:client:connectError"]);
    assert.ok((log[1]![1] as { error: unknown }).error instanceof TransportError);
    await other.close();
  } finally {
    for (const [name, fn] of subs) diagnostics.unsubscribe(name, fn);
    diagnostics.unsubscribe("undici:request:create", onCreated);
  }
});
