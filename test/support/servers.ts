// Local servers for integration tests: node:http on 127.0.0.1 and a raw TCP server that
// writes crafted bytes. Each returns its port and a close() that also drops connections.

import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";

export interface Running {
  port: number;
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1 with `handler`. */
export async function startHTTPServer(handler: http.RequestListener, options: http.ServerOptions = {}): Promise<Running & { server: http.Server }> {
  const server = http.createServer({ keepAliveTimeout: 30_000, ...options }, handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP server on 127.0.0.1 whose connections are handed to `onConnection`. */
export async function startRawServer(onConnection: (socket: net.Socket) => void): Promise<Running & { sockets: Set<net.Socket> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    sockets,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A raw server that waits for each request head ("\r\n\r\n") and answers it with the next
 * of `responses` (bytes or strings written as they are); `after` runs once they are used up.
 */
export async function startScriptedServer(
  responses: Array<string | Uint8Array>,
  after: (socket: net.Socket) => void = () => {},
): Promise<Running & { sockets: Set<net.Socket>; received: () => string }> {
  let received = "";
  const server = await startRawServer((socket) => {
    let pending = "";
    let index = 0;
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      pending += chunk.toString("latin1");
      let at: number;
      while ((at = pending.indexOf("\r\n\r\n")) !== -1) {
        pending = pending.slice(at + 4);
        const response = responses[index++];
        if (response === undefined) continue;
        socket.write(response);
        if (index === responses.length) after(socket);
      }
    });
  });
  return { ...server, received: () => received };
}
