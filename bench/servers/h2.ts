// HTTP/2 server on node:http2: cleartext (h2c, prior knowledge), or over TLS (h2 by ALPN)
// when argv[2] is a directory holding key.pem and cert.pem.
//   /small  "ok"      /k64  a 64 KiB body      /large  BENCH_LARGE_MB MiB in 1 MiB writes
//   /upload reads and discards the request body, then answers "ok"
// Prints {"port":N} on stdout once listening.
import fs from "node:fs";
import http2 from "node:http2";
import path from "node:path";
import type { AddressInfo } from "node:net";

const LARGE = Number(process.env.BENCH_LARGE_MB ?? 256) * 1024 * 1024;
const CHUNK = Buffer.alloc(1024 * 1024, 0x62);
const OK = Buffer.from("ok");
const K64 = Buffer.alloc(64 * 1024, 0x61);

function streamLarge(stream: http2.ServerHttp2Stream): void {
  stream.respond({ ":status": 200, "content-length": String(LARGE) });
  let left = LARGE;
  const more = (): void => {
    while (left > 0 && !stream.destroyed) {
      const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= chunk.length;
      if (left === 0) stream.end(chunk);
      else if (!stream.write(chunk)) {
        stream.once("drain", more);
        return;
      }
    }
  };
  more();
}

const certDir = process.argv[2];
const settings = { maxConcurrentStreams: 1000 };
const server = certDir === undefined
  ? http2.createServer({ settings })
  : http2.createSecureServer({ settings, key: fs.readFileSync(path.join(certDir, "key.pem")), cert: fs.readFileSync(path.join(certDir, "cert.pem")) });
server.on("session", (session) => session.on("error", () => {}));
server.on("stream", (stream, headers) => {
  stream.on("error", () => {});
  switch (headers[":path"]) {
    case "/k64":
      stream.respond({ ":status": 200, "content-length": String(K64.length) });
      stream.end(K64);
      return;
    case "/large":
      streamLarge(stream);
      return;
    case "/upload":
      stream.resume();
      stream.on("end", () => {
        stream.respond({ ":status": 200, "content-length": "2" });
        stream.end(OK);
      });
      return;
    default:
      stream.respond({ ":status": 200, "content-length": "2" });
      stream.end(OK);
  }
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + "\n");
});
