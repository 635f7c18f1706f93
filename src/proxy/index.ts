// Proxy selection: http targets go through a forward proxy, https targets through a
// CONNECT tunnel.

import type { Connection } from "../connection/connection.js";
import { HTTPError } from "../errors.js";
import type { ConnectOptions } from "../options.js";
import type { Scheme } from "../types.js";

/** Connect to `host:port` through `opts.proxy`. */
export async function connectViaProxy(_scheme: Scheme, _host: string, _port: number, _hostname: string, _opts: ConnectOptions): Promise<Connection> {
  throw new HTTPError("proxy", "not_supported", "proxies are not supported yet");
}
