// Raw HTTP/1.1 responder: answers every request head ("\r\n\r\n") with a fixed,
// pre-encoded response, so the time measured is the client's. One listener per response:
//   small   "ok" with content-length 2
//   k64     a 64 KiB body
//   large   a long body (BENCH_LARGE_MB, 256 MiB by default) streamed in 1 MiB writes
//   upload  the small response, after skipping the request body (content-length)
// With argv[2], a directory holding key.pem and cert.pem, every listener speaks TLS
// (HTTP/1.1 by ALPN) instead of plain TCP.
// Prints {"small":port,...} on stdout once every listener is ready.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";

const LARGE = Number(process.env.BENCH_LARGE_MB ?? 256) * 1024 * 1024;
const CHUNK = Buffer.alloc(1024 * 1024, 0x62);
const HEAD_END = Buffer.from("\r\n\r\n");

const fixed = (body: Buffer) =>
  Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n`), body]);
const SMALL = fixed(Buffer.from("ok"));
const K64 = fixed(Buffer.alloc(64 * 1024, 0x61));
const LARGE_HEAD = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${LARGE}\r\n\r\n`);

type Respond = (socket: net.Socket, n: number) => void;

function fixedResponder(response: Buffer): Respond {
  return (socket, n) => {
    socket.cork();
    for (let i = 0; i < n; i++) socket.write(response);
    socket.uncork();
  };
}

/** Streams large responses one after another, honouring backpressure. */
function largeResponder(): Respond {
  const state = new WeakMap<net.Socket, { queued: number; busy: boolean }>();
  const next = (socket: net.Socket, s: { queued: number; busy: boolean }): void => {
    s.busy = s.queued > 0;
    if (!s.busy || socket.destroyed) return;
    s.queued--;
    socket.write(LARGE_HEAD);
    let left = LARGE;
    const more = (): void => {
      while (left > 0) {
        const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
        left -= chunk.length;
        if (!socket.write(chunk)) {
          socket.once("drain", more);
          return;
        }
      }
      next(socket, s);
    };
    more();
  };
  return (socket, n) => {
    let s = state.get(socket);
    if (!s) state.set(socket, (s = { queued: 0, busy: false }));
    s.queued += n;
    if (!s.busy) next(socket, s);
  };
}

/** Counts complete request heads in the stream; with `bodies`, skips content-length bytes. */
function serve(respond: Respond, bodies: boolean) {
  return (socket: net.Socket) => {
    socket.setNoDelay(true);
    let pending: Buffer | null = null; // an unfinished request head
    let skip = 0; // request body bytes still to skip
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      pending = null;
      let pos = 0, n = 0;
      while (pos < buf.length) {
        if (skip > 0) {
          const take = Math.min(skip, buf.length - pos);
          skip -= take;
          pos += take;
          continue;
        }
        const end = buf.indexOf(HEAD_END, pos);
        if (end < 0) {
          pending = Buffer.from(buf.subarray(pos));
          break;
        }
        if (bodies) {
          const m = /content-length:\s*(\d+)/i.exec(buf.toString("latin1", pos, end));
          if (m) skip = Number(m[1]);
        }
        pos = end + 4;
        n++;
      }
      if (n > 0) respond(socket, n);
    });
  };
}

const certDir = process.argv[2];
const tlsOptions: tls.TlsOptions | undefined = certDir === undefined ? undefined : {
  key: fs.readFileSync(path.join(certDir, "key.pem")),
  cert: fs.readFileSync(path.join(certDir, "cert.pem")),
  ALPNProtocols: ["http/1.1"],
};
const listen = (handler: (socket: net.Socket) => void): net.Server => {
  if (tlsOptions === undefined) return net.createServer(handler);
  const server = tls.createServer(tlsOptions, handler);
  server.on("tlsClientError", () => {});
  return server;
};

const listeners: Record<string, net.Server> = {
  small: listen(serve(fixedResponder(SMALL), false)),
  k64: listen(serve(fixedResponder(K64), false)),
  large: listen(serve(largeResponder(), false)),
  upload: listen(serve(fixedResponder(SMALL), true)),
};

const ports: Record<string, number> = {};
await Promise.all(
  Object.entries(listeners).map(
    ([name, server]) =>
      new Promise<void>((resolve) => {
        server.listen({ host: "127.0.0.1", port: 0, backlog: 1024 }, () => {
          ports[name] = (server.address() as net.AddressInfo).port;
          resolve();
        });
      }),
  ),
);
process.stdout.write(JSON.stringify({ ...ports, sizes: { small: SMALL.length, k64: K64.length, large: LARGE_HEAD.length + LARGE, upload: SMALL.length } }) + "\n");
