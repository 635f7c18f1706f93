// Command-line parsing for `mint-http [options] URL...`, curl's option names and meanings.
//
// The tokenizer (option-parser.ts) splits the command line; this file turns the tokens into
// CliOptions and checks them. A problem with the command line is a UsageError (exit code 2).

import type { Headers, Protocol } from "../index.js";
import { HELP } from "./help.js";
import { positiveNumber, tokenize, UsageError } from "./option-parser.js";

export { UsageError, HELP };

/** Where a request body comes from. */
export type BodySource =
  | { kind: "inline"; data: string }
  | { kind: "file"; path: string };

/** --resolve host:port:addr and --connect-to host1:port1:host2:port2 rules. */
export interface Reroute {
  host: string;
  port: number | undefined;
  toHost: string;
  toPort: number | undefined;
}

/** Everything the command line asked for. */
export interface CliOptions {
  /** The first URL (all of them are in `urls`). */
  url: URL;
  urls: URL[];
  /** Explicit -X; otherwise GET, HEAD with -I, or POST when there is a body. */
  method: string | undefined;
  /** -H headers in order. */
  headers: Headers;
  /** Header names given as `name:` to suppress a default header (lowercase). */
  removedHeaders: string[];
  body: BodySource | undefined;
  /** --json: the body is JSON (content-type and accept set as curl does). */
  json: boolean;
  include: boolean;
  verbose: boolean;
  head: boolean;
  silent: boolean;
  showError: boolean;
  fail: "no" | "fail" | "with-body";
  location: boolean;
  maxRedirs: number;
  /** --post301/--post302/--post303: keep POST across that redirect status. */
  keepPost: Set<number>;
  compressed: boolean;
  writeOut: string | undefined;
  /** -u user:password (Basic); without a colon the password is asked for (password-prompt.ts). */
  user: string | undefined;
  userAgent: string | undefined;
  referer: string | undefined;
  reroutes: Reroute[];
  retry: number;
  /** Delay between retries in ms, or undefined for curl's doubling from 1 s. */
  retryDelayMs: number | undefined;
  /** --retry-max-time: no retry starts once this many ms have passed since the first attempt. */
  retryMaxTimeMs: number | undefined;
  /** --retry-connrefused: a refused connection is transient too. */
  retryConnrefused: boolean;
  /** --retry-all-errors: every failure is transient. */
  retryAllErrors: boolean;
  /** --location-trusted: credentials follow redirects to other origins. */
  locationTrusted: boolean;
  parallel: boolean;
  /** Forced protocol list, or undefined to negotiate. */
  protocols: Protocol[] | undefined;
  proxy: URL | undefined;
  cacert: string | undefined;
  insecure: boolean;
  /** The first -o (kept for the single-URL case); see `outputs`. */
  output: string | undefined;
  /** Each -o in order: the i-th goes with the i-th URL, as in curl; URLs past them go to stdout. */
  outputs: string[];
  /** Whole-operation limit in seconds. */
  maxTime: number | undefined;
  /** Connect limit in seconds. */
  connectTimeout: number | undefined;
}

/** What the command line asks the program to do. */
export type Command =
  | { action: "help" }
  | { action: "version" }
  | { action: "fetch"; options: CliOptions };

// Options taking a value, by every spelling, mapped to one canonical name.
const VALUED: Record<string, string> = {
  "-X": "request", "--request": "request",
  "-H": "header", "--header": "header",
  "-d": "data", "--data": "data", "--data-raw": "data-raw", "--data-ascii": "data",
  "--data-binary": "data-binary",
  "--json": "json",
  "-x": "proxy", "--proxy": "proxy",
  "--cacert": "cacert",
  "-o": "output", "--output": "output",
  "-m": "max-time", "--max-time": "max-time",
  "--connect-timeout": "connect-timeout",
  "--max-redirs": "max-redirs",
  "-w": "write-out", "--write-out": "write-out",
  "-u": "user", "--user": "user",
  "-A": "user-agent", "--user-agent": "user-agent",
  "-e": "referer", "--referer": "referer",
  "--resolve": "resolve",
  "--connect-to": "connect-to",
  "--retry": "retry",
  "--retry-delay": "retry-delay",
  "--retry-max-time": "retry-max-time",
};

// Flags, by every spelling.
const FLAGS: Record<string, string> = {
  "-i": "include", "--include": "include",
  "-v": "verbose", "--verbose": "verbose",
  "-k": "insecure", "--insecure": "insecure",
  "-h": "help", "--help": "help",
  "-V": "version", "--version": "version",
  "-I": "head", "--head": "head",
  "-s": "silent", "--silent": "silent",
  "-S": "show-error", "--show-error": "show-error",
  "-f": "fail", "--fail": "fail",
  "--fail-with-body": "fail-with-body",
  "-L": "location", "--location": "location",
  "--location-trusted": "location-trusted",
  "--retry-connrefused": "retry-connrefused",
  "--retry-all-errors": "retry-all-errors",
  "--post301": "post301", "--post302": "post302", "--post303": "post303",
  "--compressed": "compressed",
  "-Z": "parallel", "--parallel": "parallel",
  "--http1.1": "http1.1",
  "--http2": "http2",
  "--http2-prior-knowledge": "http2",
};

/** Every spelling of every option (what `--help` must list). */
export const OPTION_SPELLINGS: readonly string[] = [...Object.keys(VALUED), ...Object.keys(FLAGS)];

/** Parse the arguments after the program name. Throws UsageError. */
export function parseArgs(argv: readonly string[]): Command {
  const t = tokenize(argv, { valued: VALUED, flags: FLAGS });
  const flags = t.flags;
  if (flags.has("help")) return { action: "help" };
  if (flags.has("version")) return { action: "version" };
  if (t.positional.length === 0) throw new UsageError("no URL given");
  if (flags.has("http1.1") && flags.has("http2")) throw new UsageError("--http1.1 and --http2 cannot be used together");
  if (flags.has("fail") && flags.has("fail-with-body")) throw new UsageError("--fail and --fail-with-body cannot be used together");

  const urls = t.positional.map(parseTargetURL);
  const options: CliOptions = {
    url: urls[0]!,
    urls,
    method: undefined,
    headers: [],
    removedHeaders: [],
    body: undefined,
    json: false,
    include: flags.has("include"),
    verbose: flags.has("verbose"),
    head: flags.has("head"),
    silent: flags.has("silent"),
    showError: flags.has("show-error"),
    fail: flags.has("fail") ? "fail" : flags.has("fail-with-body") ? "with-body" : "no",
    // curl: --location-trusted is -L that also lets credentials follow.
    location: flags.has("location") || flags.has("location-trusted"),
    locationTrusted: flags.has("location-trusted"),
    maxRedirs: 50,
    keepPost: new Set([301, 302, 303].filter((s) => flags.has(`post${s}`))),
    compressed: flags.has("compressed"),
    writeOut: undefined,
    user: undefined,
    userAgent: undefined,
    referer: undefined,
    reroutes: [],
    retry: 0,
    retryDelayMs: undefined,
    retryMaxTimeMs: undefined,
    retryConnrefused: flags.has("retry-connrefused"),
    retryAllErrors: flags.has("retry-all-errors"),
    parallel: flags.has("parallel"),
    protocols: flags.has("http1.1") ? ["http1"] : flags.has("http2") ? ["http2"] : undefined,
    proxy: undefined,
    cacert: undefined,
    insecure: flags.has("insecure"),
    output: undefined,
    outputs: [],
    maxTime: undefined,
    connectTimeout: undefined,
  };

  const inline: string[] = [];
  const fileConflict = (): never => {
    throw new UsageError("a file body (@FILE) cannot be combined with other data");
  };
  for (const [name, value] of t.values) {
    switch (name) {
      case "request":
        if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value)) throw new UsageError(`invalid method ${JSON.stringify(value)}`);
        options.method = value;
        break;
      case "header":
        addHeader(options, value);
        break;
      case "json":
      case "data":
      case "data-binary":
        // --json takes its data as --data-binary does.
        if (name === "json") options.json = true;
        if (value.startsWith("@")) {
          if (options.body?.kind === "file" || inline.length > 0) fileConflict();
          if (value.length === 1) throw new UsageError(`${name === "data" ? "-d" : `--${name}`} @ needs a file name`);
          options.body = { kind: "file", path: value.slice(1) };
        } else {
          if (options.body?.kind === "file") fileConflict();
          inline.push(value);
        }
        break;
      case "data-raw":
        if (options.body?.kind === "file") fileConflict();
        inline.push(value);
        break;
      case "proxy": options.proxy = parseProxyURL(value); break;
      case "cacert": options.cacert = value; break;
      case "output":
        options.output ??= value;
        options.outputs.push(value);
        break;
      case "max-time":
        options.maxTime = positiveNumber("--max-time", value);
        break;
      case "connect-timeout": options.connectTimeout = positiveNumber("--connect-timeout", value); break;
      case "max-redirs": {
        const n = Number(value);
        if (!Number.isInteger(n) || n < -1) throw new UsageError(`--max-redirs takes an integer (-1 for no limit), got ${JSON.stringify(value)}`);
        options.maxRedirs = n === -1 ? Infinity : n;
        break;
      }
      case "write-out": options.writeOut = value; break;
      case "user": options.user = value; break;
      case "user-agent": options.userAgent = value; break;
      case "referer": options.referer = value; break;
      case "resolve": options.reroutes.push(parseReroute("--resolve", value)); break;
      case "connect-to": options.reroutes.push(parseReroute("--connect-to", value)); break;
      case "retry": {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 0) throw new UsageError(`--retry takes a number of retries, got ${JSON.stringify(value)}`);
        options.retry = n;
        break;
      }
      case "retry-delay": {
        const n = Number(value);
        if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`--retry-delay takes seconds, got ${JSON.stringify(value)}`);
        // curl: a delay of zero means the default backoff.
        options.retryDelayMs = n === 0 ? undefined : n * 1000;
        break;
      }
      case "retry-max-time": {
        const n = Number(value);
        if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`--retry-max-time takes seconds, got ${JSON.stringify(value)}`);
        // curl: zero means no limit.
        options.retryMaxTimeMs = n === 0 ? undefined : n * 1000;
        break;
      }
    }
  }
  // Like curl, several -d values are joined with "&".
  if (inline.length > 0) options.body = { kind: "inline", data: inline.join("&") };
  return { action: "fetch", options };
}

function addHeader(options: CliOptions, raw: string): void {
  const colon = raw.indexOf(":");
  if (colon <= 0) throw new UsageError(`header ${JSON.stringify(raw)} is not in the form 'name: value'`);
  const name = raw.slice(0, colon).trim();
  const value = raw.slice(colon + 1).trim();
  if (name === "" || /\s/.test(name)) throw new UsageError(`header ${JSON.stringify(raw)} has an invalid name`);
  if (value === "") options.removedHeaders.push(name.toLowerCase());
  else options.headers.push([name, value]);
}

/**
 * `--resolve host:port:addr` (port may be `*`) or `--connect-to host1:port1:host2:port2`
 * (any part may be empty: empty host1/port1 match any, empty host2/port2 keep the original).
 * IPv6 addresses go in brackets.
 */
function parseReroute(option: string, text: string): Reroute {
  const parts = text.match(/\[[^\]]*\]|[^:]+|(?<=:)(?=:|$)|^(?=:)/g) ?? [];
  const port = (p: string | undefined): number | undefined => {
    if (p === undefined || p === "" || p === "*") return undefined;
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${option} ${JSON.stringify(text)}: invalid port ${JSON.stringify(p)}`);
    return n;
  };
  const bare = (h: string | undefined): string => (h ?? "").replace(/^\[(.*)\]$/, "$1");
  if (option === "--resolve") {
    if (parts.length !== 3 || parts[0] === "" || parts[2] === "") throw new UsageError(`--resolve takes host:port:address, got ${JSON.stringify(text)}`);
    return { host: bare(parts[0]).toLowerCase(), port: port(parts[1]), toHost: bare(parts[2]), toPort: undefined };
  }
  if (parts.length !== 4) throw new UsageError(`--connect-to takes host1:port1:host2:port2, got ${JSON.stringify(text)}`);
  return { host: bare(parts[0]).toLowerCase(), port: port(parts[1]), toHost: bare(parts[2]), toPort: port(parts[3]) };
}

/** The URL to fetch; a missing scheme means http, as in curl. Only http and https. */
export function parseTargetURL(text: string): URL {
  return parseHTTPURL(text, "URL");
}

/** The proxy URL: http or https, with optional user:password. */
export function parseProxyURL(text: string): URL {
  return parseHTTPURL(text, "proxy URL");
}

function parseHTTPURL(text: string, what: "URL" | "proxy URL"): URL {
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`invalid ${what} ${JSON.stringify(text)}`);
  }
  const kind = what === "URL" ? "URL scheme" : "proxy scheme";
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`unsupported ${kind} ${url.protocol.slice(0, -1)} (use http or https)`);
  if (url.hostname === "") throw new UsageError(`${what} ${JSON.stringify(text)} has no host`);
  return url;
}

