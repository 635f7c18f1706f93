// A WebSocket echo server over HTTP/2 (RFC 8441) on node:http2, for tests: the server
// allows extended CONNECT (`enableConnectProtocol`), answers `:protocol websocket` with 200
// and echoes every message with mint-http's own codec in the server role. It records the
// close code each client sent. Plain GET requests are answered too, so tests can show the
// connection serving requests while a WebSocket is open.

import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { type CodecEvent, Opcode, PerMessageDeflate, WebSocketCodec } from "../../src/core/websocket/index.js";
import { zlibDeflateBackend } from "../../src/websocket/deflate.js";
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
  /** Accept permessage-deflate (default parameters) when offered. */
  deflate?: boolean;
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
    const offered = String(headers["sec-websocket-extensions"] ?? "").includes("permessage-deflate");
    const useDeflate = opts.deflate === true && offered;
    stream.respond(useDeflate ? { ":status": 200, "sec-websocket-extensions": "permessage-deflate" } : { ":status": 200 });
    // The server compresses with its own window and inflates the client's (parameters seen from its side).
    const ext = useDeflate
      ? new PerMessageDeflate({ clientNoContextTakeover: false, serverNoContextTakeover: false, clientMaxWindowBits: 15, serverMaxWindowBits: 15 }, zlibDeflateBackend({ clientNoContextTakeover: false, serverNoContextTakeover: false, clientMaxWindowBits: 15, serverMaxWindowBits: 15 }), 0)
      : null;
    const codec = new WebSocketCodec({ role: "server", maxMessageSize: 256 * 1024 * 1024, extensions: ext ? [ext] : [] });
    const handle = async (events: CodecEvent[]): Promise<void> => {
      for (const e of events) {
        if (e.type !== "text" && e.type !== "binary") continue;
        const bytes = typeof e.data === "string" ? new TextEncoder().encode(e.data) : e.data;
        const op = e.type === "text" ? Opcode.TEXT : Opcode.BINARY;
        if (ext === null) codec.sendMessage(op, bytes);
        else {
          const enc = await ext.encode(bytes);
          if (codec.canSend) codec.sendMessage(op, enc.data, enc.rsv);
        }
      }
      for (const out of codec.takeOutgoing()) stream.write(out);
      if (codec.closeInfo !== null && !stream.writableEnded) {
        closeCodes.push(codec.closeInfo.code);
        stream.end();
      }
    };
    const feed = async (chunk: Uint8Array): Promise<void> => {
      await handle(codec.receive(chunk));
      while (codec.pending !== null) {
        await codec.pending;
        await handle(codec.receive(new Uint8Array(0)));
      }
    };
    let chain = Promise.resolve();
    stream.on("data", (chunk: Buffer) => {
      chain = chain.then(() => feed(chunk));
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
