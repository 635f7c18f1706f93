// A WebSocket echo server over HTTP/2 (RFC 8441) on node:http2, for tests: the server
// allows extended CONNECT (`enableConnectProtocol`), answers `:protocol websocket` with 200
// and echoes every message with mint-http's own codec in the server role. It records the
// close code each client sent. Plain GET requests are answered too, so tests can show the
// connection serving requests while a WebSocket is open.

import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { WebSocketCodec } from "../../src/core/websocket/index.js";
import { testCerts } from "./certs.js";

export interface H2WebSocketServer {
  port: number;
  /** Close codes the clients sent, in order. */
  closeCodes: number[];
  /** :path and headers of each extended CONNECT seen. */
  connects: http2.IncomingHttpHeaders[];
  close(): Promise<void>;
}

export interface H2WebSocketServerOptions {
  tls?: boolean;
  enableConnectProtocol?: boolean;
  /** Status for extended CONNECT (default 200). */
  status?: number;
  allowHTTP1?: boolean;
  onHTTP1Request?: (httpVersion: string, headers: Record<string, unknown>) => void;
}

export async function startH2WebSocketServer(opts: H2WebSocketServerOptions = {}): Promise<H2WebSocketServer> {
  const settings = { enableConnectProtocol: opts.enableConnectProtocol ?? true };
  const certs = opts.tls ? testCerts() : undefined;
  const server = opts.tls
    ? http2.createSecureServer({ settings, key: certs!.valid.key, cert: certs!.valid.cert, allowHTTP1: opts.allowHTTP1 ?? false })
    : http2.createServer({ settings });
  const closeCodes: number[] = [];
  const connects: http2.IncomingHttpHeaders[] = [];
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });
  if (opts.allowHTTP1) {
    // A 'request' listener handles every stream (compatibility API): used only for the fallback case.
    server.on("request", (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
      if (req.httpVersion !== "2.0") opts.onHTTP1Request?.(req.httpVersion, req.headers);
      res.writeHead(req.httpVersion === "2.0" ? 200 : 426, { "content-type": "text/plain" });
      res.end("upgrade over HTTP/1.1 not served here");
    });
  } else server.on("stream", (stream, headers) => {
    if (headers[":method"] !== "CONNECT") {
      stream.respond({ ":status": 200, "content-type": "text/plain" });
      stream.end(`hello from ${headers[":path"]}`);
      return;
    }
    connects.push(headers);
    const status = opts.status ?? 200;
    if (status !== 200) {
      stream.respond({ ":status": status });
      stream.end("no");
      return;
    }
    stream.respond({ ":status": 200 });
    const codec = new WebSocketCodec({ role: "server", maxMessageSize: 256 * 1024 * 1024 });
    stream.on("data", (chunk: Buffer) => {
      for (const e of codec.receive(chunk)) {
        if (e.type === "text" || e.type === "binary") codec.send(e.data);
      }
      for (const out of codec.takeOutgoing()) stream.write(out);
      if (codec.closeInfo !== null && !stream.writableEnded) {
        closeCodes.push(codec.closeInfo.code);
        stream.end();
      }
    });
    stream.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    closeCodes,
    connects,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sessions) s.destroy();
        server.close(() => r());
      }),
  };
}
