// Runs startGoawayH2 (echo-origins.ts) in a child process, for tests that must not hold
// node:http2 server sessions in their own process: Node 20 can abort at exit
// (Realm::~Realm base_object_count_ assertion) after many sessions closed by GOAWAY.
// Started by startGoawayH2Child with `every` as argv[2]; answers the parent's IPC messages:
// "counts" → the counts so far; "close" → closes the origin and exits.

import { startGoawayH2 } from "./echo-origins.js";

const origin = await startGoawayH2(Number(process.argv[2] ?? 50));
const counts = () => ({
  requests: origin.requests, connections: origin.connections, goaways: origin.goaways, posts: [...origin.posts],
});
process.on("message", (m: string) => {
  if (m === "counts") process.send!({ type: "counts", ...counts() });
  else if (m === "close") void origin.close().then(() => process.exit(0));
});
process.send!({ type: "port", port: origin.port });
