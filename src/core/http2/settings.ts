// SETTINGS parameters (RFC 9113 §6.5.2, RFC 8441 §3): identifiers, defaults, validation
// of what the caller asks us to send and of what the server sends us.
//
// Our own settings take effect only when the server acknowledges them (RFC 9113 §6.5.3),
// so the engine keeps a FIFO of sent-but-unacknowledged settings; the server's take effect
// on receipt and are acknowledged at once.

import type { HTTP2Settings } from "../../types.js";
import { connectionError, ErrorCode } from "./errors.js";
import { MAX_MAX_FRAME_SIZE, MAX_WINDOW_SIZE, MIN_MAX_FRAME_SIZE } from "./frame-header.js";

export const SettingId = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
  ENABLE_CONNECT_PROTOCOL: 0x8,
} as const;

export const SETTING_IDS: Readonly<Record<keyof HTTP2Settings, number>> = {
  headerTableSize: SettingId.HEADER_TABLE_SIZE,
  enablePush: SettingId.ENABLE_PUSH,
  maxConcurrentStreams: SettingId.MAX_CONCURRENT_STREAMS,
  initialWindowSize: SettingId.INITIAL_WINDOW_SIZE,
  maxFrameSize: SettingId.MAX_FRAME_SIZE,
  maxHeaderListSize: SettingId.MAX_HEADER_LIST_SIZE,
  enableConnectProtocol: SettingId.ENABLE_CONNECT_PROTOCOL,
};

const NAME_BY_ID = new Map<number, keyof HTTP2Settings>(
  (Object.keys(SETTING_IDS) as Array<keyof HTTP2Settings>).map((k) => [SETTING_IDS[k], k]),
);

/** Default initial window of a stream and the connection (RFC 9113 §6.9.2). */
export const DEFAULT_WINDOW_SIZE = 65_535;

/** What we assume of the server until its SETTINGS say otherwise (Mint's defaults). */
export function defaultServerSettings(): HTTP2Settings {
  return {
    headerTableSize: 4096,
    enablePush: true,
    maxConcurrentStreams: 100,
    initialWindowSize: DEFAULT_WINDOW_SIZE,
    maxFrameSize: MIN_MAX_FRAME_SIZE,
    maxHeaderListSize: Infinity,
    enableConnectProtocol: false,
  };
}

/** Our settings before any override: 4 MiB stream windows, 256 KiB header lists. */
export function defaultClientSettings(): HTTP2Settings {
  return {
    headerTableSize: 4096,
    enablePush: true,
    maxConcurrentStreams: 100,
    initialWindowSize: 4 * 1024 * 1024,
    maxFrameSize: MIN_MAX_FRAME_SIZE,
    maxHeaderListSize: 256 * 1024,
    enableConnectProtocol: false,
  };
}

function isUint32(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

/**
 * Check settings the caller wants to send. Throws `TypeError` for an unknown name, a value
 * of the wrong type or out of range, or `enableConnectProtocol` (a server-only setting).
 */
export function validateClientSettings(settings: Partial<HTTP2Settings>): void {
  if (typeof settings !== "object" || settings === null) throw new TypeError("HTTP/2 settings must be an object");
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    switch (name) {
      case "headerTableSize":
      case "maxConcurrentStreams":
      case "maxHeaderListSize":
        if (!isUint32(value)) throw new TypeError(`HTTP/2 setting ${name} must be an integer in 0..2^32-1, got ${String(value)}`);
        break;
      case "initialWindowSize":
        if (!isUint32(value) || value > MAX_WINDOW_SIZE) throw new TypeError(`HTTP/2 setting initialWindowSize must be an integer in 0..2^31-1, got ${String(value)}`);
        break;
      case "maxFrameSize":
        if (!isUint32(value) || value < MIN_MAX_FRAME_SIZE || value > MAX_MAX_FRAME_SIZE) {
          throw new TypeError(`HTTP/2 setting maxFrameSize must be an integer in 16384..16777215, got ${String(value)}`);
        }
        break;
      case "enablePush":
        if (typeof value !== "boolean") throw new TypeError(`HTTP/2 setting enablePush must be a boolean, got ${String(value)}`);
        break;
      case "enableConnectProtocol":
        throw new TypeError("HTTP/2 setting enableConnectProtocol can only be sent by a server (RFC 8441 §3)");
      default:
        throw new TypeError(`unknown HTTP/2 setting ${JSON.stringify(name)}`);
    }
  }
}

/** Settings as [id, value] pairs in identifier order, ready for a SETTINGS frame. */
export function settingsToParams(settings: Partial<HTTP2Settings>): Array<[number, number]> {
  const params: Array<[number, number]> = [];
  for (const name of Object.keys(SETTING_IDS) as Array<keyof HTTP2Settings>) {
    const v = settings[name];
    if (v === undefined) continue;
    params.push([SETTING_IDS[name], typeof v === "boolean" ? (v ? 1 : 0) : v]);
  }
  return params;
}

/** Apply our acknowledged [id, value] pairs to `target`. */
export function applyParams(target: HTTP2Settings, params: ReadonlyArray<readonly [number, number]>): void {
  for (const [id, value] of params) {
    const name = NAME_BY_ID.get(id);
    if (name === undefined) continue;
    if (name === "enablePush" || name === "enableConnectProtocol") target[name] = value === 1;
    else target[name] = value;
  }
}

/**
 * Validate one parameter from a server SETTINGS frame and return its name (undefined for
 * identifiers we do not know, which RFC 9113 §6.5.2 says to ignore).
 * Throws connection errors `protocol_error` / `flow_control_error`.
 */
export function checkServerParam(id: number, value: number, current: HTTP2Settings): keyof HTTP2Settings | undefined {
  switch (id) {
    case SettingId.ENABLE_PUSH:
      // RFC 9113 §6.5.2: a server MUST NOT send any value other than 0; a client treats
      // anything else (1 included) as a connection error PROTOCOL_ERROR.
      if (value !== 0) throw connectionError(ErrorCode.PROTOCOL_ERROR, `SETTINGS_ENABLE_PUSH of ${value} from the server (only 0 is allowed)`);
      break;
    case SettingId.INITIAL_WINDOW_SIZE:
      // RFC 9113 §6.5.2: values above 2^31-1 are a FLOW_CONTROL_ERROR.
      if (value > MAX_WINDOW_SIZE) throw connectionError(ErrorCode.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE of ${value}`);
      break;
    case SettingId.MAX_FRAME_SIZE:
      // RFC 9113 §6.5.2: outside 2^14..2^24-1 is a PROTOCOL_ERROR.
      if (value < MIN_MAX_FRAME_SIZE || value > MAX_MAX_FRAME_SIZE) {
        throw connectionError(ErrorCode.PROTOCOL_ERROR, `SETTINGS_MAX_FRAME_SIZE of ${value}`);
      }
      break;
    case SettingId.ENABLE_CONNECT_PROTOCOL:
      // RFC 8441 §3: only 0 or 1, and never 0 once 1 has been sent.
      if (value > 1) throw connectionError(ErrorCode.PROTOCOL_ERROR, `SETTINGS_ENABLE_CONNECT_PROTOCOL of ${value}`);
      if (value === 0 && current.enableConnectProtocol) {
        throw connectionError(ErrorCode.PROTOCOL_ERROR, "SETTINGS_ENABLE_CONNECT_PROTOCOL went back from 1 to 0");
      }
      break;
  }
  return NAME_BY_ID.get(id);
}

/** Name check for getServerSetting/getClientSetting; throws `TypeError` for unknown names. */
export function checkSettingName(name: string): asserts name is keyof HTTP2Settings {
  if (!Object.prototype.hasOwnProperty.call(SETTING_IDS, name)) throw new TypeError(`unknown HTTP/2 setting ${JSON.stringify(name)}`);
}
