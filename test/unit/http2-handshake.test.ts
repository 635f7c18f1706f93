import { test } from "node:test";
import assert from "node:assert/strict";
import { createHTTP2Engine } from "../../src/core/http2/index.js";
import { CONNECTION_PREFACE } from "../../src/core/http2/frame-header.js";
import { HTTPError } from "../../src/errors.js";
import { FakeServer } from "../support/h2-fake-server.js";
import { concat, parseFrames } from "../support/h2-frames.js";

test("the preface, SETTINGS and connection WINDOW_UPDATE are queued at creation", () => {
  const engine = createHTTP2Engine({ scheme: "https", authority: "example.com" });
  const bytes = concat(engine.takeOutgoing());
  assert.deepEqual(bytes.subarray(0, 24), CONNECTION_PREFACE);
  const frames = parseFrames(bytes.subarray(24));
  assert.deepEqual(frames, [
    { type: "settings", streamId: 0, ack: false, params: [[4, 4 * 1024 * 1024], [6, 256 * 1024]] },
    { type: "window_update", streamId: 0, increment: 16 * 1024 * 1024 - 65535 },
  ]);
  assert.deepEqual(engine.takeOutgoing(), []);
});

test("client settings and window options shape the preface", () => {
  const server = new FakeServer({
    clientSettings: { enablePush: false, maxConcurrentStreams: 10, maxFrameSize: 32768 },
    connectionWindowSize: 65535,
  });
  assert.deepEqual(server.written(), [
    { type: "settings", streamId: 0, ack: false, params: [[2, 0], [3, 10], [4, 4 * 1024 * 1024], [5, 32768], [6, 256 * 1024]] },
  ]);
  assert.equal(server.engine.getClientSetting("enablePush"), false);
  assert.equal(server.engine.getClientSetting("maxFrameSize"), 32768);
});

test("maxHeaderListSize option is advertised", () => {
  const server = new FakeServer({ maxHeaderListSize: 1000 });
  const [settings] = server.written();
  assert.deepEqual(settings, { type: "settings", streamId: 0, ack: false, params: [[4, 4 * 1024 * 1024], [6, 1000]] });
});

test("invalid options are TypeErrors", () => {
  assert.throws(() => createHTTP2Engine({ scheme: "https", authority: "a", clientSettings: { enableConnectProtocol: true } }), TypeError);
  assert.throws(() => createHTTP2Engine({ scheme: "https", authority: "a", clientSettings: { maxFrameSize: 100 } }), TypeError);
  assert.throws(() => createHTTP2Engine({ scheme: "https", authority: "a", connectionWindowSize: 100 }), TypeError);
  assert.throws(() => createHTTP2Engine({ scheme: "https", authority: "a", receiveWindowUpdateThreshold: 0 }), TypeError);
  assert.throws(() => createHTTP2Engine({ scheme: "https", authority: "a", clientSettings: { bogus: 1 } as never }), TypeError);
});

test("server SETTINGS are applied and acknowledged", () => {
  const server = new FakeServer();
  server.handshake({ maxConcurrentStreams: 7, maxFrameSize: 20000, initialWindowSize: 1000, enableConnectProtocol: true });
  assert.equal(server.engine.getServerSetting("maxConcurrentStreams"), 7);
  assert.equal(server.engine.getServerSetting("maxFrameSize"), 20000);
  assert.equal(server.engine.getServerSetting("initialWindowSize"), 1000);
  assert.equal(server.engine.getServerSetting("enableConnectProtocol"), true);
  assert.equal(server.engine.getServerSetting("maxHeaderListSize"), Infinity);
});

test("assumed server settings before the server's SETTINGS", () => {
  const server = new FakeServer();
  const e = server.engine;
  assert.equal(e.getServerSetting("maxConcurrentStreams"), 100);
  assert.equal(e.getServerSetting("initialWindowSize"), 65535);
  assert.equal(e.getServerSetting("maxFrameSize"), 16384);
  assert.equal(e.getServerSetting("enablePush"), true);
  assert.equal(e.getServerSetting("enableConnectProtocol"), false);
  assert.throws(() => e.getServerSetting("nope" as never), TypeError);
});

test("requests may be sent before the server's SETTINGS", () => {
  const server = new FakeServer();
  server.written();
  const ref = server.engine.request("GET", "/", [], null);
  const [h] = server.written();
  assert.equal(h!.type, "headers");
  const parts = server.send(server.frames().settings().response(1, 200));
  assert.deepEqual(parts, [
    { type: "status", ref, status: 200 },
    { type: "headers", ref, headers: [] },
    { type: "done", ref },
  ]);
});

test("a first frame other than SETTINGS is a PROTOCOL_ERROR", () => {
  const server = new FakeServer();
  server.written();
  const err = server.sendExpectingError(server.frames().ping());
  assert.ok(err instanceof HTTPError);
  assert.equal(err.reason, "protocol_error");
  const [goaway] = server.written();
  assert.equal(goaway!.type, "goaway");
  assert.equal((goaway as { errorCode: number }).errorCode, 1);
  assert.equal(server.engine.isOpen("write"), false);
  assert.throws(() => server.engine.request("GET", "/", [], null), (e: HTTPError) => e.reason === "closed");
});

test("a SETTINGS ACK as first frame is a PROTOCOL_ERROR", () => {
  const server = new FakeServer();
  const err = server.sendExpectingError(server.frames().settingsAck());
  assert.equal(err.reason, "protocol_error");
});

test("GOAWAY as first frame is server_closed_connection", () => {
  const server = new FakeServer();
  server.written();
  const err = server.sendExpectingError(server.frames().goaway(0, 11, "calm down"));
  assert.ok(err instanceof HTTPError);
  assert.equal(err.reason, "server_closed_connection");
  assert.deepEqual(err.details, { errorCode: "enhance_your_calm", debugData: "calm down" });
  assert.deepEqual(server.written(), []);
  assert.equal(server.engine.isOpen("read"), false);
});

test("server SETTINGS split at every byte still complete the handshake", () => {
  const server = new FakeServer();
  server.written();
  const bytes = server.frames().settings({ maxConcurrentStreams: 3 }).bytes();
  for (const b of bytes) assert.deepEqual(server.send(new Uint8Array([b])), []);
  assert.equal(server.engine.getServerSetting("maxConcurrentStreams"), 3);
});
