// `-u user` without a password: ask for it as curl does.
//
// How it works: the prompt "Enter host password for user 'NAME':" goes to stderr. The
// answer is read from the terminal (/dev/tty) with echo off: the terminal is put in raw
// mode and the typed characters are handled here (Enter ends, Backspace erases, Ctrl-C
// interrupts, Ctrl-D on an empty line ends). Without a terminal (no controlling tty, as
// under cron or in a pipeline started without one) the answer is the first line of stdin,
// as curl reads it; an empty stdin gives an empty password.

import { closeSync, openSync } from "node:fs";
import { isatty, ReadStream } from "node:tty";

/** The prompt curl prints for `-u user`. */
export function passwordPrompt(user: string): string {
  return `Enter host password for user '${user}':`;
}

/**
 * Ask for the password of `user`: from the terminal without echo, or else the first line
 * of `stdin`. Never rejects; a stream that fails gives what was read so far.
 */
export async function askPassword(user: string, stderr: NodeJS.WritableStream, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const prompt = passwordPrompt(user);
  let fd: number | undefined;
  try {
    fd = openSync("/dev/tty", "r");
  } catch {
    fd = undefined; // no controlling terminal
  }
  if (fd !== undefined) {
    if (isatty(fd)) return readHidden(new ReadStream(fd), prompt, stderr);
    closeSync(fd);
  }
  stderr.write(prompt);
  return firstLine(stdin);
}

function readHidden(tty: ReadStream, prompt: string, stderr: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve) => {
    let typed = "";
    const finish = (): void => {
      tty.off("data", onData);
      tty.setRawMode(false);
      tty.destroy();
      // Echo was off, so the Enter did not move to a new line.
      stderr.write("\n");
      resolve(typed);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0004") {
          if (typed === "") return finish();
          continue;
        }
        if (ch === "\u0003") {
          tty.setRawMode(false);
          stderr.write("\n");
          process.kill(process.pid, "SIGINT");
          return;
        }
        if (ch === "\u007f" || ch === "\b") {
          typed = Array.from(typed).slice(0, -1).join("");
          continue;
        }
        if (ch >= " ") typed += ch;
      }
    };
    tty.on("error", () => finish());
    tty.setRawMode(true);
    stderr.write(prompt);
    tty.on("data", onData);
  });
}

function firstLine(stdin: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const done = (): void => {
      stdin.off("data", onData);
      stdin.off("end", done);
      stdin.off("error", done);
      // Stop reading: stdin is not needed any more and must not keep the process alive.
      const stream = stdin as NodeJS.ReadableStream & { destroy?: () => void };
      if (typeof stream.destroy === "function") stream.destroy();
      else stdin.pause();
      const nl = text.indexOf("\n");
      resolve((nl === -1 ? text : text.slice(0, nl)).replace(/\r$/, ""));
    };
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      if (text.includes("\n")) done();
    };
    stdin.on("data", onData);
    stdin.once("end", done);
    stdin.once("error", done);
  });
}
