// A failure the command reports with one of curl's own exit statuses (22 for -f, 28 for
// -m, 47 for too many redirects), as opposed to the library's errors, whose exit status
// main.ts derives from their reason.

/** A failure curl reports with a given exit status. */
export class TransferFailure extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.name = "TransferFailure";
    this.exitCode = exitCode;
  }
}
