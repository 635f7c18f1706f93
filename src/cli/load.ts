// `mint-http load URL`: parse, run, print. The progress line is drawn on stderr only when
// it is a terminal; the summary goes to stdout (text, or JSON with --json).

import type { CliIO } from "./output.js";
import { LOAD_HELP, parseLoadArgs } from "./load-args.js";
import { progressText, summaryObject, summaryText } from "./load-report.js";
import { runLoad } from "./load-run.js";

/** Run `mint-http load ...args`; resolves with the exit status. Throws UsageError. */
export async function loadCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const opts = parseLoadArgs(argv);
  if (opts === undefined) {
    io.stdout.write(LOAD_HELP);
    return 0;
  }
  const tty = io.stderr.isTTY === true;
  let width = 0;
  const result = await runLoad(opts, tty ? (p) => {
    const line = progressText(p, opts.requests);
    io.stderr.write(`\r${line}${" ".repeat(Math.max(0, width - line.length))}`);
    width = line.length;
  } : undefined);
  if (tty && width > 0) io.stderr.write(`\r${" ".repeat(width)}\r`);
  io.stdout.write(opts.json ? `${JSON.stringify(summaryObject(opts, result))}\n` : summaryText(opts, result));
  return result.connects === 0 ? 1 : 0;
}
