// Applying SETTINGS: the server's on receipt (RFC 9113 §6.5.3, then ACKed by the caller),
// ours when the server acknowledges them (oldest pending frame first).
//
// A change of SETTINGS_INITIAL_WINDOW_SIZE moves every open stream's window by the
// difference (RFC 9113 §6.9.2): the server's moves our send windows, ours the receive ones.

import type { H2Connection } from "./connection.js";
import { connectionError, ErrorCode } from "./errors.js";
import { MAX_WINDOW_SIZE } from "./frame-header.js";
import { applyParams, checkServerParam } from "./settings.js";

/** Apply a server SETTINGS frame's parameters. Throws connection errors. */
export function applyServerSettings(c: H2Connection, params: ReadonlyArray<readonly [number, number]>): void {
  for (const [id, value] of params) {
    const name = checkServerParam(id, value, c.server);
    switch (name) {
      case undefined:
        // RFC 9113 §6.5.2: unknown settings are ignored.
        break;
      case "headerTableSize":
        c.server.headerTableSize = value;
        c.encoder.resize(value);
        break;
      case "initialWindowSize": {
        const delta = value - c.server.initialWindowSize;
        c.server.initialWindowSize = value;
        for (const s of c.byId.values()) {
          const w = s.sendWindow + delta;
          // RFC 9113 §6.9.2: a change that pushes a window past 2^31-1 is a FLOW_CONTROL_ERROR.
          if (w > MAX_WINDOW_SIZE) throw connectionError(ErrorCode.FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE pushed a stream window past 2^31-1");
          s.sendWindow = w;
        }
        if (delta > 0) c.sendWindowGrew = true;
        break;
      }
      case "enablePush":
      case "enableConnectProtocol":
        c.server[name] = value === 1;
        break;
      default:
        c.server[name] = value;
    }
  }
}

/** The server acknowledged our oldest pending SETTINGS: apply it. */
export function applyClientAck(c: H2Connection): void {
  const params = c.pendingSettings.shift();
  if (params === undefined) {
    c.log?.("h2: ignored a SETTINGS ACK with no SETTINGS pending");
    return;
  }
  const before = c.client.initialWindowSize;
  const tableBefore = c.client.headerTableSize;
  applyParams(c.client, params);
  const delta = c.client.initialWindowSize - before;
  if (delta !== 0) {
    for (const s of c.byId.values()) {
      s.recvPeak += delta;
      s.recvRemaining += delta;
    }
  }
  if (c.client.headerTableSize !== tableBefore) c.decoder.setMaxTableSize(c.client.headerTableSize);
  c.decoder.setMaxHeaderListSize(c.client.maxHeaderListSize);
}
