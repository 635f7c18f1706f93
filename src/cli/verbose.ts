// What `-v` prints on stderr, curl style: "*" lines about the connection, ">" lines for the
// request, "<" lines for the response, and the timings at the end.
//
// The timings are measured by the caller (connections.ts and transfer.ts); this file only
// formats them. Each connection is numbered (#0, #1, ...) so that the reader can see which
// one each request used.

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
  connection(conn: Connection, target: string, viaProxy: string | undefined, id: number): void {
    const socket = conn.getSocket();
    const address = socket.remoteAddress !== undefined ? `${socket.remoteAddress} port ${socket.remotePort}` : "unknown address";
    if (viaProxy !== undefined) this.info(`Connected to ${target} through proxy ${viaProxy} (${address}) (#${id})`);
    else this.info(`Connected to ${target} (${address}) (#${id})`);
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
