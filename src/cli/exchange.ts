// One request and its response, for the mint-http command, through the public API only.
//
// How it works: the connection is opened in passive mode, so this file drives every read.
// The request is sent (a file body with STREAM, then chunk by chunk), and `recv` is called
// until the response's "done" part. For a file body on HTTP/2, a chunk is sent only as far as
// the send window allows; when the window is empty, reading the connection is what lets the
// WINDOW_UPDATE frames in, so the upload waits by calling `recv` (and handles any response
// parts that come meanwhile). Interim 1xx responses are printed (with -i / -v) and skipped.

import { createReadStream, createWriteStream, statSync, type WriteStream } from "node:fs";
import type { Socket } from "node:net";
import {
  basicProxyAuth, connect, EOF, MintError, STREAM,
  type Body, type Connection, type ConnectOptions, type Headers, type RequestRef, type ResponsePart, type Scheme,
} from "../index.js";
import type { CliOptions } from "./args.js";
import { ProgressBar } from "./progress.js";
import { TimingRecorder, VerboseLog } from "./verbose.js";
import { packageVersion } from "./version.js";

/** Where the CLI writes: stdout and stderr streams (swappable for tests). */
export interface CliIO {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Size of one read from a body file. */
const FILE_CHUNK = 64 * 1024;

/** Run the exchange described by `options`. Resolves once the whole body is written. */
export async function fetchOnce(options: CliOptions, io: CliIO): Promise<void> {
  const start = performance.now();
  const verbose = options.verbose ? new VerboseLog(io.stderr) : undefined;
  const url = options.url;
  const scheme: Scheme = url.protocol === "https:" ? "https" : "http";
  const port = url.port !== "" ? Number(url.port) : scheme === "https" ? 443 : 80;
  const path = `${url.pathname || "/"}${url.search}`;

  let fileSize: number | undefined;
  if (options.body?.kind === "file") {
    try {
      const st = statSync(options.body.path);
      if (!st.isFile()) throw new Error("not a regular file");
      fileSize = st.size;
    } catch (err) {
      throw new Error(`cannot read the body file ${options.body.path}: ${(err as Error).message}`);
    }
  }

  const connectOpts = connectOptions(options);
  const timing = new TimingRecorder(start);
  let conn: Connection;
  try {
    verbose?.info(`Connecting to ${url.host}${options.proxy ? ` through proxy ${options.proxy.host}` : ""}`);
    conn = await connect(scheme, url.hostname, port, connectOpts);
  } finally {
    timing.stop();
  }
  timing.timings.tls = scheme === "https" ? timing.elapsed() : undefined;
  if (scheme === "http") timing.timings.connect ??= timing.elapsed();

  const sink = new Sink(options.output, io, options.output !== undefined && io.stderr.isTTY === true);
  try {
    verbose?.connection(conn, url.host, options.proxy?.host);
    const method = options.method ?? (options.body !== undefined ? "POST" : "GET");
    const headers = requestHeaders(options, fileSize);
    const body: Body = options.body === undefined ? null : options.body.kind === "inline" ? options.body.data : STREAM;
    const ref = conn.request(method, path, headers, body);
    verbose?.request(conn.protocol === "http2" ? "HTTP/2" : "HTTP/1.1", method, path,
      [[conn.protocol === "http2" ? ":authority" : "host", url.host], ...headers]);

    const response = new ResponseReader(conn, ref, options, sink, verbose, () => {
      timing.timings.firstByte ??= timing.elapsed();
    });
    if (options.body?.kind === "file") await uploadFile(conn, ref, options.body.path, response);
    while (!response.finished) await response.readOnce();
    await sink.end();
    timing.timings.total = timing.elapsed();
    verbose?.timings(timing.timings);
  } finally {
    sink.abort();
    await conn.close();
  }
}

function connectOptions(options: CliOptions): ConnectOptions {
  const transportOpts: Record<string, unknown> = {};
  if (options.cacert !== undefined) transportOpts.cacertfile = options.cacert;
  if (options.insecure) transportOpts.verify = "verify_none";
  if (options.maxTime !== undefined) transportOpts.timeout = Math.ceil(options.maxTime * 1000);
  const opts: ConnectOptions = { mode: "passive", transportOpts, optionalResponses: ["status_reason"] };
  if (options.protocols !== undefined) opts.protocols = options.protocols;
  const proxy = options.proxy;
  if (proxy !== undefined) {
    const proxyScheme: Scheme = proxy.protocol === "https:" ? "https" : "http";
    opts.proxy = {
      scheme: proxyScheme,
      address: proxy.hostname,
      port: proxy.port !== "" ? Number(proxy.port) : proxyScheme === "https" ? 443 : 80,
      opts: { transportOpts: { ...transportOpts } },
    };
    if (proxy.username !== "" || proxy.password !== "") {
      opts.proxyHeaders = [basicProxyAuth(decodeURIComponent(proxy.username), decodeURIComponent(proxy.password))];
    }
  }
  return opts;
}

/** The caller's -H headers, plus user-agent, accept and the body's type and length. */
function requestHeaders(options: CliOptions, fileSize: number | undefined): Headers {
  const given = new Set(options.headers.map(([name]) => name.toLowerCase()));
  const skip = (name: string): boolean => given.has(name) || options.removedHeaders.includes(name);
  const headers: Headers = [];
  if (!skip("user-agent")) headers.push(["user-agent", `mint-http/${packageVersion()}`]);
  if (!skip("accept")) headers.push(["accept", "*/*"]);
  if (options.body !== undefined && !skip("content-type")) headers.push(["content-type", "application/x-www-form-urlencoded"]);
  if (fileSize !== undefined && !skip("content-length")) headers.push(["content-length", String(fileSize)]);
  headers.push(...options.headers);
  return headers;
}

/**
 * Stream the file as the request body, never more than the send window allows; when the
 * window is empty, read the connection (the server's WINDOW_UPDATE frames arrive that way).
 */
async function uploadFile(conn: Connection, ref: RequestRef, path: string, response: ResponseReader): Promise<void> {
  const file = createReadStream(path, { highWaterMark: FILE_CHUNK });
  try {
    for await (const buffer of file as AsyncIterable<Buffer>) {
      let chunk = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      while (chunk.length > 0) {
        if (response.finished) return; // The server answered (and ended) before the upload did.
        const window = sendWindow(conn, ref);
        if (window <= 0) {
          await response.readOnce();
          continue;
        }
        const n = Math.min(window, chunk.length);
        conn.streamRequestBody(ref, chunk.subarray(0, n));
        chunk = chunk.subarray(n);
        await drained(conn.getSocket());
      }
    }
  } finally {
    file.destroy();
  }
  if (!response.finished) conn.streamRequestBody(ref, EOF);
}

/** How many body bytes may go now: the request's window, capped by the connection's on HTTP/2. */
function sendWindow(conn: Connection, ref: RequestRef): number {
  const window = conn.requestBodyWindow(ref);
  if (conn.protocol !== "http2") return window;
  return Math.min(window, conn.getWindowSize("connection"));
}

/** Resolves once the socket has room for more writes (or is gone). */
function drained(socket: Socket): Promise<void> {
  if (!socket.writableNeedDrain || socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off("drain", done);
      socket.off("close", done);
      resolve();
    };
    socket.on("drain", done);
    socket.on("close", done);
  });
}

/** Reads the connection and turns the parts of one request into output. */
class ResponseReader {
  finished = false;
  #interim = false;
  #status: number | undefined;
  #reason: string | undefined;
  #headersSeen = false;
  readonly #conn: Connection;
  readonly #ref: RequestRef;
  readonly #options: CliOptions;
  readonly #sink: Sink;
  readonly #verbose: VerboseLog | undefined;
  readonly #onFirstByte: () => void;

  constructor(conn: Connection, ref: RequestRef, options: CliOptions, sink: Sink, verbose: VerboseLog | undefined, onFirstByte: () => void) {
    this.#conn = conn;
    this.#ref = ref;
    this.#options = options;
    this.#sink = sink;
    this.#verbose = verbose;
    this.#onFirstByte = onFirstByte;
  }

  /** One `recv`, its parts handled. Throws the request's or the connection's error. */
  async readOnce(): Promise<void> {
    let parts: ResponsePart[];
    try {
      parts = await this.#conn.recv(0);
    } catch (err) {
      // Parts parsed before a connection failure still count (e.g. a body ended by close).
      if (err instanceof MintError && err.parts !== undefined) await this.#handle(err.parts);
      if (this.finished) return;
      throw err;
    }
    await this.#handle(parts);
    if (!this.finished && !this.#conn.isOpen("read")) {
      throw new Error("the connection closed before the response was complete");
    }
  }

  async #handle(parts: ResponsePart[]): Promise<void> {
    for (const part of parts) {
      if (part.ref !== this.#ref || this.finished) continue;
      switch (part.type) {
        case "status":
          this.#onFirstByte();
          this.#status = part.status;
          this.#reason = undefined;
          this.#interim = part.status >= 100 && part.status < 200 && part.status !== 101;
          break;
        case "status_reason":
          this.#reason = part.reason;
          break;
        case "headers":
          if (this.#headersSeen) {
            this.#verbose?.trailers(part.headers);
            break;
          }
          await this.#onHeaders(part.headers);
          break;
        case "data":
          await this.#sink.write(part.data);
          break;
        case "done":
          this.finished = true;
          break;
        case "error":
          throw part.error;
        default:
          break;
      }
    }
  }

  async #onHeaders(headers: Headers): Promise<void> {
    const line = this.#statusLine();
    this.#verbose?.response(line, headers);
    if (this.#options.include) {
      let text = `${line}\r\n`;
      for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
      await this.#sink.write(Buffer.from(`${text}\r\n`, "latin1"));
    }
    if (this.#interim) return; // A 1xx: the final status is still to come.
    this.#headersSeen = true;
    const length = headers.find(([name]) => name === "content-length");
    if (length !== undefined && /^\d+$/.test(length[1])) this.#sink.setTotal(Number(length[1]));
  }

  #statusLine(): string {
    if (this.#conn.protocol === "http2") return `HTTP/2 ${this.#status}`;
    return `HTTP/1.1 ${this.#status}${this.#reason !== undefined ? ` ${this.#reason}` : ""}`;
  }
}

/** Where the body goes: stdout or a file (with a progress bar on a terminal). */
class Sink {
  readonly #stream: NodeJS.WritableStream;
  readonly #file: WriteStream | undefined;
  readonly #progress: ProgressBar | undefined;
  #error: Error | undefined;

  constructor(output: string | undefined, io: CliIO, showProgress: boolean) {
    if (output === undefined) {
      this.#stream = io.stdout;
    } else {
      this.#file = createWriteStream(output);
      this.#file.on("error", (err) => (this.#error ??= new Error(`cannot write ${output}: ${err.message}`)));
      this.#stream = this.#file;
      if (showProgress) this.#progress = new ProgressBar(io.stderr);
    }
  }

  setTotal(total: number): void {
    this.#progress?.setTotal(total);
  }

  /** Write, waiting when the stream asks to (back pressure reaches the socket: we stop reading). */
  write(data: Uint8Array): Promise<void> | void {
    if (this.#error !== undefined) throw this.#error;
    this.#progress?.add(data.length);
    if (this.#stream.write(data)) return;
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        this.#stream.off("error", onError);
        resolve();
      };
      const onError = (err: Error): void => {
        this.#stream.off("drain", onDrain);
        reject(this.#error ?? err);
      };
      this.#stream.once("drain", onDrain);
      this.#stream.once("error", onError);
    });
  }

  /** Finish the output: close the file (waiting for it) or leave stdout open. */
  async end(): Promise<void> {
    this.#progress?.finish();
    const file = this.#file;
    if (file === undefined) return;
    if (this.#error !== undefined) throw this.#error;
    await new Promise<void>((resolve, reject) => {
      file.once("error", () => reject(this.#error));
      file.end(() => resolve());
    });
  }

  /** Release the file on a failure path (no-op after end). */
  abort(): void {
    if (this.#file !== undefined && !this.#file.closed) this.#file.destroy();
  }
}
