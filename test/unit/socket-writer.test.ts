// SocketWriter against a recording stand-in for the socket: what is written at once, what
// is gathered under cork until the end of the tick, and in which order.

import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { test } from "node:test";
import { SocketWriter } from "../../src/connection/writer.js";

/** Records the calls a SocketWriter makes; `corked` mirrors Node's cork counter. */
function fakeSocket() {
  const events: string[] = [];
  const socket = {
    destroyed: false,
    writable: true,
    writableLength: 0,
    corked: 0,
    cork() {
      this.corked++;
      events.push("cork");
    },
    uncork() {
      this.corked--;
      events.push("uncork");
    },
    write(chunk: Uint8Array) {
      events.push(`${this.corked > 0 ? "gather" : "write"} ${new TextDecoder().decode(chunk)}`);
      return true;
    },
    end() {
      events.push("end");
    },
    destroy() {
      this.destroyed = true;
      events.push("destroy");
    },
  };
  return { socket, events };
}

const bytes = (s: string) => new TextEncoder().encode(s);
const tick = () => new Promise<void>((resolve) => process.nextTick(resolve));

function writerWith(queue: Uint8Array[][]) {
  const { socket, events } = fakeSocket();
  const writer = new SocketWriter(socket as unknown as Socket, () => queue.shift() ?? [], () => {});
  return { writer, socket, events };
}

test("the first flush of a tick with one chunk writes it at once, without cork", async () => {
  const { writer, socket, events } = writerWith([[bytes("a")], [bytes("b")]]);
  assert.equal(writer.flush(), 1);
  assert.deepEqual(events, ["write a"]);
  await tick();
  assert.equal(socket.corked, 0);
  // a new tick: again written at once
  assert.equal(writer.flush(), 1);
  assert.deepEqual(events, ["write a", "write b"]);
});

test("later flushes in the same tick are gathered under one cork, released at the end of the tick", async () => {
  const { writer, socket, events } = writerWith([[bytes("a")], [bytes("b")], [bytes("c"), bytes("d")]]);
  writer.flush();
  writer.flush();
  assert.equal(writer.flush(), 2);
  assert.deepEqual(events, ["write a", "cork", "gather b", "gather c", "gather d"]);
  await tick();
  assert.deepEqual(events.slice(5), ["uncork"]);
  assert.equal(socket.corked, 0);
});

test("after gatherThisTick, even a lone first chunk waits under cork for the rest of the tick", async () => {
  const { writer, socket, events } = writerWith([[bytes("a")], [bytes("b")], [bytes("c")]]);
  writer.gatherThisTick();
  writer.flush();
  writer.flush();
  assert.deepEqual(events, ["cork", "gather a", "gather b"]);
  await tick();
  assert.deepEqual(events.slice(3), ["uncork"]);
  // The next tick is back to writing a lone chunk at once.
  writer.flush();
  assert.deepEqual(events.slice(4), ["write c"]);
  assert.equal(socket.corked, 0);
});

test("a first flush of several chunks (a head and a body) is gathered into one write", async () => {
  const { writer, socket, events } = writerWith([[bytes("head"), bytes("body")]]);
  assert.equal(writer.flush(), 8);
  assert.deepEqual(events, ["cork", "gather head", "gather body"]);
  await tick();
  assert.deepEqual(events.slice(3), ["uncork"]);
  assert.equal(socket.corked, 0);
});

test("nothing queued, or a destroyed socket: nothing is written", async () => {
  const { writer, socket, events } = writerWith([[], [bytes("x")]]);
  assert.equal(writer.flush(), 0);
  socket.destroyed = true;
  assert.equal(writer.flush(), 0);
  assert.deepEqual(events, []);
});

test("endSocket releases a pending cork before ending, and the end of the tick does not uncork again", async () => {
  const { writer, socket, events } = writerWith([[bytes("a")], [bytes("goaway")]]);
  writer.flush();
  writer.flush();
  writer.endSocket();
  assert.deepEqual(events, ["write a", "cork", "gather goaway", "uncork", "end", "destroy"]);
  await tick();
  assert.equal(socket.corked, 0);
  assert.equal(events.length, 6);
});
