// The benchmark's scenario table: what each scenario asks for, which server answers it and
// which contenders run it. Contenders listed under `extra` run only with BENCH_ALL=1 or when
// BENCH_FILTER names them, which keeps the default run to about five minutes on two cores.

export type Unit = "req/s" | "MB/s" | "conns/s" | "bytes/conn";
export type ServerName = "h1" | "h1tls" | "h2" | "h2tls" | "tls" | "nginx" | "nghttpd";

export interface Contender {
  label: string;
  /** A client under bench/clients/, or an external C tool (bench/external.ts). */
  file: "mint" | "mint-pool" | "undici" | "node" | "raw" | "fetch" | "wrk" | "h2load";
  variant: string;
}

export const CONTENDERS: Record<string, Contender> = {
  raw: { label: "raw socket (ceiling)", file: "raw", variant: "h1" },
  wrk: { label: "wrk (C, 1 thread)", file: "wrk", variant: "" },
  h2load: { label: "h2load (C, 1 thread)", file: "h2load", variant: "" },
  mint: { label: "mint-http active", file: "mint", variant: "active" },
  "mint-passive": { label: "mint-http passive recv", file: "mint", variant: "passive" },
  "undici-request": { label: "undici Pool.request", file: "undici", variant: "request" },
  "undici-dispatch": { label: "undici Pool.dispatch", file: "undici", variant: "dispatch" },
  "node-http": { label: "node:http keep-alive agent", file: "node", variant: "http" },
  "node-http2": { label: "node:http2 session", file: "node", variant: "http2" },
  "undici-h2c": { label: "undici H2CClient.request", file: "undici", variant: "request" },
  "undici-h2c-dispatch": { label: "undici H2CClient.dispatch", file: "undici", variant: "dispatch" },
  "raw-tls": { label: "raw tls socket (ceiling)", file: "raw", variant: "tls" },
  "raw-tls-h1": { label: "raw tls socket, HTTP/1 (ceiling)", file: "raw", variant: "tls" },
  "raw-tls-h2": { label: "raw tls socket, HTTP/2 frames (ceiling)", file: "raw", variant: "tls" },
  "undici-tls-pool": { label: "undici Pool.request", file: "undici", variant: "request" },
  "node-https": { label: "node:https agent", file: "node", variant: "https" },
  "undici-tls": { label: "undici Client per connection", file: "undici", variant: "request" },
  "mint-pool": { label: "mint-http Pool.request", file: "mint-pool", variant: "pool" },
  "mint-agent": { label: "mint-http Agent.request", file: "mint-pool", variant: "agent" },
  "mint-bare": { label: "mint-http bare Connection", file: "mint", variant: "active" },
  "undici-agent-h2": { label: "undici Agent (allowH2)", file: "undici", variant: "agent-h2" },
  "node-http2-tls": { label: "node:http2 session", file: "node", variant: "http2" },
  "fetch-node-mint": { label: "Node fetch, mint-http Agent", file: "fetch", variant: "node-mint" },
  "fetch-node-default": { label: "Node fetch, default dispatcher", file: "fetch", variant: "node-default" },
  "fetch-node-memory": { label: "Node fetch, in-memory dispatcher (ceiling)", file: "fetch", variant: "node-memory" },
  "fetch-undici-mint": { label: "undici fetch, mint-http Agent", file: "fetch", variant: "undici-mint" },
  "fetch-undici-h2": { label: "undici fetch, Agent({ allowH2 })", file: "fetch", variant: "undici-h2" },
  "request-mint": { label: "undici request(), mint-http Agent", file: "fetch", variant: "request-mint" },
  "request-undici": { label: "undici request(), undici Agent", file: "fetch", variant: "request-undici" },
};

export interface Scenario {
  id: string;
  title: string;
  unit: Unit;
  server: ServerName;
  target: string; // h1: listener name; h2/nghttpd: path
  kind: "requests" | "tls" | "memory";
  protocol: "http1" | "http2";
  connections: number;
  inFlight: number; // per connection (HTTP/1) or per session (HTTP/2)
  method?: "GET" | "POST";
  scheme?: "http" | "https"; // https: requests over TLS (default http)
  bodySize?: number;
  resume?: boolean;
  reference: string;
  contenders: string[];
  /** The C load generator run beside the contenders when installed, for the "vs C client" column. */
  cClient?: "wrk" | "h2load";
  extra?: string[];
}

const MiB = 1024 * 1024;
const TLS = ["mint", "node-https", "undici-tls"];

export const SCENARIOS: Scenario[] = [
  {
    id: "h1-small", title: "small GETs, HTTP/1.1, 10 connections x 1 in flight", unit: "req/s",
    server: "h1", target: "small", kind: "requests", protocol: "http1", connections: 10, inFlight: 1,
    reference: "undici-request", contenders: ["raw", "mint", "mint-passive", "undici-request", "node-http"],
    extra: ["undici-dispatch"], cClient: "wrk",
  },
  {
    id: "h1-pipelined", title: "small GETs, HTTP/1.1, 10 connections x 10 pipelined", unit: "req/s",
    server: "h1", target: "small", kind: "requests", protocol: "http1", connections: 10, inFlight: 10,
    reference: "undici-request", contenders: ["raw", "mint", "undici-request"], extra: ["mint-passive", "undici-dispatch"],
  },
  {
    id: "h2-small", title: "small GETs, HTTP/2 (h2c), 1 connection x 100 streams", unit: "req/s",
    server: "h2", target: "/small", kind: "requests", protocol: "http2", connections: 1, inFlight: 100,
    reference: "undici-h2c", contenders: ["mint", "node-http2", "undici-h2c"], extra: ["mint-passive", "undici-h2c-dispatch"],
    cClient: "h2load",
  },
  {
    id: "h1-64k", title: "64 KiB responses, HTTP/1.1, 10 connections x 1 in flight", unit: "req/s",
    server: "h1", target: "k64", kind: "requests", protocol: "http1", connections: 10, inFlight: 1,
    reference: "undici-request", contenders: ["mint", "undici-request"], extra: ["raw", "node-http", "mint-passive", "undici-dispatch"],
  },
  {
    id: "h1-upload", title: "1 MiB uploads, HTTP/1.1, 10 connections x 1 in flight", unit: "req/s",
    server: "h1", target: "upload", kind: "requests", protocol: "http1", connections: 10, inFlight: 1,
    method: "POST", bodySize: MiB,
    reference: "undici-request", contenders: ["mint", "undici-request"], extra: ["raw", "node-http", "undici-dispatch"],
  },
  {
    id: "h1-download", title: "large download, HTTP/1.1, 1 connection", unit: "MB/s",
    server: "h1", target: "large", kind: "requests", protocol: "http1", connections: 1, inFlight: 1,
    reference: "undici-request", contenders: ["raw", "mint", "undici-request"], extra: ["node-http", "mint-passive", "undici-dispatch"],
  },
  {
    id: "h2-download", title: "large download, HTTP/2 (h2c), 1 stream, default windows", unit: "MB/s",
    server: "h2", target: "/large", kind: "requests", protocol: "http2", connections: 1, inFlight: 1,
    reference: "undici-h2c", contenders: ["mint", "undici-h2c"], extra: ["node-http2", "mint-passive"],
  },
  {
    id: "h1-tls-download", title: "large download, HTTP/1.1 over TLS, 1 connection", unit: "MB/s",
    server: "h1tls", target: "large", kind: "requests", protocol: "http1", connections: 1, inFlight: 1, scheme: "https",
    reference: "raw-tls-h1", contenders: ["raw-tls-h1", "mint"], extra: ["undici-tls-pool", "mint-passive"],
  },
  {
    id: "h2-tls-download", title: "large download, HTTP/2 over TLS (ALPN), 1 stream, default windows", unit: "MB/s",
    server: "h2tls", target: "/large", kind: "requests", protocol: "http2", connections: 1, inFlight: 1, scheme: "https",
    reference: "raw-tls-h2", contenders: ["raw-tls-h2", "mint"], extra: ["undici-agent-h2", "mint-passive", "node-http2-tls"],
  },
  {
    id: "fetch-h1", title: "fetch() small GETs, HTTP/1.1, 10 in flight", unit: "req/s",
    server: "h1", target: "small", kind: "requests", protocol: "http1", connections: 10, inFlight: 1,
    reference: "fetch-node-default", contenders: ["fetch-node-mint", "fetch-node-default", "fetch-node-memory"],
  },
  {
    id: "fetch-h2tls", title: "fetch() small GETs, HTTP/2 over TLS (ALPN), 1 connection x 100 in flight", unit: "req/s",
    server: "h2tls", target: "/small", kind: "requests", protocol: "http2", connections: 1, inFlight: 100,
    reference: "fetch-undici-h2", contenders: ["fetch-undici-mint", "fetch-undici-h2"],
  },
  {
    id: "request-h1", title: "undici request() small GETs, HTTP/1.1, 10 in flight", unit: "req/s",
    server: "h1", target: "small", kind: "requests", protocol: "http1", connections: 10, inFlight: 1,
    reference: "request-undici", contenders: ["request-mint", "request-undici"],
  },
  {
    id: "tls-new", title: "new TLS connections (1 GET each), 10 at a time, full handshakes", unit: "conns/s",
    server: "tls", target: "/", kind: "tls", protocol: "http1", connections: 10, inFlight: 1, resume: false,
    reference: "undici-tls", contenders: TLS, extra: ["raw-tls"],
  },
  {
    id: "tls-resumed", title: "new TLS connections (1 GET each), 10 at a time, session resumption", unit: "conns/s",
    server: "tls", target: "/", kind: "tls", protocol: "http1", connections: 10, inFlight: 1, resume: true,
    reference: "undici-tls", contenders: ["mint", "undici-tls"], extra: ["node-https", "raw-tls"],
  },
  {
    id: "memory", title: "heap per idle open connection (500 connections, after one GET each)", unit: "bytes/conn",
    server: "h1", target: "small", kind: "memory", protocol: "http1",
    connections: Number(process.env.BENCH_IDLE_CONNS ?? 500), inFlight: 1,
    reference: "undici-request", contenders: ["mint", "undici-request", "node-http"],
  },
  // The pool (mint-http/pool) beside undici's, and the bare Connection it is built on.
  {
    id: "pool-h1-small", title: "pool: small GETs, HTTP/1.1, 10 connections", unit: "req/s",
    server: "h1", target: "small", kind: "requests", protocol: "http1", connections: 10, inFlight: 1,
    reference: "undici-request", contenders: ["mint-pool", "undici-request", "mint-bare"],
  },
  {
    id: "pool-h1-64k", title: "pool: 64 KiB responses, HTTP/1.1, 10 connections", unit: "req/s",
    server: "h1", target: "k64", kind: "requests", protocol: "http1", connections: 10, inFlight: 1,
    reference: "undici-request", contenders: ["mint-pool", "undici-request", "mint-bare"],
  },
  {
    id: "pool-h2-tls", title: "pool: small GETs, HTTP/2 over TLS, 100 in flight", unit: "req/s",
    server: "h2tls", target: "/small", kind: "requests", protocol: "http2", connections: 1, inFlight: 100, scheme: "https",
    reference: "undici-agent-h2", contenders: ["mint-agent", "undici-agent-h2", "node-http2-tls", "mint-bare"],
  },
  // Extra targets, run only when the server is installed.
  {
    id: "nginx-small", title: "small GETs against nginx, HTTP/1.1, 10 connections x 1 in flight", unit: "req/s",
    server: "nginx", target: "/", kind: "requests", protocol: "http1", connections: 10, inFlight: 1,
    reference: "undici-request", contenders: ["raw", "mint", "undici-request", "node-http"], cClient: "wrk",
  },
  {
    id: "nghttpd-small", title: "small GETs against nghttpd (h2c), 1 connection x 100 streams", unit: "req/s",
    server: "nghttpd", target: "/small", kind: "requests", protocol: "http2", connections: 1, inFlight: 100,
    reference: "undici-h2c", contenders: ["mint", "node-http2", "undici-h2c"], cClient: "h2load",
  },
];
