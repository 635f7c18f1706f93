// Runs Debian's nghttpd and nginx in the foreground for interop tests. Each server gets its
// own temporary folder (document root, generated config, logs, pid and temp files), listens
// on 127.0.0.1 at free ports, and is a child process of the test (see process.ts): `close()`
// stops it and removes the folder.
//
// The document root holds the same files for every server (see `DOC_FILES`): a small text
// file, a compressible text file, and a 32 MiB binary file with a known pattern.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CertEntry } from "../../support/certs.js";
import { freePort, startChild, waitForPorts } from "./process.js";


/** Sizes and contents of the files written to every document root. */
export const DOC_FILES = {
  small: "/small.txt",
  smallText: "hello from the interop document root\n",
  text: "/text.txt",
  /** A page that nghttpd can be told to push /text.txt with (`-p /pushing.txt=/text.txt`). */
  pushing: "/pushing.txt",
  large: "/large.bin",
  largeSize: 32 * 1024 * 1024,
} as const;

let largeCache: Buffer | undefined;

/** The bytes of `/large.bin`: a pattern that differs at every offset modulo 251 and per MiB. */
export function largeBody(): Buffer {
  if (largeCache === undefined) {
    const b = Buffer.allocUnsafe(DOC_FILES.largeSize);
    for (let i = 0; i < b.length; i++) b[i] = (i % 251) ^ ((i >>> 20) & 0xff);
    largeCache = b;
  }
  return largeCache;
}

/** The contents of `/text.txt`: about 64 KiB of repetitive text, so gzip shrinks it. */
export function textBody(): string {
  let s = "";
  for (let i = 0; s.length < 64 * 1024; i++) s += `line ${i}: the quick brown fox jumps over the lazy dog\n`;
  return s;
}

function writeDocroot(root: string): void {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, DOC_FILES.small), DOC_FILES.smallText);
  writeFileSync(join(root, DOC_FILES.text), textBody());
  writeFileSync(join(root, DOC_FILES.pushing), "this page comes with /text.txt pushed\n");
  writeFileSync(join(root, DOC_FILES.large), largeBody());
}

/** A running server process. */
export interface RunningServer {
  /** The document root (its files are described by DOC_FILES). */
  docroot: string;
  /** What the process wrote to stdout and stderr, and its error log (for failure messages). */
  output(): string;
  close(): Promise<void>;
}

export interface Nghttpd extends RunningServer {
  port: number;
}

export interface NghttpdOptions {
  /** Serve TLS with ALPN h2 using this certificate; h2c (prior knowledge) when absent. */
  tls?: CertEntry;
  /** `--echo-upload`: answer POST and PUT with the request body. */
  echoUpload?: boolean;
  /** `--trailer` header lines added to every response with a body. */
  trailers?: string[];
  /** More command-line options. */
  args?: string[];
}

/** Start nghttpd on 127.0.0.1 with a fresh document root; resolves once it accepts connections. */
export async function startNghttpd(bin: string, o: NghttpdOptions = {}): Promise<Nghttpd> {
  const dir = mkdtempSync(join(tmpdir(), "mint-http-nghttpd-"));
  const docroot = join(dir, "htdocs");
  writeDocroot(docroot);
  let lastError: unknown;
  // A free port can be taken between probing it and nghttpd binding it: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = ["-a", "127.0.0.1", "-d", docroot, ...(o.echoUpload ? ["--echo-upload"] : [])];
    for (const t of o.trailers ?? []) args.push("--trailer", t);
    args.push(...(o.args ?? []));
    if (o.tls) args.push(String(port), o.tls.keyPath, o.tls.certPath);
    else args.push("--no-tls", String(port));
    const child = startChild(bin, args, dir);
    try {
      await waitForPorts("nghttpd", [port], child);
    } catch (err) {
      lastError = err;
      continue;
    }
    return {
      port,
      docroot,
      output: child.output,
      close: async () => {
        await child.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

export interface Nginx extends RunningServer {
  /** Plain HTTP/1.1. */
  httpPort: number;
  /** TLS with ALPN h2 and http/1.1. */
  httpsPort: number;
  /** HTTP/2 without TLS (prior knowledge only). */
  h2cPort: number;
  /** Plain HTTP/1.1 on a Unix domain socket. */
  unixSocket: string;
  /** HTTP/1.1 with keepalive_requests 5 and keepalive_timeout 1 s. */
  limitedHTTPPort: number;
  /** h2c with keepalive_requests 5 (GOAWAY after the fifth stream) and keepalive_timeout 1 s. */
  limitedH2CPort: number;
  /** Where PUT requests under /dav/ are stored. */
  davDir: string;
}

/** How many `x-big-<i>` fields nginx adds under /bigheaders/ (i = 1..BIG_HEADERS). */
export const BIG_HEADERS = 8;

/** The value of `x-big-<i>`: 3000 octets (nginx caps one config parameter at 4 KiB). */
export function bigHeaderValue(i: number): string {
  return `${i}-`.padEnd(3000, String.fromCharCode(96 + i));
}

type NginxPorts = { http: number; https: number; h2c: number; limitedHTTP: number; limitedH2C: number };

/**
 * The start of an nginx configuration for a foreground, single-process nginx whose pid, log
 * and temporary files live under `dir`; it leaves the `http {` block open for the caller.
 */
export function nginxPreamble(dir: string, workerConnections: number): string {
  const tmp = (n: string): string => join(dir, "tmp", n);
  return `daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;
events { worker_connections ${workerConnections}; }
http {
  access_log off;
  client_body_temp_path ${tmp("body")};
  proxy_temp_path ${tmp("proxy")};
  fastcgi_temp_path ${tmp("fastcgi")};
  uwsgi_temp_path ${tmp("uwsgi")};
  scgi_temp_path ${tmp("scgi")};
`;
}

function nginxConfig(dir: string, docroot: string, cert: CertEntry, ports: NginxPorts): string {
  return `${nginxPreamble(dir, 512)}  types { text/plain txt; text/html html; application/octet-stream bin; }
  default_type application/octet-stream;
  sendfile on;
  keepalive_requests 10000;
  keepalive_timeout 60s;
  http2_max_concurrent_streams 128;
  server_tokens on;
  server {
    listen 127.0.0.1:${ports.http};
    listen 127.0.0.1:${ports.https} ssl http2;
    listen 127.0.0.1:${ports.h2c} http2;
    listen unix:${join(dir, "http.sock")};
    server_name localhost;
    ssl_certificate ${cert.certPath};
    ssl_certificate_key ${cert.keyPath};
    ssl_protocols TLSv1.2 TLSv1.3;
    root ${docroot};
    location = /empty { return 204; }
    location = /teapot { return 418 "short and stout\\n"; }
    location = /redirect { return 302 /small.txt; }
    location /headers/ {
      add_header X-Interop "mint-http" always;
      add_header X-Multi "one" always;
      add_header X-Multi "two" always;
      alias ${docroot}/;
    }
    location /gzip/ {
      gzip on;
      gzip_types text/plain;
      gzip_min_length 0;
      gzip_proxied any;
      alias ${docroot}/;
    }
    location /bigheaders/ {
${Array.from({ length: BIG_HEADERS }, (_, i) => i + 1).map((i) => `      add_header X-Big-${i} "${bigHeaderValue(i)}";`).join("\n")}
      alias ${docroot}/;
    }
    location /trailers/ {
      add_trailer X-Checksum "trailer-value";
      add_trailer X-Second "2";
      alias ${docroot}/;
    }
    location /dav/ {
      root ${dir};
      dav_methods PUT DELETE;
      create_full_put_path on;
      client_max_body_size 64m;
      client_body_buffer_size 1m;
    }
  }
  server {
    listen 127.0.0.1:${ports.limitedHTTP};
    listen 127.0.0.1:${ports.limitedH2C} http2;
    server_name limited;
    keepalive_requests 5;
    keepalive_timeout 1s;
    root ${docroot};
  }
}
`;
}

/** Start nginx (foreground, no master) with HTTP/1.1, TLS (h2 + http/1.1) and h2c listeners. */
export async function startNginx(bin: string, cert: CertEntry): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), "mint-http-nginx-"));
  const docroot = join(dir, "htdocs");
  writeDocroot(docroot);
  mkdirSync(join(dir, "dav"));
  for (const t of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, "tmp", t), { recursive: true });
  const errorLog = (): string => {
    try {
      return readFileSync(join(dir, "error.log"), "utf8").slice(-4000);
    } catch {
      return "";
    }
  };
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const ports: NginxPorts = { http: await freePort(), https: await freePort(), h2c: await freePort(), limitedHTTP: await freePort(), limitedH2C: await freePort() };
    if (new Set(Object.values(ports)).size !== 5) continue;
    rmSync(join(dir, "http.sock"), { force: true });
    const conf = join(dir, "nginx.conf");
    writeFileSync(conf, nginxConfig(dir, docroot, cert, ports));
    const child = startChild(bin, ["-p", dir, "-c", conf, "-e", join(dir, "error.log")], dir);
    try {
      await waitForPorts("nginx", Object.values(ports), child, errorLog);
    } catch (err) {
      lastError = err;
      continue;
    }
    return {
      httpPort: ports.http,
      httpsPort: ports.https,
      h2cPort: ports.h2c,
      unixSocket: join(dir, "http.sock"),
      limitedHTTPPort: ports.limitedHTTP,
      limitedH2CPort: ports.limitedH2C,
      docroot,
      davDir: join(dir, "dav"),
      output: () => child.output() + errorLog(),
      close: async () => {
        await child.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}
