import { test } from "node:test";
import assert from "node:assert/strict";
import { STREAM } from "../../src/types.js";
import { FakeServer } from "../support/h2-fake-server.js";

function ready(settings = {}): FakeServer {
  return FakeServer.ready({}, settings);
}

test("putSettings sends SETTINGS and applies them only on ACK", () => {
  const s = ready();
  s.engine.putSettings({ maxConcurrentStreams: 5, enablePush: false, headerTableSize: 1024 });
  assert.deepEqual(s.written(), [{ type: "settings", streamId: 0, ack: false, params: [[1, 1024], [2, 0], [3, 5]] }]);
  assert.equal(s.engine.getClientSetting("maxConcurrentStreams"), 100);
  assert.equal(s.engine.getClientSetting("enablePush"), true);
  s.send(s.frames().settingsAck());
  assert.equal(s.engine.getClientSetting("maxConcurrentStreams"), 5);
  assert.equal(s.engine.getClientSetting("enablePush"), false);
  assert.equal(s.engine.getClientSetting("headerTableSize"), 1024);
});

test("pending settings are applied in order, one per ACK", () => {
  const s = ready();
  s.engine.putSettings({ maxFrameSize: 20000 });
  s.engine.putSettings({ maxFrameSize: 30000 });
  // handshake() already acknowledged the preface's SETTINGS.
  assert.equal(s.engine.getClientSetting("maxFrameSize"), 16384);
  s.send(s.frames().settingsAck());
  assert.equal(s.engine.getClientSetting("maxFrameSize"), 20000);
  s.send(s.frames().settingsAck());
  assert.equal(s.engine.getClientSetting("maxFrameSize"), 30000);
  // A stray ACK is ignored.
  assert.deepEqual(s.send(s.frames().settingsAck()), []);
});

test("putSettings validates names and values", () => {
  const s = ready();
  assert.throws(() => s.engine.putSettings({ enableConnectProtocol: true }), TypeError);
  assert.throws(() => s.engine.putSettings({ foo: 1 } as never), TypeError);
  assert.throws(() => s.engine.putSettings({ initialWindowSize: 2 ** 31 }), TypeError);
  assert.throws(() => s.engine.putSettings({ maxFrameSize: 16383 }), TypeError);
  assert.throws(() => s.engine.putSettings({ enablePush: 1 as never }), TypeError);
  assert.deepEqual(s.written(), []);
});

test("server initial_window_size changes move open stream send windows", () => {
  const s = ready();
  const ref = s.engine.request("POST", "/", [], STREAM);
  s.engine.streamRequestBody(ref, new Uint8Array(1000));
  assert.equal(s.engine.getWindowSize({ request: ref }), 64535);
  s.send(s.frames().settings({ initialWindowSize: 100000 }));
  assert.equal(s.engine.getWindowSize({ request: ref }), 100000 - 1000);
  s.send(s.frames().settings({ initialWindowSize: 500 }));
  assert.equal(s.engine.getWindowSize({ request: ref }), -500);
  assert.equal(s.engine.requestBodyWindow(ref), 0);
});

test("server header_table_size resizes our HPACK encoder", () => {
  const s = ready({ headerTableSize: 0 });
  s.engine.request("GET", "/", [["x-a", "1"]], null);
  s.engine.request("GET", "/", [["x-a", "1"]], null);
  const [a, b] = s.written();
  assert.deepEqual(a!.headers!.slice(4, 5), [["x-a", "1"]]);
  assert.deepEqual(b!.headers!.slice(4, 5), [["x-a", "1"]]);
});

test("unknown setting ids are ignored", () => {
  const s = ready([[0x99, 5], [3, 9]]);
  assert.equal(s.engine.getServerSetting("maxConcurrentStreams"), 9);
});

test("invalid server settings are connection errors", () => {
  const cases: Array<[Array<[number, number]>, string]> = [
    [[[2, 2]], "protocol_error"],
    [[[4, 2 ** 31]], "flow_control_error"],
    [[[5, 16383]], "protocol_error"],
    [[[5, 2 ** 24]], "protocol_error"],
    [[[8, 2]], "protocol_error"],
  ];
  for (const [params, reason] of cases) {
    const s = new FakeServer();
    s.written();
    const err = s.sendExpectingError(s.frames().settings(params));
    assert.equal(err.reason, reason, JSON.stringify(params));
    const frames = s.written();
    assert.equal(frames.at(-1)!.type, "goaway");
  }
});

test("enable_connect_protocol cannot go back to 0", () => {
  const s = ready({ enableConnectProtocol: true });
  assert.equal(s.sendExpectingError(s.frames().settings({ enableConnectProtocol: false })).reason, "protocol_error");
});

test("an initial_window_size pushing a stream window past 2^31-1 is FLOW_CONTROL_ERROR", () => {
  const s = ready();
  s.engine.request("GET", "/", [], null);
  s.send(s.frames().windowUpdate(1, 2 ** 31 - 1 - 65535));
  assert.equal(s.sendExpectingError(s.frames().settings({ initialWindowSize: 65536 })).reason, "flow_control_error");
});

test("our initial_window_size change moves stream receive windows on ACK", () => {
  const s = ready();
  s.engine.request("GET", "/", [], null);
  s.engine.putSettings({ initialWindowSize: 100_000 });
  s.written();
  s.send(s.frames().settingsAck());
  // The stream window is now 100000; 99000 octets leave 1000 ≤ threshold → refill to 100000.
  s.send(s.frames().headers(1, [[":status", "200"]]).data(1, new Uint8Array(16000)).data(1, new Uint8Array(16000))
    .data(1, new Uint8Array(16000)).data(1, new Uint8Array(16000)).data(1, new Uint8Array(16000)).data(1, new Uint8Array(16000))
    .data(1, new Uint8Array(3000)));
  assert.deepEqual(s.written(), [{ type: "window_update", streamId: 1, increment: 99000 }]);
});
