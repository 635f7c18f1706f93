// Origins for pool tests on 127.0.0.1 that echo each request's id and count receipts:
// - startEchoHTTP1: node:http; counts every request and every POST by its `x-request-id`.
// - startGoawayH2: node:http2 (h2c, or TLS with `tls`), same echo and counts; after every
//   `every` streams on a session it closes that session gracefully: a GOAWAY whose
//   last_stream_id is the last stream received (RFC 9113 §6.8), the streams up to it finish,
//   later ones are refused and must be retried by the client.
// The response body is the request id, a newline, then "." padding up to `?size=N` bytes;
// `?delay=MS` holds the response that long. Request bodies are read whole and their length
// goes back in `x-body-length`.

import { fork } from "node:child_process";
import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type * as net from "node:net";

export interface EchoOrigin {
  port: number;
  /** Requests answered, all methods. */
  readonly requests: number;
  /** POST receipts per request id: a value above 1 is a duplicate. */
  readonly posts: Map<string, number>;
  /** Sessions (HTTP/2) or TCP connections (HTTP/1) accepted. */
  readonly connections: number;
  /** Graceful GOAWAYs sent (HTTP/2). */
  readonly goaways: number;
  close(): Promise<void>;
}

/** The body echoed for `id` with `size` bytes in all. */
export function echoBody(id: string, size = 0): string {
  const head = `${id}\n`;
  return size > head.length ? head + ".".repeat(size - head.length) : head;
}

interface Counts {
  requests: number;
  posts: Map<string, number>;
  connections: number;
  goaways: number;
}

/** Read the body, count it, then answer with the echo after the optional delay. */
function answer(counts: Counts, method: string, path: string, id: string, body: AsyncIterable<Buffer>,
  respond: (status: number, headers: Record<string, string>, text: string) => void): void {
  void (async () => {
    let length = 0;
    try {
      for await (const chunk of body) length += chunk.length;
    } catch {
      return; // the client went away mid-body
    }
    counts.requests++;
    if (method === "POST") counts.posts.set(id, (counts.posts.get(id) ?? 0) + 1);
    const url = new URL(path, "http://x");
    const size = Number(url.searchParams.get("size") ?? 0);
    const delay = Number(url.searchParams.get("delay") ?? 0);
    const send = (): void => respond(200, { "content-type": "text/plain", "x-body-length": String(length) }, echoBody(id, size));
    if (delay > 0) setTimeout(send, delay);
    else send();
  })();
}

/** A node:http origin that echoes request ids and counts POST receipts. */
export async function startEchoHTTP1(): Promise<EchoOrigin> {
  const counts: Counts = { requests: 0, posts: new Map(), connections: 0, goaways: 0 };
  const sockets = new Set<net.Socket>();
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const id = String(req.headers["x-request-id"] ?? "");
    answer(counts, req.method ?? "GET", req.url ?? "/", id, req, (status, headers, text) => {
      if (res.destroyed) return;
      res.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(text)) });
      res.end(text);
    });
  });
  server.on("connection", (s: net.Socket) => {
    counts.connections++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return view(counts, (server.address() as AddressInfo).port, () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }));
}

/** A node:http2 origin (h2c, or TLS with `tls`) that sends a graceful GOAWAY every `every` streams per session. */
export async function startGoawayH2(every: number, tls?: { cert: string; key: string }): Promise<EchoOrigin> {
  const counts: Counts = { requests: 0, posts: new Map(), connections: 0, goaways: 0 };
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = tls ? http2.createSecureServer({ ...tls }) : http2.createServer();
  server.on("session", (session: http2.ServerHttp2Session) => {
    counts.connections++;
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    session.on("error", () => {});
    let streams = 0;
    session.on("stream", () => {
      if (++streams === every) {
        counts.goaways++;
        // Node sends GOAWAY(NO_ERROR, last stream received) and lets open streams finish.
        session.close();
      }
    });
  });
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    const id = String(headers["x-request-id"] ?? "");
    answer(counts, String(headers[":method"]), String(headers[":path"] ?? "/"), id, stream, (status, h, text) => {
      if (stream.destroyed || stream.closed) return;
      stream.respond({ ":status": status, ...h, "content-length": String(Buffer.byteLength(text)) });
      stream.end(text);
    });
  });
  server.on("sessionError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return view(counts, (server.address() as AddressInfo).port, async () => {
    // Wait for every session's 'close' before returning, so none is torn down at exit.
    await Promise.all([...sessions].map((s) => new Promise<void>((resolve) => {
      if (s.destroyed && !sessions.has(s)) return resolve();
      s.once("close", () => resolve());
      s.destroy();
    })));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
  });
}

/**
 * startGoawayH2 in a child process (goaway-h2-child.ts): the sessions live there, so the test's
 * own process holds only client sockets. The counts are read with `refresh()`.
 */
export async function startGoawayH2Child(every: number): Promise<EchoOrigin & { refresh(): Promise<void> }> {
  const child = fork(new URL("./goaway-h2-child.ts", import.meta.url), [String(every)], {
    execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  type Snapshot = { type: string; port?: number; requests?: number; connections?: number; goaways?: number; posts?: Array<[string, number]> };
  const next = (type: string): Promise<Snapshot> => new Promise((resolve, reject) => {
    const onMessage = (m: Snapshot): void => {
      if (m.type !== type) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(m);
    };
    const onExit = (code: number | null): void => reject(new Error(`the HTTP/2 origin process exited (${String(code)})`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
  const { port } = await next("port");
  const counts: Counts = { requests: 0, posts: new Map(), connections: 0, goaways: 0 };
  const close = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.send("close");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  return Object.assign(view(counts, port!, close), {
    async refresh(): Promise<void> {
      const answer = next("counts");
      child.send("counts");
      const m = await answer;
      counts.requests = m.requests!;
      counts.connections = m.connections!;
      counts.goaways = m.goaways!;
      counts.posts.clear();
      for (const [id, n] of m.posts!) counts.posts.set(id, n);
    },
  });
}

function view(counts: Counts, port: number, close: () => Promise<void>): EchoOrigin {
  return {
    port,
    get requests() {
      return counts.requests;
    },
    posts: counts.posts,
    get connections() {
      return counts.connections;
    },
    get goaways() {
      return counts.goaways;
    },
    close,
  };
}
