// A test proxy (forward + CONNECT) written with node:http on 127.0.0.1, and origin servers
// that echo what they received, for the proxy integration tests.
//
// The proxy records every request it saw (method, url, headers). Options make it require
// Basic credentials (407 otherwise), stall on CONNECT, answer CONNECT with another status or
// with bytes of its own, append bytes to its 200 reply in the same write, rewrite where it
// connects to, or listen over TLS (an "https" proxy).

import * as http from "node:http";
import * as http2 from "node:http2";
import * as https from "node:https";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import type * as tls from "node:tls";

/** What the proxy saw. */
export interface SeenRequest {
  method: string;
  url: string;
  /** Raw header pairs, names lowercased, order kept. */
  headers: Array<[string, string]>;
}

export interface ProxyServerOptions {
  /** Require `proxy-authorization: Basic base64(user:password)`; 407 otherwise. */
  auth?: { user: string; password: string };
  /** Close the connection on CONNECT without answering. */
  dropConnect?: boolean;
  /** Never answer CONNECT. */
  stallConnect?: boolean;
  /** Answer CONNECT with this status (and close) instead of tunnelling. */
  connectStatus?: number;
  /** Answer CONNECT with exactly these bytes (then keep the socket open, doing nothing). */
  connectRawReply?: string | Buffer;
  /** Bytes written together with the 200 reply to CONNECT, in the same write. */
  afterReply?: Buffer;
  /** Extra headers in the 200 reply to CONNECT. */
  replyHeaders?: Array<[string, string]>;
  /** Map the requested host and port to where the proxy really connects. */
  rewrite?: (host: string, port: number) => { host: string; port: number };
  /** Listen over TLS with this certificate (an https proxy). */
  tls?: { cert: string; key: string };
}

export interface ProxyServer {
  port: number;
  seen: SeenRequest[];
  /** Client sockets currently open on the proxy (CONNECT and forward). */
  openSockets(): number;
  /** Resolves once no client socket is open, or rejects after `ms`. */
  waitForNoSockets(ms?: number): Promise<void>;
  close(): Promise<void>;
}

function pairs(raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
  return out;
}

// RFC 9110 §7.6.1: hop-by-hop fields are not forwarded (nor are the proxy's credentials).
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate"]);

function endToEnd(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

function splitHostPort(authority: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(authority) ?? /^([^:]+):(\d+)$/.exec(authority);
  if (m === null) return { host: authority, port: 443 };
  return { host: m[1]!, port: Number(m[2]) };
}

/** Start the test proxy on 127.0.0.1 (random port). */
export async function startProxy(options: ProxyServerOptions = {}): Promise<ProxyServer> {
  const seen: SeenRequest[] = [];
  const clientSockets = new Set<net.Socket>();
  const upstreams = new Set<net.Socket>();
  const rewrite = options.rewrite ?? ((host: string, port: number) => ({ host, port }));
  const expected = options.auth ? `Basic ${Buffer.from(`${options.auth.user}:${options.auth.password}`).toString("base64")}` : undefined;
  const authorized = (req: http.IncomingMessage): boolean => expected === undefined || req.headers["proxy-authorization"] === expected;

  const onRequest: http.RequestListener = (req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: pairs(req.rawHeaders) });
    if (!authorized(req)) {
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"', "content-length": "0" });
      res.end();
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? "");
    } catch {
      res.writeHead(400, { "content-length": "0" });
      res.end();
      return;
    }
    const port = url.port === "" ? 80 : Number(url.port);
    const to = rewrite(url.hostname.replace(/^\[|\]$/g, ""), port);
    const headers = endToEnd(req.rawHeaders);
    const upstream = http.request(
      { host: to.host, port: to.port, method: req.method, path: `${url.pathname}${url.search}`, headers, setHost: false, agent: false },
      (up) => {
        res.writeHead(up.statusCode ?? 502, endToEnd(up.rawHeaders));
        up.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-length": "0" });
      res.end();
    });
    req.pipe(upstream);
  };

  const onConnect = (req: http.IncomingMessage, socket: net.Socket, head: Buffer): void => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: pairs(req.rawHeaders) });
    clientSockets.add(socket);
    socket.on("close", () => clientSockets.delete(socket));
    socket.on("error", () => {});
    // The http server hands over CONNECT sockets half-open: a client's FIN must close them
    // (the tunnel case ends through the pipes instead).
    const closeOnEnd = (): void => {
      socket.destroy();
    };
    socket.once("end", closeOnEnd);
    if (!authorized(req)) {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm="test"\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    if (options.stallConnect) return;
    if (options.dropConnect) {
      socket.end();
      return;
    }
    if (options.connectRawReply !== undefined) {
      socket.write(options.connectRawReply);
      return;
    }
    if (options.connectStatus !== undefined) {
      socket.end(`HTTP/1.1 ${options.connectStatus} ${http.STATUS_CODES[options.connectStatus] ?? "Other"}\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    const target = splitHostPort(req.url ?? "");
    const to = rewrite(target.host, target.port);
    const upstream = net.connect(to.port, to.host);
    upstreams.add(upstream);
    upstream.on("close", () => {
      upstreams.delete(upstream);
      socket.destroy();
    });
    upstream.on("error", () => {
      socket.end("HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
    });
    socket.on("close", () => upstream.destroy());
    upstream.once("connect", () => {
      socket.removeListener("end", closeOnEnd);
      const extra = (options.replyHeaders ?? [["x-proxy", "test-proxy"]]).map(([n, v]) => `${n}: ${v}\r\n`).join("");
      const reply = Buffer.from(`HTTP/1.1 200 Connection Established\r\n${extra}\r\n`, "latin1");
      socket.write(options.afterReply ? Buffer.concat([reply, options.afterReply]) : reply);
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
  };

  const server: http.Server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, onRequest)
    : http.createServer(onRequest);
  server.on("connect", onConnect);
  // Sockets of forward requests (the CONNECT ones are tracked in onConnect).
  server.on(options.tls ? "secureConnection" : "connection", (socket: net.Socket | tls.TLSSocket) => {
    clientSockets.add(socket);
    socket.on("close", () => clientSockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    port: (server.address() as AddressInfo).port,
    seen,
    openSockets: () => clientSockets.size,
    async waitForNoSockets(ms = 2000) {
      const until = Date.now() + ms;
      while (clientSockets.size > 0) {
        if (Date.now() > until) throw new Error(`${clientSockets.size} client socket(s) still open on the proxy`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of clientSockets) s.destroy();
        for (const s of upstreams) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What an origin saw; each origin answers with this as JSON. */
export interface OriginEcho {
  method: string;
  url: string;
  httpVersion: string;
  /** Host, or :authority over HTTP/2. */
  authority: string;
  headers: Array<[string, string]>;
}

export interface Origin {
  port: number;
  seen: OriginEcho[];
  close(): Promise<void>;
}

function echo(req: http.IncomingMessage | http2.Http2ServerRequest, seen: OriginEcho[]): string {
  const authority = req.httpVersion === "2.0" ? ((req as http2.Http2ServerRequest).authority ?? "") : (req.headers.host ?? "");
  const e: OriginEcho = { method: req.method ?? "", url: req.url ?? "", httpVersion: req.httpVersion, authority, headers: pairs(req.rawHeaders) };
  seen.push(e);
  return JSON.stringify(e);
}

/** A plain node:http origin on 127.0.0.1 that answers every request with its echo. */
export async function startHTTPOrigin(): Promise<Origin> {
  const seen: OriginEcho[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const body = echo(req, seen);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A TLS origin on `host` (127.0.0.1 by default) speaking HTTP/2 and HTTP/1.1 (ALPN), answering
 * every request with its echo.
 */
export async function startTLSOrigin(cert: { cert: string; key: string }, host = "127.0.0.1"): Promise<Origin> {
  const seen: OriginEcho[] = [];
  const sockets = new Set<net.Socket>();
  const server = http2.createSecureServer({ cert: cert.cert, key: cert.key, allowHTTP1: true }, (req, res) => {
    req.resume();
    req.on("end", () => {
      const body = echo(req, seen);
      res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) });
      res.end(body);
    });
  });
  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  // A handshake that fails (an untrusted certificate) must not crash the test process.
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
