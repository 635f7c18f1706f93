// TLS on top of an already connected socket: a fresh TCP socket, a proxy tunnel, or another
// TLSSocket (TLS inside TLS for an HTTPS proxy).
//
// connectTLS starts the handshake with tls.connect({ socket }), then on 'secureConnect' runs
// the checks of verify_peer itself (see tls-options.ts for why): the OpenSSL chain result
// (with the partial chain fallback on Node without `allowPartialTrustChain`), the chain
// depth, then the host name (or the caller's verifyFun). Only then does it resolve. Every
// failure destroys the socket and rejects with a TransportError; the deadline covers the
// whole handshake. Sessions are cached once verified: a TLS 1.2 session arrives during the
// handshake, TLS 1.3 tickets after it, so the 'session' listener stays for the socket's life.

import type { Socket } from "node:net";
import * as tls from "node:tls";
import { TransportError } from "../errors.js";
import { checkIdentity } from "./hostname-check.js";
import { DEFAULT_DEPTH, type TransportOptions } from "./options.js";
import { chainReachesTrustedCA, nativePartialChain, PARTIAL_CHAIN_CODES } from "./partial-chain.js";
import { sessionCache } from "./session-cache.js";
import { buildTLSOptions, type BuiltTLSOptions } from "./tls-options.js";

export type { BuiltTLSOptions } from "./tls-options.js";
import { chainOf, depthError, handshakeError, hostnameError, verifyError, verifyFunError } from "./tls-errors.js";

export interface ConnectTLSOptions {
  /** A connected socket (net.Socket, tunnel socket, or TLSSocket). */
  socket: Socket;
  /** Host name for SNI and verification (an IP literal is checked against IP SANs and sends no SNI). */
  hostname: string;
  /** Port, for the session cache and messages. */
  port: number;
  transportOpts: TransportOptions;
  /** ALPN protocols to offer, e.g. ["h2", "http/1.1"]; [] offers none. */
  alpnProtocols: string[];
  /** Absolute deadline (Date.now() ms), Infinity for none. */
  deadline: number;
  /** The options prepareTLS built before the socket was opened; built here when absent. */
  prepared?: BuiltTLSOptions;
}

/**
 * Builds and checks the TLS settings of one connection without any socket: `connect` calls
 * it before opening one, so options OpenSSL refuses never cost a connection.
 * @throws TypeError for unusable options (unknown cipher names, a malformed certificate or
 *   key, `cacerts: "system"` unsupported); TransportError `options` (unreadable cacertfile,
 *   wrong passphrase).
 */
export function prepareTLS(transportOpts: TransportOptions, hostname: string, port: number, alpnProtocols: readonly string[]): BuiltTLSOptions {
  try {
    return buildTLSOptions(transportOpts, hostname, port, alpnProtocols);
  } catch (err) {
    throw err instanceof TypeError || err instanceof TransportError ? err : optionError(err);
  }
}

const MAX_TIMER = 2 ** 31 - 1;

/**
 * Upgrades `o.socket` to TLS and resolves once the handshake is done and the peer verified.
 * The caller reads `alpnProtocol` on the result and must attach its own 'error' listener.
 *
 * @throws TransportError `tls_alert` (details.alert: the alert's name — unknown_ca,
 *   certificate_expired, hostname_check_failed, bad_certificate, handshake_failure,
 *   protocol_version, no_application_protocol, certificate_required, ... (tls-alerts.ts);
 *   details.code: Node's code), `timeout` (deadline passed), `closed` (peer closed during the handshake), a
 *   lowercase socket code, or `options` (unreadable cacertfile, bad key or certificate).
 * @throws TypeError for unusable options (unknown cipher names, `cacerts: "system"` unsupported).
 */
export function connectTLS(o: ConnectTLSOptions): Promise<tls.TLSSocket> {
  const { socket, hostname, port, transportOpts, alpnProtocols, deadline } = o;
  let built: BuiltTLSOptions;
  try {
    built = o.prepared ?? prepareTLS(transportOpts, hostname, port, alpnProtocols);
  } catch (err) {
    socket.destroy();
    return Promise.reject(err);
  }
  if (socket.destroyed) return Promise.reject(new TransportError("closed", `connection to ${hostname}:${port} closed before the TLS handshake`));
  if (deadline <= Date.now()) {
    socket.destroy();
    return Promise.reject(timeoutError(hostname, port));
  }

  const { sessionKey } = built;
  const cached = sessionKey === undefined ? undefined : sessionCache.get(sessionKey);
  const session = cached?.session;
  // After a full handshake that OpenSSL verified, Node builds the detailed peer chain once
  // and hands it to checkServerIdentity (which decides nothing here): keep it, so that our
  // own checks need not build it a second time (the copy of each certificate in the chain
  // is the most expensive step of a client's handshake after the key exchange).
  let nodePeer: tls.DetailedPeerCertificate | undefined;
  const checkServerIdentity = (_host: string, cert: tls.PeerCertificate): undefined => {
    nodePeer = cert as tls.DetailedPeerCertificate;
    return undefined;
  };
  let tlsSocket: tls.TLSSocket;
  try {
    tlsSocket = tls.connect({ ...built.options, socket, checkServerIdentity, ...(session ? { session } : {}) });
  } catch (err) {
    socket.destroy();
    return Promise.reject(optionError(err));
  }

  return new Promise<tls.TLSSocket>((resolve, reject) => {
    let settled = false;
    let verified = false;
    let pendingSession: Buffer | undefined;
    let verifiedPeer: tls.DetailedPeerCertificate | undefined;
    let timer: NodeJS.Timeout | undefined;

    const onSession = (s: Buffer) => {
      if (sessionKey === undefined) return;
      if (verified) sessionCache.set(sessionKey, { session: s, peer: verifiedPeer });
      else pendingSession = s;
    };
    const cleanup = () => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      tlsSocket.off("secureConnect", onSecure);
      tlsSocket.off("error", onError);
      tlsSocket.off("close", onClose);
    };
    const fail = (err: Error) => {
      if (settled) return;
      cleanup();
      tlsSocket.off("session", onSession);
      if (sessionKey !== undefined) sessionCache.delete(sessionKey);
      tlsSocket.on("error", () => {}); // late errors of a socket nobody owns any more
      tlsSocket.destroy();
      socket.destroy();
      reject(err);
    };
    const onError = (err: Error) => fail(handshakeError(err, hostname, port, { alpn: alpnProtocols }));
    const onClose = () => fail(new TransportError("closed", `${hostname}:${port} closed the connection during the TLS handshake`));
    const onSecure = () => {
      if (settled) return;
      let peer: tls.DetailedPeerCertificate | undefined;
      if (built.verify) {
        peer = nodePeer ?? tlsSocket.getPeerCertificate(true);
        // A resumed session carries no certificate: check the one verified when it was made.
        if ((!peer || !peer.raw) && tlsSocket.isSessionReused()) peer = cached?.peer;
        const err = verifyPeer(tlsSocket, peer, built, transportOpts);
        if (err) return fail(err);
      }
      cleanup();
      verified = true;
      verifiedPeer = peer;
      if (pendingSession && sessionKey !== undefined) sessionCache.set(sessionKey, { session: pendingSession, peer });
      resolve(tlsSocket);
    };

    if (sessionKey !== undefined) tlsSocket.on("session", onSession);
    tlsSocket.once("secureConnect", onSecure);
    tlsSocket.on("error", onError);
    tlsSocket.once("close", onClose);
    if (deadline !== Infinity) {
      const arm = () => {
        const left = deadline - Date.now();
        if (left <= 0) return fail(timeoutError(hostname, port));
        timer = setTimeout(arm, Math.min(left, MAX_TIMER));
      };
      timer = setTimeout(arm, Math.min(Math.max(0, deadline - Date.now()), MAX_TIMER));
    }
  });
}

/** The checks of verify_peer after the handshake; returns the error, or undefined when the peer is accepted. */
function verifyPeer(s: tls.TLSSocket, peer: tls.DetailedPeerCertificate | undefined, built: BuiltTLSOptions, opts: TransportOptions): TransportError | undefined {
  const host = built.verifyName;
  if (!peer || !peer.raw) return verifyError("NO_PEER_CERTIFICATE", host, undefined);
  const authErr = s.authorizationError as unknown;
  if (authErr) {
    const code = typeof authErr === "string" ? authErr : ((authErr as NodeJS.ErrnoException).code ?? String((authErr as Error).message));
    const cured = !nativePartialChain && opts.partialChain !== false && PARTIAL_CHAIN_CODES.has(code) && chainReachesTrustedCA(peer, built.trust.ca);
    if (!cured) return verifyError(code, host, peer);
  }
  // depth: intermediate CAs between the peer certificate and the trust anchor (the last one).
  const depth = opts.depth ?? DEFAULT_DEPTH;
  const intermediates = Math.max(0, chainOf(peer).length - 2);
  if (intermediates > depth) return depthError(host, intermediates, depth);
  if (opts.verifyFun) {
    let r: unknown;
    try {
      r = opts.verifyFun(host, peer);
    } catch (e) {
      r = e ?? new Error("verifyFun threw");
    }
    return r ? verifyFunError(host, r) : undefined;
  }
  const mismatch = checkIdentity(host, peer);
  return mismatch ? hostnameError(host, mismatch) : undefined;
}

function timeoutError(hostname: string, port: number): TransportError {
  return new TransportError("timeout", `TLS handshake with ${hostname}:${port} did not finish before the connect timeout`);
}

/**
 * An error from building the TLS settings (createSecureContext, tls.connect) as the caller's
 * mistake: TypeError naming what to fix. OpenSSL's own text stays in `cause`.
 */
function optionError(err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? "";
  if (code === "ERR_SSL_NO_CIPHER_MATCH") return new TypeError(`invalid transportOpts: no known cipher suite in "ciphers"`, { cause: e });
  // Node's own argument checks speak plainly; keep their words.
  if (code.startsWith("ERR_INVALID_ARG") || code === "ERR_TLS_INVALID_PROTOCOL_VERSION" || code === "ERR_OUT_OF_RANGE")
    return new TypeError(`invalid transportOpts: ${e.message}`, { cause: e });
  // Anything else OpenSSL refuses here is a certificate, key or passphrase it cannot use
  // (PEM or ASN.1 decoding, a wrong passphrase, a key that does not match the certificate).
  return new TypeError(`invalid transportOpts: the client certificate or key cannot be used${code ? ` (${code})` : ""}; check "cert", "key", "pfx" and "passphrase"`, { cause: e });
}
