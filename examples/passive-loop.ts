// Passive mode: nothing happens until you call `recv`, so the read loop is yours.
// Three requests go out on one keep-alive HTTP/1.1 connection (pipelined); one loop
// reads until all three are done, with a timeout on each read.
//
//   npx tsx examples/passive-loop.ts            # against a local server it starts
//   npx tsx examples/passive-loop.ts http://host:port/
//
// In your own code, import from "mint-http" instead of "../src/index.js".

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { connect, TransportError, type RequestRef } from "../src/index.js";

async function main(): Promise<void> {
  let server: http.Server | undefined;
  let url: URL;
  if (process.argv[2] !== undefined) {
    url = new URL(process.argv[2]);
  } else {
    server = http.createServer((req, res) => res.end(`you asked for ${req.url}`));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  }
  const scheme = url.protocol === "https:" ? "https" : "http";
  const port = url.port !== "" ? Number(url.port) : scheme === "https" ? 443 : 80;

  const conn = await connect(scheme, url.hostname, port, { mode: "passive" });
  const names = new Map<RequestRef, string>();
  for (const path of ["/a", "/b", "/c"]) names.set(conn.request("GET", path, [], null), path);

  const bodies = new Map<RequestRef, string>();
  let remaining = names.size;
  while (remaining > 0) {
    let parts;
    try {
      parts = await conn.recv(0, 5000); // whatever arrives, within 5 s
    } catch (err) {
      if (err instanceof TransportError && err.reason === "timeout") {
        console.error("the server is slow; giving up");
      }
      throw err;
    }
    for (const part of parts) {
      const name = names.get(part.ref)!;
      if (part.type === "status") console.log(`${name}: status ${part.status}`);
      else if (part.type === "data") bodies.set(part.ref, (bodies.get(part.ref) ?? "") + Buffer.from(part.data).toString("utf8"));
      else if (part.type === "done") {
        console.log(`${name}: done, body "${bodies.get(part.ref) ?? ""}"`);
        remaining--;
      } else if (part.type === "error") throw part.error;
    }
  }
  console.log(`all responses read; open requests: ${conn.openRequestCount()}`);
  await conn.close();
  server?.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 1;
});
