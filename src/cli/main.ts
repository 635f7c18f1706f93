#!/usr/bin/env node
// The mint-http command: `mint-http [options] URL` writes the response body to stdout.
//
// Parses the command line, runs one exchange (exchange.ts) and turns the outcome into an exit
// status: 0 when a response arrived, whatever its status; otherwise the error's message on
// stderr and a curl-like exit code (see HELP in args.ts).

import { HTTPError, TransportError } from "../index.js";
import { HELP, parseArgs, UsageError } from "./args.js";
import { fetchOnce } from "./exchange.js";
import { loadCommand } from "./load.js";
import { packageVersion } from "./version.js";

// TLS alerts that mean "the certificate is not acceptable" rather than "TLS failed".
const CERTIFICATE_ALERTS = new Set(["unknown_ca", "certificate_expired", "hostname_check_failed", "bad_certificate", "certificate_unknown"]);

/** The exit status for an error, after curl's codes. */
function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return 2;
  if (err instanceof TransportError) {
    switch (err.reason) {
      case "timeout":
        return 28;
      case "enotfound":
      case "eai_again":
        return 6;
      case "econnrefused":
        return 7;
      case "tls_alert":
        return CERTIFICATE_ALERTS.has(String(err.details?.alert)) ? 60 : 35;
      default:
        return 1;
    }
  }
  return 1;
}

/** The line printed on stderr for an error. */
function describeError(err: unknown): string {
  if (err instanceof TransportError || err instanceof HTTPError) return `mint-http: ${err.message} (${err.reason})`;
  if (err instanceof UsageError) return `mint-http: ${err.message}\nTry 'mint-http --help' for more information.`;
  if (err instanceof Error) return `mint-http: ${err.message}`;
  return `mint-http: ${String(err)}`;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "load") {
    try {
      return await loadCommand(argv.slice(1), { stdout: process.stdout, stderr: process.stderr });
    } catch (err) {
      process.stderr.write(`${describeError(err)}\n`);
      return exitCodeFor(err);
    }
  }
  let command;
  try {
    command = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return exitCodeFor(err);
  }
  if (command.action === "help") {
    process.stdout.write(HELP);
    return 0;
  }
  if (command.action === "version") {
    process.stdout.write(`mint-http ${packageVersion()} (Node.js ${process.version})\n`);
    return 0;
  }
  const options = command.options;
  // A reader that went away (`mint-http URL | head`) is not an error of ours.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    process.stderr.write(`mint-http: cannot write the output: ${err.message}\n`);
    process.exit(23);
  });
  let timer: NodeJS.Timeout | undefined;
  if (options.maxTime !== undefined) {
    const seconds = options.maxTime;
    timer = setTimeout(() => {
      process.stderr.write(`mint-http: operation timed out after ${seconds} seconds (--max-time)\n`);
      process.exit(28);
    }, Math.ceil(seconds * 1000));
  }
  try {
    await fetchOnce(options, { stdout: process.stdout, stderr: process.stderr });
    return 0;
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return exitCodeFor(err);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mint-http: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
