// Runs Debian's tinyproxy in the foreground for interop tests: a generated config in a
// temporary folder, listening on 127.0.0.1 at a free port, optionally with BasicAuth, with
// the CONNECT ports given. `close()` stops the process it started (see process.ts) and
// removes the folder.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startChild, waitForPorts } from "./process.js";

export interface Tinyproxy {
  port: number;
  /** What tinyproxy wrote to stdout and stderr (for failure messages). */
  output(): string;
  close(): Promise<void>;
}

export interface TinyproxyOptions {
  /** `BasicAuth user password`. */
  auth?: { user: string; password: string };
  /** Ports CONNECT may reach. */
  connectPorts: number[];
}

/** Start tinyproxy (`-d -c file`) and resolve once it accepts connections. */
export async function startTinyproxy(bin: string, o: TinyproxyOptions): Promise<Tinyproxy> {
  const dir = mkdtempSync(join(tmpdir(), "mint-http-tinyproxy-"));
  const port = await freePort();
  const lines = [
    `Port ${port}`,
    "Listen 127.0.0.1",
    "Timeout 30",
    "MaxClients 50",
    "LogLevel Warning",
    "Allow 127.0.0.1",
    ...o.connectPorts.map((p) => `ConnectPort ${p}`),
    ...(o.auth ? [`BasicAuth ${o.auth.user} ${o.auth.password}`] : []),
  ];
  // Running as root, tinyproxy drops to an unprivileged user; Debian's package creates one.
  if (process.getuid?.() === 0) lines.push("User nobody", "Group nogroup");
  const conf = join(dir, "tinyproxy.conf");
  writeFileSync(conf, `${lines.join("\n")}\n`);
  const child = startChild(bin, ["-d", "-c", conf], dir);
  const close = async (): Promise<void> => {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPorts("tinyproxy", [port], child, undefined, 5000);
  } catch (err) {
    await close();
    throw err;
  }
  return { port, output: child.output, close };
}
