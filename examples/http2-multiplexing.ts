// Many requests at once on one HTTP/2 connection: every request gets its own ref, and the
// responses come back interleaved, in whatever order the server finishes them.
// The local server speaks HTTP/2 without TLS ("h2c", prior knowledge), so no certificate
// is needed; `protocols: ["http2"]` asks for exactly that.
//
//   npx tsx examples/http2-multiplexing.ts
//
// In your own code, import from "mint-http" instead of "../src/index.js".

import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { connect, type RequestRef, type ResponsePart } from "../src/index.js";

async function main(): Promise<void> {
  // Each response is delayed by a different amount, so they finish out of order.
  const server = http2.createServer((req, res) => {
    const n = Number(req.url!.slice(1));
    setTimeout(() => res.end(`response ${n}`), (n * 7) % 50);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  const conn = await connect("http", "127.0.0.1", port, { protocols: ["http2"] });
  console.log(`protocol: ${conn.protocol}`);

  const count = 50;
  const started = performance.now();
  const refs: RequestRef[] = [];
  for (let i = 0; i < count; i++) refs.push(conn.request("GET", `/${i}`, [], null));
  console.log(`${conn.openRequestCount()} requests in flight on one connection`);

  const finishOrder: number[] = [];
  await new Promise<void>((resolve, reject) => {
    conn.on("parts", (parts: ResponsePart[]) => {
      for (const part of parts) {
        if (part.type === "error") reject(part.error);
        if (part.type === "done") {
          finishOrder.push(refs.indexOf(part.ref));
          if (finishOrder.length === count) resolve();
        }
      }
    });
  });
  const ms = performance.now() - started;
  console.log(`${count} responses in ${ms.toFixed(0)} ms; finished in this order: ${finishOrder.slice(0, 12).join(", ")}, ...`);
  console.log(`the server allows ${conn.getServerSetting("maxConcurrentStreams")} concurrent streams (its SETTINGS frame)`);
  const ping = conn.ping();
  await new Promise<void>((resolve) => conn.on("parts", (parts: ResponsePart[]) => parts.some((p) => p.type === "pong" && p.ref === ping) && resolve()));
  console.log("PING answered by a pong part");
  await conn.close();
  server.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 1;
});
