// HTTP/2 over TLS (ALPN h2 only) server on node:http2, for the pooled HTTP/2 scenario.
//   /small  "ok"      /k64  a 64 KiB body
// argv[2] is a directory holding key.pem and cert.pem. Prints {"port":N} once listening.
import http2 from "node:http2";
import fs from "node:fs";
import path from "node:path";
import type { AddressInfo } from "node:net";

const dir = process.argv[2] ?? ".";
const OK = Buffer.from("ok");
const K64 = Buffer.alloc(64 * 1024, 0x61);

const server = http2.createSecureServer({
  key: fs.readFileSync(path.join(dir, "key.pem")),
  cert: fs.readFileSync(path.join(dir, "cert.pem")),
  settings: { maxConcurrentStreams: 1000 },
});
server.on("session", (session) => session.on("error", () => {}));
server.on("tlsClientError", () => {});
server.on("stream", (stream, headers) => {
  stream.on("error", () => {});
  const body = headers[":path"] === "/k64" ? K64 : OK;
  stream.respond({ ":status": 200, "content-length": String(body.length) });
  stream.end(body);
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + "\n");
});
