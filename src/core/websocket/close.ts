// Close frame payloads (RFC 6455 §5.5.1, §7.4).
//
// How this works: `encodeClose` builds the payload we send (a code and a UTF-8 reason of
// at most 123 bytes), refusing codes that may not be sent; `decodeClose` checks the
// payload the peer sent and returns its code (1005 when there was none) and reason.

import { CloseCode, WebSocketProtocolError, protocolError } from "./errors.js";
import { isValidUtf8 } from "./utf8.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** RFC 6455 §7.4.1/§7.4.2: codes an endpoint may put on the wire. */
export function isValidWireCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  // 1004 is reserved, 1005/1006/1015 MUST NOT be sent; 1012-1014 are IANA-registered (RFC 6455 §11.7)
  if ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)) return true;
  return code >= 3000 && code <= 4999;
}

/**
 * The payload of a close frame we send. Throws TypeError for a code that may not be sent
 * (RFC 6455 §7.4) or a reason longer than 123 bytes of UTF-8 (§5.5: control payload ≤ 125).
 */
export function encodeClose(code: number | undefined, reason = ""): Uint8Array {
  if (code === undefined) {
    if (reason !== "") throw new TypeError("a close reason needs a close code");
    return new Uint8Array(0);
  }
  if (!isValidWireCode(code)) throw new TypeError(`close code ${code} may not be sent (RFC 6455 §7.4: 1000-1003, 1007-1014, 3000-4999)`);
  const text = encoder.encode(reason);
  if (text.length > 123) throw new TypeError(`close reason is ${text.length} bytes of UTF-8; at most 123 fit in a close frame`);
  const out = new Uint8Array(2 + text.length);
  out[0] = code >> 8;
  out[1] = code & 0xff;
  out.set(text, 2);
  return out;
}

/** Decodes and checks the payload of a close frame from the peer. */
export function decodeClose(payload: Uint8Array): { code: number; reason: string } {
  if (payload.length === 0) return { code: CloseCode.NO_STATUS, reason: "" };
  // RFC 6455 §5.5.1: if there is a body, its first two bytes are the code
  if (payload.length === 1) throw protocolError("invalid_close_payload", "the close frame has a 1-byte payload");
  const code = (payload[0]! << 8) | payload[1]!;
  // RFC 6455 §7.4.1: 1005, 1006, 1015 and unassigned codes are not valid on the wire
  if (!isValidWireCode(code)) throw protocolError("invalid_close_code", `the peer sent close code ${code}`);
  const reasonBytes = payload.subarray(2);
  // RFC 6455 §5.5.1: the reason is UTF-8; §8.1: invalid UTF-8 fails the connection with 1007
  if (!isValidUtf8(reasonBytes)) throw new WebSocketProtocolError(CloseCode.INVALID_DATA, "invalid_utf8", "the close reason is not valid UTF-8");
  return { code, reason: decoder.decode(reasonBytes) };
}
