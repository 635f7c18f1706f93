// Counting the process's live socket handles, to check that a failed or closed
// connection releases its socket. Uses process.getActiveResourcesInfo(), which lists one
// entry per live libuv handle or request ("TCPSocketWrap", "TCPServerWrap", "TLSWrap",
// "PipeWrap", "Timeout", ...). Client and server sockets of the same process both count.

/** Resource kinds that are sockets. */
const SOCKET_KINDS = new Set(["TCPSocketWrap", "TCPWRAP", "TCPWrap", "TLSWrap", "PipeWrap", "PipeConnectWrap", "ConnectWrap"]);

/** How many of each active resource kind the process holds now. */
export function resourceCounts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}

/** Live socket handles (client and server side, TCP, TLS and pipes). */
export function socketHandleCount(): number {
  let n = 0;
  for (const kind of process.getActiveResourcesInfo()) if (SOCKET_KINDS.has(kind)) n++;
  return n;
}

/**
 * Waits until the socket handle count is at most `baseline` (handles close asynchronously,
 * after the 'close' events). Resolves with the last count seen; the caller asserts on it.
 */
export async function settleSockets(baseline: number, timeoutMs = 2000): Promise<number> {
  const end = Date.now() + timeoutMs;
  let n = socketHandleCount();
  while (n > baseline && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 5));
    n = socketHandleCount();
  }
  return n;
}

/** A one-line description of the live resources, for assertion messages. */
export function describeResources(): string {
  return Object.entries(resourceCounts()).map(([k, v]) => `${k}=${v}`).join(" ");
}
