// What `Pool.stats()` reports (API.md "Pool and Agent").

/** A pool's connections and requests at one moment. */
export interface PoolStats {
  /** Open connections (HTTP/1 and HTTP/2). */
  connections: number;
  http1: number;
  http2: number;
  /** Connections with a request in flight. */
  busy: number;
  /** Open connections with nothing in flight that can take a request. */
  idle: number;
  /** Requests waiting for a connection (not those in flight). */
  queued: number;
  /** Requests sent whose response has not ended. */
  inFlight: number;
}
