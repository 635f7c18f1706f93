// WebSocket echo servers for the WebSocket benchmark, on the `ws` package: one without and
// one with permessage-deflate. Prints {"plain":port,"deflate":port} once both listen.
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";

async function start(perMessageDeflate: boolean): Promise<number> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate, maxPayload: 256 * 1024 * 1024 });
  wss.on("connection", (s) => s.on("message", (data, isBinary) => s.send(data, { binary: isBinary })));
  await new Promise<void>((r) => wss.once("listening", () => r()));
  return (wss.address() as AddressInfo).port;
}

const plain = await start(false);
const deflate = await start(true);
console.log(JSON.stringify({ plain, deflate }));
