// HTTPS (HTTP/1.1) server for the new-connections scenario: answers "ok" to every request.
// argv[2] is a directory holding key.pem and cert.pem. Session tickets and the session
// cache are on (Node's defaults); whether a session is resumed is the client's choice.
// Prints {"port":N} on stdout once listening. Each "stats" line on stdin is answered with
// {"full":n,"resumed":m}, the handshakes since the previous answer.
import https from "node:https";
import fs from "node:fs";
import path from "node:path";
import type { AddressInfo } from "node:net";

const dir = process.argv[2] ?? ".";
const server = https.createServer(
  { key: fs.readFileSync(path.join(dir, "key.pem")), cert: fs.readFileSync(path.join(dir, "cert.pem")) },
  (_req, res) => {
    res.writeHead(200, { "content-length": "2" });
    res.end("ok");
  },
);
server.on("tlsClientError", () => {});
let full = 0, resumed = 0;
server.on("secureConnection", (socket) => (socket.isSessionReused() ? resumed++ : full++));
process.stdin.setEncoding("utf8").on("data", () => {
  process.stdout.write(JSON.stringify({ full, resumed }) + "\n");
  full = resumed = 0;
});
server.listen(0, "127.0.0.1", 1024, () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + "\n");
});
