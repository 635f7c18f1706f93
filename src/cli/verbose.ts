// What `-v` prints on stderr, curl style: "*" lines about the connection, ">" lines for the
// request, "<" lines for the response, and the timings at the end.
//
// The timings come from the outside of the library: `net.client.socket` (a Node diagnostics
// channel) hands over the TCP socket as it is created, so its "lookup" and "connect" events
// give the DNS and TCP times; the TLS time is when `connect` resolves (handshake and ALPN
// done); first byte and total are measured around `recv`.

import diagnosticsChannel from "node:diagnostics_channel";
import type { Socket } from "node:net";
import type { PeerCertificate, TLSSocket } from "node:tls";
import type { Connection, Headers } from "../index.js";

/** Milliseconds since the start of the command, for each phase that happened. */
export interface Timings {
  lookup?: number;
  connect?: number;
  tls?: number;
  firstByte?: number;
  total?: number;
}

/** Records DNS and TCP connect times of the next socket Node creates. */
export class TimingRecorder {
  readonly timings: Timings = {};
  readonly #start: number;
  #taken = false;
  readonly #onSocket = (message: unknown): void => {
    if (this.#taken) return;
    const socket = (message as { socket?: Socket }).socket;
    if (socket === undefined) return;
    this.#taken = true;
    socket.once("lookup", () => (this.timings.lookup ??= this.elapsed()));
    socket.once("connect", () => (this.timings.connect ??= this.elapsed()));
  };

  constructor(start: number) {
    this.#start = start;
    diagnosticsChannel.subscribe("net.client.socket", this.#onSocket);
  }

  /** Milliseconds since the start. */
  elapsed(): number {
    return performance.now() - this.#start;
  }

  /** Stop listening for sockets. */
  stop(): void {
    diagnosticsChannel.unsubscribe("net.client.socket", this.#onSocket);
  }
}

/** Writes `-v` lines to a stream. */
export class VerboseLog {
  readonly #out: NodeJS.WritableStream;

  constructor(out: NodeJS.WritableStream) {
    this.#out = out;
  }

  info(line: string): void {
    this.#out.write(`* ${line}\n`);
  }

  /** The connection: address, protocol and, over TLS, version, cipher and certificate. */
  connection(conn: Connection, target: string, viaProxy: string | undefined): void {
    const socket = conn.getSocket();
    const address = socket.remoteAddress !== undefined ? `${socket.remoteAddress} port ${socket.remotePort}` : "unknown address";
    if (viaProxy !== undefined) this.info(`Connected to ${target} through proxy ${viaProxy} (${address})`);
    else this.info(`Connected to ${target} (${address})`);
    const tls = socket as Partial<TLSSocket>;
    if (typeof tls.getProtocol === "function" && tls.encrypted === true) {
      const tlsSocket = socket as TLSSocket;
      const cipher = tlsSocket.getCipher();
      const resumed = tlsSocket.isSessionReused() ? " (session resumed)" : "";
      this.info(`TLS: ${tlsSocket.getProtocol() ?? "unknown version"}, cipher ${cipher?.standardName ?? cipher?.name ?? "unknown"}${resumed}`);
      this.info(`ALPN: ${tlsSocket.alpnProtocol || "none"}`);
      const cert = tlsSocket.getPeerCertificate();
      if (cert !== undefined && Object.keys(cert).length > 0) {
        this.info(`Server certificate:`);
        this.info(`  subject: ${distinguishedName(cert.subject)}`);
        this.info(`  issuer: ${distinguishedName(cert.issuer)}`);
        if (cert.subjectaltname) this.info(`  subjectAltName: ${cert.subjectaltname}`);
        this.info(`  valid: ${cert.valid_from} to ${cert.valid_to}`);
      }
      this.info(`Certificate verification: ${tlsSocket.authorized ? "ok" : `off (${String(tlsSocket.authorizationError ?? "not verified")})`}`);
    }
    this.info(`Using ${conn.protocol === "http2" ? "HTTP/2" : "HTTP/1.1"}`);
  }

  request(protocolLabel: string, method: string, path: string, headers: Headers): void {
    this.#out.write(`> ${method} ${path} ${protocolLabel}\n`);
    for (const [name, value] of headers) this.#out.write(`> ${name}: ${value}\n`);
    this.#out.write(">\n");
  }

  response(statusLine: string, headers: Headers): void {
    this.#out.write(`< ${statusLine}\n`);
    for (const [name, value] of headers) this.#out.write(`< ${name}: ${value}\n`);
    this.#out.write("<\n");
  }

  trailers(headers: Headers): void {
    for (const [name, value] of headers) this.#out.write(`< [trailer] ${name}: ${value}\n`);
  }

  timings(t: Timings): void {
    const ms = (v: number | undefined): string => (v === undefined ? "-" : `${v.toFixed(1)} ms`);
    this.info(`Timings: lookup ${ms(t.lookup)}, connect ${ms(t.connect)}, TLS ${ms(t.tls)}, first byte ${ms(t.firstByte)}, total ${ms(t.total)}`);
  }
}

/** "CN=localhost, O=Example" from a certificate subject or issuer. */
export function distinguishedName(name: PeerCertificate["subject"] | undefined): string {
  if (name === undefined || name === null) return "(none)";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(name)) {
    if (Array.isArray(value)) for (const v of value) parts.push(`${key}=${v}`);
    else parts.push(`${key}=${String(value)}`);
  }
  return parts.length > 0 ? parts.join(", ") : "(empty)";
}
