// The origin a pool serves: scheme, host and port (RFC 6454 §4).

/** One origin: `scheme://host:port`; `host` is a name or an IP literal without brackets. */
export interface PoolOrigin {
  scheme: "http" | "https";
  host: string;
  port: number;
}
