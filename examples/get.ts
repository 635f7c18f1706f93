// A GET request in active mode: the response arrives as "parts" events.
//
//   npx tsx examples/get.ts                      # against a local server it starts
//   npx tsx examples/get.ts https://example.com/  # against any http(s) URL
//
// In your own code, import from "mint-http" instead of "../src/index.js".

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { connect, type ResponsePart } from "../src/index.js";

async function main(): Promise<void> {
  let server: http.Server | undefined;
  let url: URL;
  if (process.argv[2] !== undefined) {
    url = new URL(process.argv[2]);
  } else {
    server = http.createServer((_req, res) => res.end("hello from a local server\n"));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hello`);
  }

  const scheme = url.protocol === "https:" ? "https" : "http";
  const port = url.port !== "" ? Number(url.port) : scheme === "https" ? 443 : 80;
  const conn = await connect(scheme, url.hostname, port);
  console.log(`connected to ${url.host} over ${conn.protocol}`);

  const ref = conn.request("GET", url.pathname + url.search, [["accept", "*/*"]], null);
  const body: Uint8Array[] = [];
  await new Promise<void>((resolve, reject) => {
    conn.on("parts", (parts: ResponsePart[]) => {
      for (const part of parts) {
        if (part.ref !== ref) continue;
        switch (part.type) {
          case "status":
            console.log(`status ${part.status}`);
            break;
          case "headers":
            for (const [name, value] of part.headers) console.log(`${name}: ${value}`);
            break;
          case "data":
            body.push(part.data);
            break;
          case "error":
            reject(part.error);
            break;
          case "done":
            resolve();
            break;
        }
      }
    });
    conn.on("closed", (err?: Error) => reject(err ?? new Error("connection closed early")));
  });
  console.log(`\n${Buffer.concat(body).toString("utf8")}`);
  await conn.close();
  server?.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 1;
});
