// undici's diagnostics_channel names, published for requests that go through a Pool or
// Agent dispatcher, so that tracing written for undici works unchanged. This is the only
// module that imports node:diagnostics_channel; every message is built only when its
// channel has subscribers.
//
// Payloads, as undici publishes them:
//   undici:request:create     { request }
//   undici:request:bodySent   { request }
//   undici:request:headers    { request, response: { statusCode, headers: Buffer[], statusText } }
//   undici:request:trailers   { request, trailers: Buffer[] }
//   undici:request:error      { request, error }
//   undici:client:sendHeaders { request, headers: string, socket }
//   undici:client:beforeConnect { connectParams, connector }
//   undici:client:connected   { connectParams, connector, socket }
//   undici:client:connectError { connectParams, connector, error }

import diagnostics from "node:diagnostics_channel";
import type { DiagnosticsRequest } from "./request-record.js";

export const channels = {
  create: diagnostics.channel("undici:request:create"),
  bodySent: diagnostics.channel("undici:request:bodySent"),
  headers: diagnostics.channel("undici:request:headers"),
  trailers: diagnostics.channel("undici:request:trailers"),
  error: diagnostics.channel("undici:request:error"),
  sendHeaders: diagnostics.channel("undici:client:sendHeaders"),
  beforeConnect: diagnostics.channel("undici:client:beforeConnect"),
  connected: diagnostics.channel("undici:client:connected"),
  connectError: diagnostics.channel("undici:client:connectError"),
} as const;

/** Whether anyone listens to the request channels (the dispatcher skips building records otherwise). */
export function tracing(): boolean {
  return channels.create.hasSubscribers || channels.headers.hasSubscribers || channels.trailers.hasSubscribers ||
    channels.error.hasSubscribers || channels.bodySent.hasSubscribers || channels.sendHeaders.hasSubscribers;
}

export function publishCreate(request: DiagnosticsRequest): void {
  if (channels.create.hasSubscribers) channels.create.publish({ request });
}

export function publishBodySent(request: DiagnosticsRequest): void {
  if (channels.bodySent.hasSubscribers) channels.bodySent.publish({ request });
}

export function publishSendHeaders(request: DiagnosticsRequest, headers: string, socket: unknown): void {
  if (channels.sendHeaders.hasSubscribers) channels.sendHeaders.publish({ request, headers, socket });
}

export function publishHeaders(request: DiagnosticsRequest, statusCode: number, headers: Buffer[], statusText: string): void {
  if (channels.headers.hasSubscribers) channels.headers.publish({ request, response: { statusCode, headers, statusText } });
}

export function publishTrailers(request: DiagnosticsRequest, trailers: Buffer[]): void {
  request.completed = true;
  if (channels.trailers.hasSubscribers) channels.trailers.publish({ request, trailers });
}

export function publishError(request: DiagnosticsRequest, error: Error): void {
  request.aborted = true;
  if (channels.error.hasSubscribers) channels.error.publish({ request, error });
}

/** What undici's connect messages carry about the connection being opened. */
export interface ConnectParams {
  host: string;
  hostname: string;
  protocol: string;
  port: string;
  servername: string | null;
  localAddress: string | null;
  version?: string;
}

export function publishBeforeConnect(connectParams: ConnectParams, connector: unknown): void {
  if (channels.beforeConnect.hasSubscribers) channels.beforeConnect.publish({ connectParams, connector });
}

export function publishConnected(connectParams: ConnectParams, connector: unknown, socket: unknown): void {
  if (channels.connected.hasSubscribers) channels.connected.publish({ connectParams, connector, socket });
}

export function publishConnectError(connectParams: ConnectParams, connector: unknown, error: Error): void {
  if (channels.connectError.hasSubscribers) channels.connectError.publish({ connectParams, connector, error });
}

/** The connect messages of one connection attempt (from traceConnect). */
export interface ConnectTrace {
  connected(socket: unknown): void;
  failed(error: unknown): void;
}

/**
 * Publish `undici:client:beforeConnect` for a connection about to open to `origin` and
 * return what publishes its outcome (`connected` / `connectError`); undefined when none of
 * the three channels has subscribers. `connector` is the pool opening it.
 */
export function traceConnect(origin: { scheme: string; host: string; port: number }, connector: unknown): ConnectTrace | undefined {
  if (!channels.beforeConnect.hasSubscribers && !channels.connected.hasSubscribers && !channels.connectError.hasSubscribers) return undefined;
  const host = origin.host.includes(":") ? `[${origin.host}]` : origin.host;
  const params: ConnectParams = {
    host: `${host}:${origin.port}`,
    hostname: origin.host,
    protocol: `${origin.scheme}:`,
    port: String(origin.port),
    servername: origin.scheme === "https" ? origin.host : null,
    localAddress: null,
  };
  publishBeforeConnect(params, connector);
  return {
    connected: (socket) => publishConnected(params, connector, socket),
    failed: (error) => publishConnectError(params, connector, error instanceof Error ? error : new Error(String(error))),
  };
}
