#!/usr/bin/env node
// The mint-http command: `mint-http [options] URL...` writes each response body to stdout;
// `mint-http load URL` runs a load test (load.ts).
//
// Parses the command line, runs the transfers (transfer.ts) one after the other, or all at
// once with -Z, through shared pools, and turns the outcome into curl's exit status: 0 when
// every response arrived (whatever its status, unless -f), otherwise the last failure's
// status, with its message on stderr (not with -s, unless -S).

import { HTTPError, TransportError } from "../index.js";
import { HELP, parseArgs, UsageError, type CliOptions } from "./args.js";
import { ConnectionTracker } from "./connections.js";
import { loadCommand } from "./load.js";
import { Sink, type CliIO } from "./output.js";
import { askPassword } from "./password-prompt.js";
import { PoolSet } from "./pools.js";
import { transfer, TransferFailure } from "./transfer.js";
import { VerboseLog } from "./verbose.js";
import { packageVersion } from "./version.js";
import { emptyInfo, writeOut } from "./write-out.js";

// TLS alerts that mean "the certificate is not acceptable" rather than "TLS failed".
const CERTIFICATE_ALERTS = new Set(["unknown_ca", "certificate_expired", "hostname_check_failed", "bad_certificate", "certificate_unknown"]);

/** The exit status for an error, after curl's codes. */
function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return 2;
  if (err instanceof TransferFailure) return err.exitCode;
  if (err instanceof TransportError) {
    switch (err.reason) {
      case "timeout":
      case "headers_timeout":
      case "body_timeout":
      case "queue_timeout":
        return 28;
      case "enotfound":
      case "eai_again":
        return 6;
      case "econnrefused":
        return 7;
      case "tls_alert":
        return CERTIFICATE_ALERTS.has(String(err.details?.alert)) ? 60 : 35;
      case "closed":
      case "econnreset":
        return 56;
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
  if (err instanceof TransferFailure) return `mint-http: (${err.exitCode}) ${err.message}`;
  if (err instanceof Error) return `mint-http: ${err.message}`;
  return `mint-http: ${String(err)}`;
}

/** Run every URL of the command line; resolves with the exit status. */
async function fetchAll(options: CliOptions, io: CliIO): Promise<number> {
  const tracker = new ConnectionTracker();
  const pools = new PoolSet(options);
  const verbose = options.verbose ? new VerboseLog(io.stderr) : undefined;
  const warn = (line: string): void => {
    if (!options.silent) io.stderr.write(`Warning: ${line}\n`);
  };
  const ctx = { options, pools, tracker, verbose, warn };
  let status = 0;
  const one = async (url: URL, index: number): Promise<void> => {
    const output = options.outputs[index];
    const sink = new Sink(output, io, output !== undefined && io.stderr.isTTY === true && !options.silent);
    const info = emptyInfo(url);
    try {
      await transfer(ctx, url, sink, info);
    } catch (err) {
      sink.abort();
      if (!options.silent || options.showError) io.stderr.write(`${describeError(err)}\n`);
      status = exitCodeFor(err);
    }
    if (options.writeOut !== undefined) io.stdout.write(writeOut(options.writeOut, info));
  };
  try {
    if (options.parallel) await Promise.all(options.urls.map(one));
    else for (const [i, url] of options.urls.entries()) await one(url, i);
  } finally {
    tracker.stop();
    await pools.close();
  }
  return status;
}

async function main(argv: string[]): Promise<number> {
  const io: CliIO = { stdout: process.stdout, stderr: process.stderr };
  let command;
  try {
    if (argv[0] === "load") return await loadCommand(argv.slice(1), io);
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
  // curl: `-u user` without a colon asks for the password before anything is sent.
  if (options.user !== undefined && !options.user.includes(":")) {
    options.user = `${options.user}:${await askPassword(options.user, process.stderr)}`;
  }
  // A reader that went away (`mint-http URL | head`) is not an error of ours.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    process.stderr.write(`mint-http: cannot write the output: ${err.message}\n`);
    process.exit(23);
  });
  return fetchAll(options, io);
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
