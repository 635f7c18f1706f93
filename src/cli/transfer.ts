// One URL of the command line, as curl transfers it: the request, retries of transient
// failures (--retry), redirects (-L), then the response head and body to the output.
//
// How it works: every request goes through the PoolSet (pools.ts), so transfers share
// connections. The ConnectionTracker says which connection carried each response (for -v,
// the timings and -w). A redirect's or a retried response's body is cancelled, not read.
// Failures that curl reports with its own exit status are TransferFailure (22, 47).

import { createReadStream, statSync } from "node:fs";
import { MintError } from "../index.js";
import type { PoolResponse, RequestBody } from "../pool/index.js";
import type { CliOptions } from "./args.js";
import type { ConnectionTracker, HeadInfo } from "./connections.js";
import { codingsOf, decodeBody } from "./decode.js";
import { headText, statusLine, type Sink } from "./output.js";
import type { PoolSet } from "./pools.js";
import { isRedirect, nextRequest } from "./redirect.js";
import { requestHeaders } from "./request-headers.js";
import type { VerboseLog } from "./verbose.js";
import type { TransferInfo } from "./write-out.js";

/** A failure curl reports with a given exit status. */
export class TransferFailure extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.name = "TransferFailure";
    this.exitCode = exitCode;
  }
}

/** What a transfer needs. */
export interface TransferContext {
  options: CliOptions;
  pools: PoolSet;
  tracker: ConnectionTracker;
  verbose: VerboseLog | undefined;
}

// curl --retry: "a timeout, ... or an HTTP 408, 429, 500, 502, 503 or 504 response code".
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const RETRY_REASONS = new Set(["timeout", "headers_timeout", "body_timeout", "queue_timeout"]);

/**
 * Transfer `url` and write its output to `sink`, filling `info` (what -w reports) as it
 * goes. Rejects with TransferFailure (22 for -f, 47 for too many redirects) or the pool's
 * errors (TransportError/HTTPError reasons such as `econnrefused`, `timeout`, `closed`).
 */
export async function transfer(ctx: TransferContext, url: URL, sink: Sink, info: TransferInfo): Promise<void> {
  const { options, verbose } = ctx;
  const start = performance.now();
  const fileSize = bodyFileSize(options);
  let method = options.method ?? (options.head ? "HEAD" : options.body !== undefined ? "POST" : "GET");
  let headers = requestHeaders(options, fileSize);
  let sendBody = options.body !== undefined;
  let retriesLeft = options.retry;
  let current = url;

  for (;;) {
    let response: PoolResponse;
    try {
      response = await ctx.pools.request(current, { method, headers, body: sendBody ? bodyOf(options) : null });
    } catch (err) {
      info.timeTotal = (performance.now() - start) / 1000;
      if (retriesLeft > 0 && err instanceof MintError && RETRY_REASONS.has(err.reason)) {
        await pause(retryDelay(options, options.retry - retriesLeft--, undefined), verbose, err.message);
        continue;
      }
      throw err;
    }
    const now = performance.now();
    const head = ctx.tracker.headOf(response.headers);
    describe(ctx, info, head, current, start);
    verbose?.request(response.protocol === "http2" ? "HTTP/2" : "HTTP/1.1", method, `${current.pathname}${current.search}`,
      [[response.protocol === "http2" ? ":authority" : "host", current.host], ...headers]);
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

    if (retriesLeft > 0 && RETRY_STATUSES.has(response.status)) {
      await response.body.cancel();
      const after = response.headers.find(([n]) => n === "retry-after")?.[1];
      await pause(retryDelay(options, options.retry - retriesLeft--, after), verbose, `HTTP error ${response.status}`);
      continue;
    }
    const location = response.headers.find(([n]) => n === "location")?.[1];
    if (options.location && isRedirect(response.status) && location !== undefined) {
      const next = nextRequest(current, response.status, location, method, headers, options.keepPost);
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
    const length = response.headers.find(([n]) => n === "content-length")?.[1];
    if (length !== undefined && /^\d+$/.test(length)) sink.setTotal(Number(length));
    if (method === "HEAD") await response.body.cancel();
    else info.sizeDownload = await writeBody(options, response, sink);
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
    return;
  }
}

/** -v lines and -w values about the connection that carried a response. */
function describe(ctx: TransferContext, info: TransferInfo, head: HeadInfo | undefined, url: URL, start: number): void {
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
    ctx.verbose?.connection(tracked.conn, url.host, ctx.options.proxy?.host, tracked.id);
  } else {
    ctx.verbose?.info(`Re-using existing connection #${tracked.id} with host ${url.host}`);
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

/** Write the body (decoded with --compressed); returns the bytes written. */
async function writeBody(options: CliOptions, response: PoolResponse, sink: Sink): Promise<number> {
  const codings = options.compressed ? codingsOf(response.headers) : [];
  const source = codings !== undefined && codings.length > 0 ? decodeBody(response.body, codings) : response.body;
  let n = 0;
  for await (const chunk of source) {
    n += chunk.length;
    await sink.write(chunk);
  }
  return n;
}

/** curl's retry wait: Retry-After when given, else --retry-delay, else 1 s doubling (at most 10 min). */
function retryDelay(options: CliOptions, attempt: number, retryAfter: string | undefined): number {
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter.trim())) return Number(retryAfter.trim()) * 1000;
  if (options.retryDelayMs !== undefined) return options.retryDelayMs;
  return Math.min(600_000, 1000 * 2 ** attempt);
}

async function pause(ms: number, verbose: VerboseLog | undefined, why: string): Promise<void> {
  verbose?.info(`${why}; will retry in ${(ms / 1000).toFixed(1)} seconds`);
  await new Promise((resolve) => setTimeout(resolve, ms));
}

