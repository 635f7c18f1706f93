// The mint-http command's argument parser and progress line, in process, plus the progress
// bar drawn when stderr is a terminal (run under `script`, which provides one).

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseArgs, UsageError, type CliOptions } from "../../src/cli/args.js";
import { formatBytes, formatDuration, progressLine } from "../../src/cli/progress.js";
import { ROOT, startHTTP } from "./cli-support.js";

function fetchOptions(argv: string[]): CliOptions {
  const command = parseArgs(argv);
  assert.equal(command.action, "fetch");
  return (command as { options: CliOptions }).options;
}

test("parses grouped flags, attached values, = values and repeated headers", () => {
  const o = fetchOptions(["-iv", "-XPATCH", "-H", "a: 1", "--header=b: 2", "--max-time=2.5", "-o", "out.bin", "example.test/x"]);
  assert.equal(o.include, true);
  assert.equal(o.verbose, true);
  assert.equal(o.method, "PATCH");
  assert.deepEqual(o.headers, [["a", "1"], ["b", "2"]]);
  assert.equal(o.maxTime, 2.5);
  assert.equal(o.output, "out.bin");
  assert.equal(o.url.href, "http://example.test/x");
});

test("bodies: -d joins with &, @FILE streams, mixing them is refused", () => {
  assert.deepEqual(fetchOptions(["-d", "a=1", "--data", "b=2", "http://h/"]).body, { kind: "inline", data: "a=1&b=2" });
  assert.deepEqual(fetchOptions(["--data-binary", "@f.bin", "http://h/"]).body, { kind: "file", path: "f.bin" });
  assert.deepEqual(fetchOptions(["-d", "@f.bin", "http://h/"]).body, { kind: "file", path: "f.bin" });
  assert.throws(() => parseArgs(["-d", "x", "--data-binary", "@f", "http://h/"]), UsageError);
});

test("retry and redirect options: --location-trusted implies -L; zero delay and max time mean curl's defaults", () => {
  const trusted = fetchOptions(["--location-trusted", "http://h/"]);
  assert.equal(trusted.location, true);
  assert.equal(trusted.locationTrusted, true);
  assert.equal(fetchOptions(["-L", "http://h/"]).locationTrusted, false);
  const r = fetchOptions(["--retry", "4", "--retry-delay", "2.5", "--retry-max-time", "30", "--retry-connrefused", "--retry-all-errors", "http://h/"]);
  assert.deepEqual([r.retry, r.retryDelayMs, r.retryMaxTimeMs, r.retryConnrefused, r.retryAllErrors], [4, 2500, 30_000, true, true]);
  const zero = fetchOptions(["--retry-delay", "0", "--retry-max-time", "0", "http://h/"]);
  assert.deepEqual([zero.retryDelayMs, zero.retryMaxTimeMs, zero.retryConnrefused], [undefined, undefined, false]);
  assert.throws(() => parseArgs(["--retry-max-time", "-1", "http://h/"]), UsageError);
  assert.throws(() => parseArgs(["--retry-delay", "soon", "http://h/"]), UsageError);
  // Without a colon the password is asked for later; the user name is kept as given.
  assert.equal(fetchOptions(["-u", "bob", "http://h/"]).user, "bob");
});

test("protocols, proxy, TLS options and help/version", () => {
  assert.deepEqual(fetchOptions(["--http1.1", "https://h/"]).protocols, ["http1"]);
  assert.deepEqual(fetchOptions(["--http2", "https://h/"]).protocols, ["http2"]);
  assert.equal(fetchOptions(["https://h/"]).protocols, undefined);
  assert.throws(() => parseArgs(["--http1.1", "--http2", "https://h/"]), /cannot be used together/);
  const p = fetchOptions(["--proxy", "http://u:p%40ss@proxy.test:3128", "-k", "--cacert", "ca.pem", "https://h/"]);
  assert.equal(p.proxy?.hostname, "proxy.test");
  assert.equal(p.proxy?.port, "3128");
  assert.equal(decodeURIComponent(p.proxy!.password), "p@ss");
  assert.equal(p.insecure, true);
  assert.equal(p.cacert, "ca.pem");
  assert.deepEqual(parseArgs(["-h"]), { action: "help" });
  assert.deepEqual(parseArgs(["--version"]), { action: "version" });
});

test("usage errors name the problem", () => {
  assert.throws(() => parseArgs(["-X"]), /option -X needs a value/);
  assert.throws(() => parseArgs(["-H", "nocolon", "http://h/"]), /not in the form/);
  assert.throws(() => parseArgs(["--max-time", "-1", "http://h/"]), /positive number/);
  assert.throws(() => parseArgs(["ftp://h/"]), /unsupported URL scheme ftp/);
  assert.throws(() => parseArgs(["--fail", "--fail-with-body", "http://h/"]), /cannot be used together/);
  assert.throws(() => parseArgs(["--resolve", "h:80", "http://h/"]), /--resolve takes host:port:address/);
  assert.throws(() => parseArgs(["--max-redirs", "x", "http://h/"]), /--max-redirs takes an integer/);
  assert.throws(() => parseArgs(["-X", "GE T", "http://h/"]), /invalid method/);
});

test("progress line: bar, percentage, sizes, rate and ETA", () => {
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(3 * 1024 * 1024), "3.0 MiB");
  assert.equal(formatDuration(65), "1:05");
  assert.equal(formatDuration(3725), "1:02:05");
  const half = progressLine(1024 * 1024, 2 * 1024 * 1024, 1000, 10);
  assert.equal(half, "[#####.....]  50%  1.0 MiB / 2.0 MiB  1.0 MiB/s  ETA 0:01");
  assert.equal(progressLine(2048, undefined, 2000), "2.0 KiB  1.0 KiB/s");
});

const hasScript = spawnSync("script", ["--version"]).status === 0;

test("-o draws a progress bar on stderr when it is a terminal", { skip: !hasScript && "no script(1) to provide a terminal" }, async () => {
  const payload = Buffer.alloc(2_000_000, 1);
  const server = await startHTTP((_req, res) => {
    res.setHeader("content-length", payload.length);
    res.end(payload);
  });
  const dir = mkdtempSync(join(tmpdir(), "mint-http-progress-"));
  try {
    const out = join(dir, "body.bin");
    const cli = [process.execPath, "--import", "tsx", join(ROOT, "src/cli/main.ts"), "-o", out, server.url("/file")]
      .map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
    const transcript = await new Promise<string>((resolve, reject) => {
      // Asynchronous, so that the server in this process can answer.
      const proc = spawn("script", ["-qec", cli, "/dev/null"], { cwd: ROOT });
      let text = "";
      proc.stdout.on("data", (d: Buffer) => (text += d.toString("utf8")));
      proc.on("error", reject);
      proc.on("close", (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${text}`))));
    });
    assert.match(transcript, /\[#{20}\] 100%  1\.9 MiB \/ 1\.9 MiB  [\d.]+ [KMG]?i?B\/s  ETA 0:00/);
    assert.equal(readFileSync(out).length, payload.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  }
});
