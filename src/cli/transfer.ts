// One URL of the command line, as curl transfers it: the request, retries of transient
// failures (--retry, retry.ts), redirects (-L), then the response head and body to the output.
//
// How it works: every request goes through the PoolSet (pools.ts), so transfers share
// connections. The ConnectionTracker says which connection carried each request: -v prints
// the connection and the request lines when the request is handed to it (the pool's
// `onSent`), and the response lines when its head arrives. A redirect's or a retried
// response's body is cancelled, not read; a retry starts again from the URL given.
// -m bounds each attempt (redirects included), as curl's per-transfer limit: the attempt's
// requests carry an AbortSignal that fires then, and the failure becomes curl's exit 28.
// Failures that curl reports with its own exit status are TransferFailure (22, 28, 47).

import { createReadStream, statSync } from "node:fs";
import type { Socket } from "node:net";
import type { Headers, Protocol } from "../index.js";
import type { PoolResponse, RequestBody } from "../pool/index.js";
import type { CliOptions } from "./args.js";
import type { ConnectionTracker, HeadInfo } from "./connections.js";
import { codingsOf, decodeBody } from "./decode.js";
import { TransferFailure } from "./failure.js";
import { headText, statusLine, type Sink } from "./output.js";
import type { PoolSet } from "./pools.js";
import { isRedirect, nextRequest } from "./redirect.js";
import { requestHeaders } from "./request-headers.js";
import { RetryState } from "./retry.js";
import type { VerboseLog } from "./verbose.js";
import type { TransferInfo } from "./write-out.js";

export { TransferFailure };

/** What a transfer needs. */
export interface TransferContext {
  options: CliOptions;
  pools: PoolSet;
  tracker: ConnectionTracker;
  verbose: VerboseLog | undefined;
  /** Prints a curl "Warning: ..." line on stderr (nothing under -s). */
  warn: (line: string) => void;
}

/**
 * Transfer `url` and write its output to `sink`, filling `info` (what -w reports) as it
 * goes, retrying transient failures as --retry asks. Rejects with TransferFailure (22 for
 * -f, 28 when -m runs out, 47 for too many redirects) or the pool's errors (TransportError/HTTPError reasons such
 * as `econnrefused`, `timeout`, `closed`).
 */
export async function transfer(ctx: TransferContext, url: URL, sink: Sink, info: TransferInfo): Promise<void> {
  const start = performance.now();
  const fileSize = bodyFileSize(ctx.options);
  const retry = new RetryState(ctx.options, ctx.warn);
  for (;;) {
    let wait: number | undefined;
    const limit = timeLimit(ctx.options.maxTime);
    info.sizeDownload = 0;
    try {
      wait = await attempt(ctx, url, sink, info, start, fileSize, retry, limit?.signal);
    } catch (caught) {
      let err = caught;
      if (limit?.signal.aborted === true) {
        err = new TransferFailure(28, `Operation timed out after ${Math.round(performance.now() - limit.startedAt)} milliseconds with ${info.sizeDownload} bytes received`);
      }
      info.timeTotal = (performance.now() - start) / 1000;
      wait = retry.delayAfterError(err);
      if (wait === undefined) throw err;
    } finally {
      limit?.clear();
    }
    if (wait === undefined) return;
    info.numRedirects = 0;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** One attempt, redirects included; resolves with the wait before a retry, or undefined when done. */
async function attempt(
  ctx: TransferContext, url: URL, sink: Sink, info: TransferInfo, start: number, fileSize: number | undefined, retry: RetryState,
  signal: AbortSignal | undefined,
): Promise<number | undefined> {
  const { options, verbose } = ctx;
  let method = options.method ?? (options.head ? "HEAD" : options.body !== undefined ? "POST" : "GET");
  let headers = requestHeaders(options, fileSize);
  let sendBody = options.body !== undefined;
  let current = url;

  for (;;) {
    const onSent = verbose === undefined ? undefined : sentLogger(ctx, current, method, headers);
    const response = await ctx.pools.request(current, { method, headers, body: sendBody ? bodyOf(options) : null, onSent, signal });
    const now = performance.now();
    const head = ctx.tracker.headOf(response.headers);
    describe(info, head, current, start);
    const line = statusLine(response.protocol, response.status, head?.reason);
    for (const interim of head?.interim ?? []) {
      const text = statusLine(response.protocol, interim.status, interim.reason);
      verbose?.response(text, interim.headers);
      if (options.include || options.head) await sink.write(headText(text, interim.headers));
    }
    verbose?.response(line, response.headers);
    info.httpCode = response.status;
    info.httpVersion = response.protocol === "http2" ? "2" : "1.1";
    info.timeStarttransfer = (now - start) / 1000;
    info.urlEffective = current.href;

    const wait = retry.delayAfterStatus(response.status, headerOf(response.headers, "retry-after"));
    if (wait !== undefined) {
      await response.body.cancel();
      return wait;
    }
    const location = headerOf(response.headers, "location");
    if (options.location && isRedirect(response.status) && location !== undefined) {
      const next = nextRequest(current, response.status, location, method, headers, options.keepPost, options.locationTrusted);
      if (next !== undefined) {
        if (options.include) await sink.write(headText(line, response.headers));
        await response.body.cancel();
        if (info.numRedirects >= options.maxRedirs) {
          throw new TransferFailure(47, `Maximum (${options.maxRedirs}) redirects followed`);
        }
        info.numRedirects++;
        verbose?.info(`Issue another request to this URL: '${next.url.href}'`);
        current = next.url;
        method = next.method;
        headers = next.headers;
        sendBody = sendBody && next.keepBody;
        continue;
      }
    }
    const failing = response.status >= 400 && options.fail !== "no";
    if (failing && options.fail === "fail") {
      await response.body.cancel();
      throw new TransferFailure(22, `The requested URL returned error: ${response.status}`);
    }
    if (options.include || options.head) await sink.write(headText(line, response.headers));
    const length = headerOf(response.headers, "content-length");
    if (length !== undefined && /^\d+$/.test(length)) sink.setTotal(Number(length));
    if (method === "HEAD") await response.body.cancel();
    else await writeBody(options, response, sink, info);
    await sink.end();
    const trailers = await response.trailers;
    if (trailers.length > 0) verbose?.trailers(trailers);
    info.timeTotal = (performance.now() - start) / 1000;
    verbose?.timings({
      lookup: head?.fresh && head.connection.lookupAt !== undefined ? head.connection.lookupAt - start : undefined,
      connect: info.timeConnect > 0 ? info.timeConnect * 1000 : undefined,
      tls: info.timeAppconnect > 0 ? info.timeAppconnect * 1000 : undefined,
      firstByte: info.timeStarttransfer * 1000,
      total: info.timeTotal * 1000,
    });
    if (failing) throw new TransferFailure(22, `The requested URL returned error: ${response.status}`);
    return undefined;
  }
}

function headerOf(headers: Headers, name: string): string | undefined {
  return headers.find(([n]) => n === name)?.[1];
}

/**
 * -v at the moment a request is handed to a connection: which connection (a new one, with
 * its address and TLS details, or one re-used), then the request head.
 */
function sentLogger(ctx: TransferContext, url: URL, method: string, headers: Headers): (info: { socket: Socket; protocol: Protocol }) => void {
  const verbose = ctx.verbose!;
  return ({ socket, protocol }) => {
    const tracked = ctx.tracker.bySocket(socket);
    if (tracked !== undefined) {
      if (tracked.sent++ === 0) verbose.connection(tracked.conn, url.host, ctx.options.proxy?.host, tracked.id);
      else verbose.info(`Re-using existing connection #${tracked.id} with host ${url.host}`);
    }
    const h2 = protocol === "http2";
    verbose.request(h2 ? "HTTP/2" : "HTTP/1.1", method, `${url.pathname}${url.search}`, [[h2 ? ":authority" : "host", url.host], ...headers]);
  };
}

/** -w values about the connection that carried a response. */
function describe(info: TransferInfo, head: HeadInfo | undefined, url: URL, start: number): void {
  if (head === undefined) return;
  const tracked = head.connection;
  const socket = tracked.conn.getSocket();
  info.remoteIp = socket.remoteAddress ?? "";
  info.remotePort = socket.remotePort ?? 0;
  if (head.fresh) {
    info.numConnects++;
    const https = url.protocol === "https:";
    info.timeConnect = Math.max(0, ((tracked.tcpAt ?? tracked.openAt) - start) / 1000);
    info.timeAppconnect = https ? Math.max(0, (tracked.openAt - start) / 1000) : 0;
  }
}

/** The body to send, made afresh for each attempt (a file is re-opened). */
function bodyOf(options: CliOptions): RequestBody {
  const body = options.body;
  if (body === undefined) return null;
  if (body.kind === "inline") return body.data;
  return createReadStream(body.path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Uint8Array>;
}

function bodyFileSize(options: CliOptions): number | undefined {
  if (options.body?.kind !== "file") return undefined;
  try {
    const st = statSync(options.body.path);
    if (!st.isFile()) throw new Error("not a regular file");
    return st.size;
  } catch (err) {
    throw new Error(`cannot read the body file ${options.body.path}: ${(err as Error).message}`);
  }
}

/** Write the body (decoded with --compressed), counting the bytes in `info.sizeDownload` as they go. */
async function writeBody(options: CliOptions, response: PoolResponse, sink: Sink, info: TransferInfo): Promise<void> {
  const codings = options.compressed ? codingsOf(response.headers) : [];
  const source = codings !== undefined && codings.length > 0 ? decodeBody(response.body, codings) : response.body;
  info.sizeDownload = 0;
  for await (const chunk of source) {
    info.sizeDownload += chunk.length;
    await sink.write(chunk);
  }
}

/** -m: an AbortSignal that fires after `seconds` (a fresh one per attempt), or undefined without -m. */
function timeLimit(seconds: number | undefined): { signal: AbortSignal; startedAt: number; clear(): void } | undefined {
  if (seconds === undefined) return undefined;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`--max-time ${seconds} reached`)), Math.ceil(seconds * 1000));
  return { signal: controller.signal, startedAt: performance.now(), clear: () => clearTimeout(timer) };
}
