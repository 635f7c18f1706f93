// The command line of `mint-http load URL`: what to send, how hard, for how long.
//
// `-d` means duration here (as in wrk and autocannon); the request body is `--data`,
// `--data-raw` or `--data-binary` (`@FILE` reads a file once, before the run).

import { readFileSync } from "node:fs";
import type { Headers, Protocol } from "../index.js";
import { parseTargetURL } from "./args.js";
import { durationMs, positiveNumber, tokenize, UsageError } from "./option-parser.js";

/** What a load run asks for. */
export interface LoadOptions {
  url: URL;
  method: string;
  headers: Headers;
  body: Uint8Array | null;
  connections: number;
  /** HTTP/2 streams, or HTTP/1 pipelined requests, in flight per connection. */
  inFlight: number;
  /** Total requests (closed loop ends after them), or undefined for a duration. */
  requests: number | undefined;
  /** Run length in ms when `requests` is undefined. */
  durationMs: number;
  /** Open loop: requests per second over all connections. */
  rate: number | undefined;
  /** A request without its response for this long fails with "timeout" (ms). */
  timeoutMs: number;
  protocols: Protocol[] | undefined;
  insecure: boolean;
  cacert: string | undefined;
  json: boolean;
}

const VALUED: Record<string, string> = {
  "-c": "connections", "--connections": "connections",
  "-m": "streams", "--max-concurrent-streams": "streams", "-p": "streams", "--pipelining": "streams",
  "-n": "requests", "--requests": "requests",
  "-d": "duration", "--duration": "duration",
  "-X": "request", "--request": "request",
  "-H": "header", "--header": "header",
  "--data": "data", "--data-raw": "data", "--data-binary": "data",
  "--rate": "rate",
  "-t": "timeout", "--timeout": "timeout",
  "--cacert": "cacert",
};

const FLAGS: Record<string, string> = {
  "-k": "insecure", "--insecure": "insecure",
  "--json": "json",
  "-h": "help", "--help": "help",
  "--http1.1": "http1.1",
  "--http2": "http2",
  "--http2-prior-knowledge": "http2",
};

/** Every spelling of every `load` option (what its `--help` must list). */
export const LOAD_OPTION_SPELLINGS: readonly string[] = [...Object.keys(VALUED), ...Object.keys(FLAGS)];

/** Parse the arguments after `load`. Returns undefined for --help. Throws UsageError. */
export function parseLoadArgs(argv: readonly string[]): LoadOptions | undefined {
  const t = tokenize(argv, { valued: VALUED, flags: FLAGS });
  if (t.flags.has("help")) return undefined;
  if (t.positional.length !== 1) throw new UsageError(`load takes exactly one URL (got ${t.positional.length})`);
  if (t.flags.has("http1.1") && t.flags.has("http2")) throw new UsageError("--http1.1 and --http2 cannot be used together");
  const opts: LoadOptions = {
    url: parseTargetURL(t.positional[0]!),
    method: "GET",
    headers: [],
    body: null,
    connections: 10,
    inFlight: 1,
    requests: undefined,
    durationMs: 10_000,
    rate: undefined,
    timeoutMs: 10_000,
    protocols: t.flags.has("http1.1") ? ["http1"] : t.flags.has("http2") ? ["http2"] : undefined,
    insecure: t.flags.has("insecure"),
    cacert: undefined,
    json: t.flags.has("json"),
  };
  let method: string | undefined;
  let duration = false;
  for (const [name, value] of t.values) {
    switch (name) {
      case "connections": opts.connections = positiveNumber("-c", value, true); break;
      case "streams": opts.inFlight = positiveNumber("-m", value, true); break;
      case "requests": opts.requests = positiveNumber("-n", value, true); break;
      case "duration": opts.durationMs = durationMs("-d", value); duration = true; break;
      case "rate": opts.rate = positiveNumber("--rate", value); break;
      case "timeout": opts.timeoutMs = durationMs("--timeout", value); break;
      case "cacert": opts.cacert = value; break;
      case "request":
        if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value)) throw new UsageError(`invalid method ${JSON.stringify(value)}`);
        method = value;
        break;
      case "header": {
        const colon = value.indexOf(":");
        if (colon <= 0) throw new UsageError(`header ${JSON.stringify(value)} is not in the form 'name: value'`);
        opts.headers.push([value.slice(0, colon).trim(), value.slice(colon + 1).trim()]);
        break;
      }
      case "data":
        opts.body = value.startsWith("@") ? readBodyFile(value.slice(1)) : new TextEncoder().encode(value);
        break;
    }
  }
  if (opts.requests !== undefined && duration) throw new UsageError("-n and -d cannot be used together");
  if (opts.requests !== undefined && opts.requests < opts.connections) opts.connections = opts.requests;
  opts.method = method ?? (opts.body !== null ? "POST" : "GET");
  const names = new Set(opts.headers.map(([n]) => n.toLowerCase()));
  if (opts.body !== null && !names.has("content-type")) opts.headers.push(["content-type", "application/x-www-form-urlencoded"]);
  return opts;
}

function readBodyFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`cannot read the body file ${path}: ${(err as Error).message}`);
  }
}

/** The text of `mint-http load --help`. */
export const LOAD_HELP = `Usage: mint-http load [options] URL

Sends requests as fast as the server answers (or at --rate) and prints a summary:
requests/s, transfer rate, status codes, errors by reason and latency percentiles.

Load:
  -c, --connections N      connections to open (default 10)
  -m, --max-concurrent-streams N
                           requests in flight per connection: HTTP/2 streams, or HTTP/1
                           pipelined requests (default 1); also -p, --pipelining
  -n, --requests N         send N requests in all, then stop
  -d, --duration TIME      run for TIME (10, 10s, 500ms, 1m; default 10s)
      --rate R             open loop: R requests/s in all, on a fixed schedule; latency is
                           measured from each request's scheduled time, so a slow server
                           shows up in the percentiles instead of slowing the senders
  -t, --timeout TIME       a connect or request not done after TIME fails (default 10s)

Request:
  -X, --request METHOD     method (default GET, or POST with a body)
  -H, --header 'N: V'      add a request header (repeatable)
      --data DATA          request body (@FILE reads a file); also --data-raw, --data-binary
      --http1.1            HTTP/1.1 only
      --http2              HTTP/2 only (over http: prior knowledge, h2c)
      --http2-prior-knowledge
                           the same, under curl's name
  -k, --insecure           do not verify the server certificate
      --cacert FILE        trust the CA certificates in the PEM FILE

Output:
      --json               print the summary as one JSON object
  -h, --help               show this help

A live progress line is drawn on stderr when it is a terminal. Exit status 0 when the run
completed (whatever the responses), 2 for a bad command line, 1 when no connection opened.
`;
