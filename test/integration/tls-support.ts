// Helpers for the TLS integration tests: HTTPS (HTTP/1) and HTTP/2 servers on 127.0.0.1 with
// a chosen certificate, a connectTLS call over a plain net.connect socket, and an assertion
// for tls_alert failures.

import assert from "node:assert/strict";
import * as http2 from "node:http2";
import * as https from "node:https";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import type * as tls from "node:tls";
import { TransportError } from "../../src/errors.js";
import { resolveDeadline, type TransportOptions } from "../../src/transport/options.js";
import { connectTLS } from "../../src/transport/tls.js";

export type ServerKind = "https" | "h2";
export const SERVER_KINDS: readonly ServerKind[] = ["https", "h2"];

export interface TestServer {
  port: number;
  /** SNI names seen by the server, one per TLS connection (undefined: none sent). */
  servernames: Array<string | false | undefined>;
  /** The server-side TLS sockets, in order. */
  sockets: tls.TLSSocket[];
  /** Resolves once the server has completed `n` TLS handshakes (TLS 1.3 finishes there after the client). */
  handshakes(n: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts an HTTPS or HTTP/2 (allowHTTP1) server answering "ok" on 127.0.0.1. */
export async function startServer(kind: ServerKind, options: tls.TlsOptions): Promise<TestServer> {
  const handler = (_req: unknown, res: { end(body: string): void }) => res.end("ok");
  const server = kind === "https"
    ? https.createServer(options, handler)
    : http2.createSecureServer({ ...options, allowHTTP1: true }, handler);
  const servernames: Array<string | false | undefined> = [];
  const sockets: tls.TLSSocket[] = [];
  server.on("secureConnection", (s: tls.TLSSocket) => {
    servernames.push((s as tls.TLSSocket & { servername?: string | false }).servername);
    sockets.push(s);
  });
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const handshakes = async (n: number) => {
    for (let i = 0; i < 200 && sockets.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(sockets.length >= n, `server completed ${sockets.length} handshakes, expected ${n}`);
  };
  return {
    port,
    servernames,
    sockets,
    handshakes,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

/** Opens a TCP socket to 127.0.0.1:port. */
export function tcp(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => { s.off("error", reject); resolve(s); });
    s.once("error", reject);
  });
}

/** connectTLS over a fresh TCP socket to 127.0.0.1:port. */
export async function tlsTo(port: number, hostname: string, transportOpts: TransportOptions = {}, alpnProtocols = ["h2", "http/1.1"]): Promise<tls.TLSSocket> {
  const socket = await tcp(port);
  const s = await connectTLS({ socket, hostname, port, transportOpts, alpnProtocols, deadline: resolveDeadline(transportOpts) });
  s.on("error", () => {});
  return s;
}

/** Asserts that `p` rejects with TransportError tls_alert carrying this alert, code and message. */
export async function assertAlert(p: Promise<unknown>, alert: string, code: string | RegExp, message: RegExp): Promise<TransportError> {
  let caught: unknown;
  try {
    const s = await p;
    (s as tls.TLSSocket | undefined)?.destroy?.();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof TransportError, `expected a TransportError, got ${String(caught)}`);
  assert.equal(caught.reason, "tls_alert", caught.message);
  assert.equal(caught.details?.alert, alert, caught.message);
  if (typeof code === "string") assert.equal(caught.details?.code, code, caught.message);
  else assert.match(String(caught.details?.code), code);
  assert.match(caught.message, message);
  return caught;
}

/** Closes a client socket and waits for it to be gone. */
export function end(s: tls.TLSSocket): Promise<void> {
  return new Promise((resolve) => {
    if (s.destroyed) return resolve();
    s.once("close", () => resolve());
    s.destroy();
  });
}
