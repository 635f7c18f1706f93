// The Connection's hand-over of its socket after a 101 (holdSocketOnUpgrade / takeSocket):
// the socket stays open and paused, `head` holds the bytes read past the 101 (also those
// read after it), active and passive mode; without the hold the socket is closed as before.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { connect } from "../../src/index.js";
import { startFaultServer, type FaultServer, type Peer } from "../support/fault-server.js";
import { collectActive, collectPassive } from "../support/collect.js";

let server: FaultServer;
let script: (peer: Peer) => Promise<void> = async () => {};
after(() => server?.close());

async function conn(mode: "active" | "passive") {
  server ??= await startFaultServer((peer) => script(peer));
  return connect("http", "127.0.0.1", server.port, { mode });
}

const SWITCH = "HTTP/1.1 101 Switching Protocols\r\nupgrade: x-test\r\nconnection: upgrade\r\n\r\n";

for (const mode of ["active", "passive"] as const) {
  test(`${mode}: after the 101 the socket and the bytes past it are handed over`, async () => {
    let release!: () => void;
    const later = new Promise<void>((r) => (release = r));
    let peerRef!: Peer;
    script = async (peer) => {
      peerRef = peer;
      await peer.waitFor((b) => b.includes("\r\n\r\n"));
      await peer.write(SWITCH + "first");
      await later;
      await peer.write("second");
    };
    const c = await conn(mode);
    const ref = c.request("GET", "/", [["upgrade", "x-test"], ["connection", "upgrade"]], null);
    c.holdSocketOnUpgrade(ref);
    const parts = mode === "active" ? await collectActive(c, [ref]) : await collectPassive(c, [ref]);
    assert.deepEqual(parts.filter((p) => p.type === "status").map((p) => (p as { status: number }).status), [101]);
    assert.equal(c.isOpen(), false);
    release();
    await new Promise((r) => setTimeout(r, 50));
    const { socket, head } = c.takeSocket();
    assert.equal(socket.destroyed, false);
    let text = Buffer.from(head).toString();
    socket.on("data", (d: Buffer) => (text += d.toString()));
    socket.resume();
    const deadline = Date.now() + 2000;
    while (text !== "firstsecond" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(text, "firstsecond");
    socket.write("from the new protocol");
    await peerRef.waitFor((b) => b.toString().endsWith("from the new protocol"));
    socket.destroy();
    assert.throws(() => c.takeSocket(), TypeError, "only once");
  });
}

test("without holdSocketOnUpgrade a 101 closes the socket; takeSocket is a TypeError", async () => {
  script = async (peer) => {
    await peer.waitFor((b) => b.includes("\r\n\r\n"));
    await peer.write(SWITCH + "ignored");
  };
  const c = await conn("active");
  const closed = new Promise<void>((r) => c.once("closed", () => r()));
  const ref = c.request("GET", "/", [], null);
  await collectActive(c, [ref]);
  await closed;
  assert.equal(c.getSocket().destroyed, true);
  assert.throws(() => c.takeSocket(), TypeError);
});
