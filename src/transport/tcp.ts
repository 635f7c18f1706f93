// TCP (and Unix domain socket) connections for mint-http: the only place besides
// transport/tls that opens sockets. Resolves a connected net.Socket or rejects with a
// TransportError whose reason is `timeout` or the lowercase socket code (`econnrefused`).

import * as net from "node:net";
import { TransportError } from "../errors.js";
import { sessionError } from "./tls-errors.js";

/** Where to connect: a host and port, or a Unix domain socket path. */
export interface TCPTarget {
  host?: string;
  port?: number;
  path?: string;
}

/** The options connectTCP reads; every other key is ignored here. */
export interface TCPOptions {
  inet6?: boolean;
  inet4?: boolean;
  [key: string]: unknown;
}

// Plain net.connect options that pass through from transportOpts.
const NET_PASSTHROUGH = [
  "localAddress", "localPort", "family", "hints", "lookup", "noDelay", "keepAlive",
  "keepAliveInitialDelay", "autoSelectFamily", "autoSelectFamilyAttemptTimeout", "timeout",
] as const;

/**
 * Open a TCP connection (or a Unix socket when `target.path` is set) before `deadline`
 * (a `Date.now()` time, Infinity for none). With `inet6` the IPv6 address is tried first,
 * then IPv4 unless `inet4` is false; otherwise only IPv4 addresses of a host name are used
 * (IP literals connect as they are), unless `autoSelectFamily` asks for both.
 *
 * Errors: TransportError `timeout`; a lowercase socket code (`econnrefused`, `enotfound`,
 * `ehostunreach`, `eaddrnotavail`, ...).
 */
export async function connectTCP(target: TCPTarget, opts: TCPOptions, deadline: number): Promise<net.Socket> {
  if (target.path !== undefined) return attempt({ path: target.path }, target, deadline);
  const base: net.TcpNetConnectOpts = { host: target.host ?? "localhost", port: target.port ?? 0, noDelay: true };
  for (const key of NET_PASSTHROUGH) {
    if (key !== "timeout" && opts[key] !== undefined) (base as unknown as Record<string, unknown>)[key] = opts[key];
  }
  const literal = net.isIP(base.host ?? "") !== 0;
  if (!literal && base.family === undefined && base.autoSelectFamily !== true) {
    if (opts.inet6 === true) {
      try {
        return await attempt({ ...base, family: 6 }, target, deadline);
      } catch (err) {
        if (opts.inet4 === false || (err instanceof TransportError && err.reason === "timeout")) throw err;
      }
    }
    return attempt({ ...base, family: 4 }, target, deadline);
  }
  return attempt(base, target, deadline);
}

function attempt(options: net.NetConnectOpts, target: TCPTarget, deadline: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      reject(timeoutError(target, 0));
      return;
    }
    const socket = net.connect(options);
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      socket.removeListener("connect", onConnect);
      socket.removeListener("error", onError);
    };
    const onConnect = (): void => {
      cleanup();
      resolve(socket);
    };
    const onError = (err: Error): void => {
      cleanup();
      socket.destroy();
      reject(socketError(err, describe(target)));
    };
    socket.once("connect", onConnect);
    socket.once("error", onError);
    if (Number.isFinite(remaining)) {
      timer = setTimeout(() => {
        cleanup();
        socket.destroy();
        reject(timeoutError(target, remaining));
      }, Math.min(remaining, 2 ** 31 - 1));
    }
  });
}

function timeoutError(target: TCPTarget, ms: number): TransportError {
  return new TransportError("timeout", `connecting to ${describe(target)} timed out after ${Math.round(ms)} ms`);
}

/** `host:port` or the socket path, for messages. */
export function describe(target: TCPTarget): string {
  if (target.path !== undefined) return target.path;
  const host = target.host ?? "localhost";
  return `${host.includes(":") ? `[${host}]` : host}:${target.port}`;
}

const CODE_TEXT: Record<string, string> = {
  econnrefused: "connection refused",
  econnreset: "connection reset by peer",
  enotfound: "host name not found",
  eai_again: "temporary DNS failure",
  ehostunreach: "host unreachable",
  enetunreach: "network unreachable",
  etimedout: "connection timed out",
  epipe: "broken pipe (the peer closed the connection)",
  eaddrnotavail: "address not available",
  eaddrinuse: "address in use",
  enoent: "no such socket file",
  eacces: "permission denied",
  econnaborted: "connection aborted",
};

/**
 * Turn a Node socket error into a TransportError whose reason is the lowercase code
 * (`econnrefused`), keeping the original as `cause`; a TLS error on an established session
 * becomes `tls_alert` (tls-errors.ts).
 */
export function socketError(err: Error, where: string): TransportError {
  if (err instanceof TransportError) return err;
  const tls = sessionError(err, where);
  if (tls !== undefined) return tls;
  const code = typeof (err as NodeJS.ErrnoException).code === "string" ? (err as NodeJS.ErrnoException).code! : "";
  const reason = code === "" ? "closed" : code.toLowerCase().replace(/^err_stream_destroyed$/, "closed");
  const text = CODE_TEXT[reason] ?? err.message;
  return new TransportError(reason, `${where}: ${text}`, code === "" ? undefined : { code }, { cause: err });
}
