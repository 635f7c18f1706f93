// More curl habits of the mint-http command against local servers: --retry-connrefused,
// --retry-max-time, --retry-delay 0, --retry-all-errors, curl's retry warnings, -m per attempt,
// --location-trusted, the password prompt of `-u user`, and -v printing the request when
// it is sent (before the response arrives).

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { cliArgs, ROOT, runCLI, startHTTP, type TestServer } from "./cli-support.js";

let a: TestServer & { server: http.Server };
let b: TestServer & { server: http.Server };
const counts = new Map<string, number>();
const seenB: http.IncomingHttpHeaders[] = [];
let held: (release: () => void) => void = () => {};

before(async () => {
  b = await startHTTP((req, res) => {
    seenB.push((req as http.IncomingMessage).headers);
    res.end("at b\n");
  });
  a = await startHTTP((req, res) => {
    const r = res as http.ServerResponse;
    const url = new URL(req.url!, "http://x");
    const key = url.searchParams.get("k") ?? "";
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    switch (url.pathname) {
      case "/busy": r.writeHead(503).end("busy\n"); return;
      case "/busy-long": r.writeHead(503, { "retry-after": "30" }).end("busy\n"); return;
      case "/missing-twice":
        if (n <= 2) r.writeHead(404).end("missing\n");
        else r.end(`found after ${n}\n`);
        return;
      case "/to-b": r.writeHead(302, { location: b.url("/landed") }).end(); return;
      case "/stall":
        // The head and five bytes of a longer body, then nothing.
        r.writeHead(200, { "content-length": "100" });
        r.write("12345");
        return;
      case "/silent": return; // never answers
      case "/auth": r.end(`${(req as http.IncomingMessage).headers.authorization ?? "none"}\n`); return;
      case "/held":
        // Answers only once the test has seen the request line on the command's stderr.
        held(() => r.end("released\n"));
        return;
      default: r.end("ok\n");
    }
  });
});

after(async () => {
  await Promise.all([a.close(), b.close()]);
});

/** A local port with nothing listening on it (yet). */
async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

test("--retry-connrefused retries a refused connection until the server is up; without it exit 7 at once", async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const refused = await runCLI(["--retry", "3", "--retry-delay", "0.05", url]);
  assert.equal(refused.code, 7, refused.stderr);
  assert.doesNotMatch(refused.stderr, /Will retry/);

  // The server comes up once the command has announced its first retry.
  let server: http.Server | undefined;
  const child = spawn(process.execPath, await cliArgs(["--retry", "50", "--retry-delay", "0.1", "--retry-connrefused", url]), { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d;
    if (server === undefined && stderr.includes("Will retry")) {
      server = http.createServer((_req, res) => res.end("up now\n")).listen(port, "127.0.0.1");
    }
  });
  const deadline = setTimeout(() => child.kill("SIGKILL"), 15_000);
  try {
    const code = await new Promise((resolve) => child.on("close", resolve));
    assert.equal(code, 0, stderr);
    assert.equal(out, "up now\n");
    assert.match(stderr, /^Warning: Problem : connection refused\. Will retry in 0 seconds\. 50 retries left\.$/m);
  } finally {
    clearTimeout(deadline);
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
  }
});

test("--retry-max-time stops retrying after that long; a longer Retry-After is refused; -s hides the warnings", async () => {
  const [bounded, retryAfter, silent] = await Promise.all([
    runCLI(["--retry", "50", "--retry-delay", "0.2", "--retry-max-time", "0.5", a.url("/busy?k=max")]),
    runCLI(["--retry", "3", "--retry-max-time", "2", a.url("/busy-long?k=after")]),
    runCLI(["-s", "--retry", "1", "--retry-delay", "0.01", a.url("/busy?k=silent")]),
  ]);
  assert.equal(bounded.code, 0, bounded.stderr);
  assert.equal(bounded.stdout.toString(), "busy\n");
  const attempts = counts.get("max")!;
  assert.ok(attempts >= 1 && attempts <= 5, `attempts within 0.5 s of 0.2 s waits: ${attempts}`);
  if (attempts > 1) assert.match(bounded.stderr, /Warning: Problem : HTTP error\. Will retry in 0 seconds\. 50 retries left\./);

  assert.equal(retryAfter.code, 0, retryAfter.stderr);
  assert.equal(counts.get("after"), 1);
  assert.match(retryAfter.stderr, /Warning: The Retry-After: time would make this command line exceed the maximum allowed time for retries\./);
  assert.ok(retryAfter.ms < 10_000);

  assert.equal(counts.get("silent"), 2);
  assert.equal(silent.stderr, "");
});

test("--retry-delay 0 keeps curl's backoff: the first wait is 1 s", async () => {
  const r = await runCLI(["--retry", "1", "--retry-delay", "0", a.url("/busy?k=zero")]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Will retry in 1 second\. 1 retry left\./);
  assert.equal(counts.get("zero"), 2);
  assert.ok(r.ms >= 1000, `waited ${r.ms} ms`);
});

test("--retry-all-errors retries what -f turns into an error; without it exit 22 after one attempt", async () => {
  const [all, plain] = await Promise.all([
    runCLI(["-f", "--retry", "3", "--retry-delay", "0.01", "--retry-all-errors", a.url("/missing-twice?k=all")]),
    runCLI(["-f", "--retry", "3", "--retry-delay", "0.01", a.url("/missing-twice?k=plain")]),
  ]);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(all.stdout.toString(), "found after 3\n");
  assert.match(all.stderr, /Warning: Problem \(retrying all errors\)\. Will retry in 0 seconds\. 3 retries left\./);
  assert.equal(plain.code, 22);
  assert.equal(counts.get("plain"), 1);
});

test("-m bounds each attempt: exit 28 with curl's message, mid-body too; --retry retries the timeout", async () => {
  const [stalled, retried] = await Promise.all([
    runCLI(["-m", "1", a.url("/stall?k=stall")]),
    runCLI(["-m", "0.5", "--retry", "1", "--retry-delay", "0.01", a.url("/silent?k=silent-retry")]),
  ]);
  assert.equal(stalled.code, 28, stalled.stderr);
  assert.equal(stalled.stdout.toString(), "12345");
  assert.match(stalled.stderr, /^mint-http: \(28\) Operation timed out after \d+ milliseconds with 5 bytes received$/m);
  assert.equal(retried.code, 28, retried.stderr);
  assert.equal(counts.get("silent-retry"), 2);
  assert.match(retried.stderr, /^Warning: Problem : timeout\. Will retry in 0 seconds\. 1 retry left\.$/m);
});

test("--location-trusted follows redirects and keeps Authorization and Cookie across origins", async () => {
  seenB.length = 0;
  const r = await runCLI(["--location-trusted", "-u", "user:secret", "-H", "Cookie: c=1", a.url("/to-b")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "at b\n");
  assert.equal(seenB[0]?.authorization, `Basic ${Buffer.from("user:secret").toString("base64")}`);
  assert.equal(seenB[0]?.cookie, "c=1");
});

test("-u user without a password asks for it (read from stdin without a terminal); -u user: sends an empty one", async () => {
  const [asked, empty] = await Promise.all([
    runCLI(["-u", "bob", a.url("/auth")], 20_000, "s3cret pass\nnot this line\n"),
    runCLI(["-u", "bob:", a.url("/auth")], 20_000, "unused\n"),
  ]);
  assert.equal(asked.code, 0, asked.stderr);
  assert.equal(asked.stdout.toString(), `Basic ${Buffer.from("bob:s3cret pass").toString("base64")}\n`);
  assert.equal(asked.stderr, "Enter host password for user 'bob':");
  assert.equal(empty.stdout.toString(), `Basic ${Buffer.from("bob:").toString("base64")}\n`);
  assert.equal(empty.stderr, "");
  const noInput = await runCLI(["-u", "eve", a.url("/auth")], 20_000, "");
  assert.equal(noInput.stdout.toString(), `Basic ${Buffer.from("eve:").toString("base64")}\n`);
});

const hasScript = spawnSync("script", ["--version"]).status === 0;

test("-u user on a terminal: the prompt, no echo, Backspace edits, Enter ends", { skip: !hasScript && "no script(1) to provide a terminal" }, async () => {
  const cli = [process.execPath, ...(await cliArgs(["-u", "alice", a.url("/auth")]))].map((x) => `'${x.replace(/'/g, "'\\''")}'`).join(" ");
  // script(1) runs the command on a new terminal whose input is what is written here.
  const proc = spawn("script", ["-qec", cli, "/dev/null"], { cwd: ROOT });
  let transcript = "";
  let typed = false;
  proc.stdout.on("data", (d: Buffer) => {
    transcript += d.toString("utf8");
    if (!typed && transcript.includes("Enter host password for user 'alice':")) {
      typed = true;
      proc.stdin.write("s3cX\u007fret\r");
    }
  });
  const deadline = setTimeout(() => proc.kill("SIGKILL"), 15_000);
  const code = await new Promise((resolve) => proc.on("close", resolve));
  clearTimeout(deadline);
  assert.equal(code, 0, transcript);
  assert.doesNotMatch(transcript, /s3c/, "the password is not echoed");
  assert.match(transcript, new RegExp(`Enter host password for user 'alice':\r?\n.*Basic ${Buffer.from("alice:s3cret").toString("base64")}`, "s"));
});

test("-v prints the connection and the request lines when the request is sent, before the response", async () => {
  const arrived = new Promise<() => void>((resolve) => (held = resolve));
  const child = spawn(process.execPath, await cliArgs(["-v", a.url("/held")]), { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d));
  const sawRequest = new Promise<void>((resolve) => {
    child.on("close", () => resolve());
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
      if (/> GET \/held HTTP\/1\.1\n(> .*\n)*>\n/.test(stderr)) resolve();
    });
  });
  const deadline = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await sawRequest;
  assert.match(stderr, /> GET \/held HTTP\/1\.1\n/, "the request line is out while the response is held");
  // The response has not been sent yet: nothing of it is on stderr.
  assert.doesNotMatch(stderr, /^< /m);
  assert.match(stderr, /^\* Connected to 127\.0\.0\.1:\d+ \(127\.0\.0\.1 port \d+\) \(#0\)$/m);
  assert.ok(stderr.indexOf("* Connected to") < stderr.indexOf("> GET /held"));
  (await arrived)();
  const code = await new Promise((resolve) => child.on("close", resolve));
  clearTimeout(deadline);
  assert.equal(code, 0);
  assert.equal(out, "released\n");
  assert.match(stderr, /< HTTP\/1\.1 200 OK/);
});
