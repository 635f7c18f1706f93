// The HTTP/2 stream pipe under a WebSocket, against a recording stand-in for the
// Connection: the receive window is held once more than HOLD_AT received bytes wait (paused
// pipe, passive or inflating) and released as they are taken; bufferedAmount counts frames
// waiting for the send window; after our END_STREAM, destroy waits for the server's
// END_STREAM and resets the stream only if it does not come.

import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { Connection } from "../../src/connection/connection.js";
import { EOF } from "../../src/types.js";
import { HOLD_AT, StreamPipe } from "../../src/websocket/pipe.js";

class FakeConn extends EventEmitter {
  holds: boolean[] = [];
  written: Array<Uint8Array | typeof EOF> = [];
  cancelled = 0;
  window = Infinity;
  holdReceiveWindow(_ref: string, hold: boolean): void {
    this.holds.push(hold);
  }
  requestBodyWindow(): number {
    return this.window;
  }
  streamRequestBody(_ref: string, chunk: Uint8Array | typeof EOF): void {
    if (chunk !== EOF) this.window -= chunk.length;
    this.written.push(chunk);
  }
  isOpen(): boolean {
    return true;
  }
  cancelRequest(): void {
    this.cancelled++;
  }
  data(n: number, fill = 1): void {
    this.emit("parts", [{ type: "data", ref: "r1", data: new Uint8Array(n).fill(fill) }]);
  }
}

function pipeOn(conn: FakeConn): { pipe: StreamPipe; got: Uint8Array[]; ends: number[] } {
  const pipe = new StreamPipe(conn as unknown as Connection, "r1");
  const got: Uint8Array[] = [];
  const ends: number[] = [];
  pipe.pause();
  pipe.attach({ data: (c) => got.push(c), end: () => ends.push(1), failed: () => ends.push(2) });
  return { pipe, got, ends };
}

test("a paused pipe holds the stream's receive window past HOLD_AT and releases it when drained", () => {
  const conn = new FakeConn();
  const { pipe, got } = pipeOn(conn);
  const chunk = 16 * 1024;
  for (let i = 0; i < HOLD_AT / chunk - 1; i++) conn.data(chunk, i);
  assert.deepEqual(conn.holds, [], "below HOLD_AT nothing is held");
  conn.data(chunk, 99);
  assert.deepEqual(conn.holds, [true]);
  conn.data(chunk, 100);
  assert.deepEqual(conn.holds, [true], "held once");
  assert.equal(got.length, 0);
  pipe.resume();
  assert.deepEqual(conn.holds, [true, false], "released once the kept bytes are taken");
  assert.equal(got.length, HOLD_AT / chunk + 1);
  assert.deepEqual(got.map((c) => c[0]), [...Array.from({ length: HOLD_AT / chunk - 1 }, (_, i) => i), 99, 100], "in order");
  conn.data(HOLD_AT * 2);
  assert.deepEqual(conn.holds, [true, false], "data handed straight through is never held");
});

test("bufferedAmount counts frame bytes waiting for the send window", () => {
  const conn = new FakeConn();
  conn.window = 1000;
  const { pipe } = pipeOn(conn);
  pipe.write([new Uint8Array(600), new Uint8Array(900)]);
  assert.equal(pipe.bufferedAmount, 500);
  conn.window = 200;
  conn.emit("window");
  assert.equal(pipe.bufferedAmount, 300);
  conn.window = 10_000;
  conn.emit("window");
  assert.equal(pipe.bufferedAmount, 0);
  assert.equal(conn.written.reduce((n, c) => n + (c === EOF ? 0 : c.length), 0), 1500);
});

test("after our END_STREAM, destroy waits for the server's END_STREAM, else resets after the linger", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const a = new FakeConn();
    const pa = pipeOn(a).pipe;
    pa.end();
    assert.equal(a.written.at(-1), EOF);
    pa.destroy();
    assert.equal(a.cancelled, 0, "not reset at once");
    a.emit("parts", [{ type: "done", ref: "r1" }]);
    mock.timers.tick(5000);
    assert.equal(a.cancelled, 0, "the server ended the stream: no reset");

    const b = new FakeConn();
    const pb = pipeOn(b).pipe;
    pb.end();
    pb.destroy();
    mock.timers.tick(1999);
    assert.equal(b.cancelled, 0);
    mock.timers.tick(1);
    assert.equal(b.cancelled, 1, "a server that never ends the stream gets RST_STREAM");
    assert.equal(b.listenerCount("parts"), 0, "the pipe stopped listening");

    const c = new FakeConn();
    const pc = pipeOn(c).pipe;
    pc.destroy();
    assert.equal(c.cancelled, 1, "without our END_STREAM the stream is reset at once");
  } finally {
    mock.timers.reset();
  }
});
