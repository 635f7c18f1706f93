// Shared tls.SecureContext objects. Building a context parses every CA of the trust store
// (about 40 ms for Node's ~150 bundled roots given as a `cacertfile`, 3 ms for one CA), so
// connections with the same context settings share one context, as Mint shares its decoded
// cacertfile. Only contexts fully described by Mint's own options are shared: a connection
// with any context-level pass-through option (cert, key, pfx, ecdhCurve, ...) builds its own.

import { createSecureContext, type ConnectionOptions, type SecureContext } from "node:tls";

/** Pass-through options that do not go into the secure context (socket or connection level). */
const CONTEXT_FREE: ReadonlySet<string> = new Set([
  "keepAlive", "keepAliveInitialDelay", "noDelay", "localAddress", "localPort", "family", "lookup", "hints",
  "autoSelectFamily", "autoSelectFamilyAttemptTimeout", "highWaterMark", "signal", "allowHalfOpen", "onread",
  "requestOCSP", "minDHSize", "enableTrace", "pskCallback", "ALPNProtocols", "servername",
  "rejectUnauthorized", "checkServerIdentity",
]);

/** Options that make up a shared context. */
const CONTEXT_KEYS = ["ca", "ciphers", "minVersion", "maxVersion", "secureOptions", "allowPartialTrustChain"] as const;

const MAX = 64;
const cache = new Map<string, SecureContext>();

/**
 * A shared context for `options` when they hold no context-level pass-through option, else
 * undefined (tls.connect then builds one). `trustKey` identifies `options.ca`.
 */
export function sharedSecureContext(options: ConnectionOptions, trustKey: string): SecureContext | undefined {
  for (const k of Object.keys(options)) {
    if (!CONTEXT_FREE.has(k) && !(CONTEXT_KEYS as readonly string[]).includes(k)) return undefined;
  }
  const key = [trustKey, options.ciphers, options.minVersion, options.maxVersion, options.secureOptions, options.allowPartialTrustChain ? 1 : 0].join("|");
  let ctx = cache.get(key);
  if (ctx) {
    cache.delete(key);
    cache.set(key, ctx);
    return ctx;
  }
  const ctxOptions: Record<string, unknown> = {};
  for (const k of CONTEXT_KEYS) if (options[k] !== undefined) ctxOptions[k] = options[k];
  ctx = createSecureContext(ctxOptions);
  cache.set(key, ctx);
  if (cache.size > MAX) cache.delete(cache.keys().next().value as string);
  return ctx;
}

/** Number of shared contexts (for tests). */
export function sharedSecureContextCount(): number {
  return cache.size;
}
