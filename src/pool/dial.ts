// Opening a pooled connection: connect() to the origin with the pool's options, honouring
// the pool's abort signal (a connection that opens after the pool gave up is closed).

import { connect, type Connection, type ConnectOptions } from "../index.js";
import type { PoolOrigin } from "./origin.js";

/**
 * Open a connection to `origin`. Rejects with connect()'s errors, or with the signal's
 * reason when it aborts first.
 */
export async function dial(origin: PoolOrigin, opts: ConnectOptions, signal?: AbortSignal): Promise<Connection> {
  signal?.throwIfAborted();
  const conn = await connect(origin.scheme, origin.host, origin.port, opts);
  if (signal?.aborted === true) {
    await conn.close();
    throw signal.reason;
  }
  return conn;
}
