// Where a transfer's output goes: stdout or a file (with a progress bar on a terminal),
// written with back-pressure, and the text of a response head as -i prints it.

import { createWriteStream, type WriteStream } from "node:fs";
import type { Headers, Protocol } from "../index.js";
import { ProgressBar } from "./progress.js";

/** Where the CLI writes: stdout and stderr streams. */
export interface CliIO {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** The status line: "HTTP/2 200" or "HTTP/1.1 200 OK". */
export function statusLine(protocol: Protocol, status: number, reason: string | undefined): string {
  if (protocol === "http2") return `HTTP/2 ${status}`;
  return `HTTP/1.1 ${status}${reason !== undefined ? ` ${reason}` : ""}`;
}

/** A response head as -i prints it, CRLF line ends and the blank line included. */
export function headText(line: string, headers: Headers): Uint8Array {
  let text = `${line}\r\n`;
  for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
  return Buffer.from(`${text}\r\n`, "latin1");
}

/** Where the body goes: stdout or a file (with a progress bar on a terminal). */
export class Sink {
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
