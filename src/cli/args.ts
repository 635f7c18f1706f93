// Command-line parsing for the mint-http command, by hand (no dependency).
//
// Accepts curl-style options: short flags may be grouped (`-iv`), short options take their
// value attached or as the next argument (`-XPOST`, `-X POST`), long options take it after
// `=` or as the next argument (`--max-time=5`, `--max-time 5`). `--` ends the options.
// A problem with the command line is a UsageError (exit code 2).

import type { Headers, Protocol } from "../index.js";

import { UsageError } from "./option-parser.js";
export { UsageError };

/** Where a request body comes from. */
export type BodySource =
  | { kind: "inline"; data: string }
  | { kind: "file"; path: string };

/** Everything the command line asked for. */
export interface CliOptions {
  url: URL;
  /** Explicit -X; otherwise GET, or POST when there is a body. */
  method: string | undefined;
  /** -H headers in order, with `name:` (empty value) meaning "do not send this default header". */
  headers: Headers;
  /** Header names given as `name:` to suppress a default header (lowercase). */
  removedHeaders: string[];
  body: BodySource | undefined;
  include: boolean;
  verbose: boolean;
  /** Forced protocol list, or undefined to negotiate. */
  protocols: Protocol[] | undefined;
  proxy: URL | undefined;
  cacert: string | undefined;
  insecure: boolean;
  output: string | undefined;
  /** Whole-operation limit in seconds. */
  maxTime: number | undefined;
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
  "-d": "data", "--data": "data", "--data-raw": "data-raw",
  "--data-binary": "data-binary",
  "-x": "proxy", "--proxy": "proxy",
  "--cacert": "cacert",
  "-o": "output", "--output": "output",
  "-m": "max-time", "--max-time": "max-time",
};

// Flags, by every spelling.
const FLAGS: Record<string, string> = {
  "-i": "include", "--include": "include",
  "-v": "verbose", "--verbose": "verbose",
  "-k": "insecure", "--insecure": "insecure",
  "-h": "help", "--help": "help",
  "-V": "version", "--version": "version",
  "--http1.1": "http1.1",
  "--http2": "http2",
  "--http2-prior-knowledge": "http2",
};

/** Parse the arguments after the program name. Throws UsageError. */
export function parseArgs(argv: readonly string[]): Command {
  const values: Array<[name: string, value: string]> = [];
  const flags = new Set<string>();
  const positional: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg : arg.slice(0, eq);
      if (VALUED[name] !== undefined) {
        let value: string | undefined;
        if (eq !== -1) value = arg.slice(eq + 1);
        else value = argv[++i];
        if (value === undefined) throw new UsageError(`option ${name} needs a value`);
        values.push([VALUED[name]!, value]);
      } else if (FLAGS[name] !== undefined && eq === -1) {
        flags.add(FLAGS[name]!);
      } else {
        throw new UsageError(`unknown option ${name}`);
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      // A group of short options: flags, possibly ending with one that takes a value.
      for (let j = 1; j < arg.length; j++) {
        const short = `-${arg[j]}`;
        if (FLAGS[short] !== undefined) {
          flags.add(FLAGS[short]!);
          continue;
        }
        if (VALUED[short] !== undefined) {
          const rest = arg.slice(j + 1);
          const value = rest !== "" ? rest : argv[++i];
          if (value === undefined) throw new UsageError(`option ${short} needs a value`);
          values.push([VALUED[short]!, value]);
          break;
        }
        throw new UsageError(`unknown option ${short}`);
      }
      continue;
    }
    positional.push(arg);
  }

  if (flags.has("help")) return { action: "help" };
  if (flags.has("version")) return { action: "version" };
  if (positional.length === 0) throw new UsageError("no URL given");
  if (positional.length > 1) throw new UsageError(`one URL at a time (got ${positional.length}: ${positional.join(" ")})`);
  if (flags.has("http1.1") && flags.has("http2")) throw new UsageError("--http1.1 and --http2 cannot be used together");

  const options: CliOptions = {
    url: parseTargetURL(positional[0]!),
    method: undefined,
    headers: [],
    removedHeaders: [],
    body: undefined,
    include: flags.has("include"),
    verbose: flags.has("verbose"),
    protocols: flags.has("http1.1") ? ["http1"] : flags.has("http2") ? ["http2"] : undefined,
    proxy: undefined,
    cacert: undefined,
    insecure: flags.has("insecure"),
    output: undefined,
    maxTime: undefined,
  };

  const inline: string[] = [];
  for (const [name, value] of values) {
    switch (name) {
      case "request":
        if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value)) throw new UsageError(`invalid method ${JSON.stringify(value)}`);
        options.method = value;
        break;
      case "header":
        addHeader(options, value);
        break;
      case "data":
      case "data-binary":
        if (value.startsWith("@")) {
          if (options.body?.kind === "file" || inline.length > 0) throw new UsageError("a file body (@FILE) cannot be combined with other data");
          if (value.length === 1) throw new UsageError(`${name === "data" ? "-d" : "--data-binary"} @ needs a file name`);
          options.body = { kind: "file", path: value.slice(1) };
        } else {
          if (options.body?.kind === "file") throw new UsageError("a file body (@FILE) cannot be combined with other data");
          inline.push(value);
        }
        break;
      case "data-raw":
        if (options.body?.kind === "file") throw new UsageError("a file body (@FILE) cannot be combined with other data");
        inline.push(value);
        break;
      case "proxy":
        options.proxy = parseProxyURL(value);
        break;
      case "cacert":
        options.cacert = value;
        break;
      case "output":
        options.output = value;
        break;
      case "max-time": {
        const seconds = Number(value);
        if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--max-time takes a positive number of seconds, got ${JSON.stringify(value)}`);
        options.maxTime = seconds;
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

/** The URL to fetch; a missing scheme means http, as in curl. Only http and https. */
export function parseTargetURL(text: string): URL {
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`invalid URL ${JSON.stringify(text)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`unsupported URL scheme ${url.protocol.slice(0, -1)} (use http or https)`);
  if (url.hostname === "") throw new UsageError(`URL ${JSON.stringify(text)} has no host`);
  return url;
}

/** The proxy URL: http or https, with optional user:password. */
export function parseProxyURL(text: string): URL {
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`invalid proxy URL ${JSON.stringify(text)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`unsupported proxy scheme ${url.protocol.slice(0, -1)} (use http or https)`);
  if (url.hostname === "") throw new UsageError(`proxy URL ${JSON.stringify(text)} has no host`);
  return url;
}

/** The text of `--help`. */
export const HELP = `Usage: mint-http [options] URL

Makes one HTTP/1.1 or HTTP/2 request and writes the response body to stdout.
Redirects are not followed: a 3xx response is printed as it is.

Options:
  -X, --request METHOD     request method (default GET, or POST with a body)
  -H, --header 'N: V'      add a request header (repeatable); 'N:' removes a default one
  -d, --data DATA          send DATA as the body (several -d are joined with '&')
      --data-binary @FILE  stream FILE as the body (also -d @FILE); DATA without @ is sent as is
  -i, --include            print the status line and headers before the body
  -v, --verbose            print connection, TLS, headers and timings to stderr
      --http1.1            use HTTP/1.1 only
      --http2              use HTTP/2 only (over http: prior knowledge, h2c)
  -x, --proxy URL          go through an HTTP proxy (http://[user:password@]host:port);
                           https URLs are tunnelled with CONNECT
      --cacert FILE        trust the CA certificates in the PEM FILE
  -k, --insecure           do not verify the server certificate
  -o, --output FILE        write the body to FILE (progress on stderr when it is a terminal)
  -m, --max-time SECONDS   give up after this long
  -h, --help               show this help
  -V, --version            show the version

Exit status: 0 when a response was received (whatever its status), 2 for a bad command
line, 6 host not found, 7 connection refused, 28 timeout, 35 TLS failure, 60 certificate
not trusted, 1 for other failures; the reason is printed on stderr.
`;
