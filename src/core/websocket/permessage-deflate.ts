// permessage-deflate (RFC 7692): the offer, the check of the server's answer, and the
// message transform, with the compressor injected so this file stays free of node:*.
//
// How this works: `offerDeflate` renders the Sec-WebSocket-Extensions offer from the
// options; `acceptDeflate` checks the parameters the server answered (RFC 7692 §7.1) and
// returns the agreed ones; `PerMessageDeflate` is the codec extension: it compresses an
// outgoing message with the backend and drops the 4-byte 00 00 FF FF tail (§7.2.1), and
// appends it again before inflating a received message whose first frame has RSV1 (§7.2.2).
// The backend (node:zlib in the shell) inflates with an output limit, so a small message
// that expands past maxMessageSize is stopped there.

import { HTTPError } from "../../errors.js";
import type { Extension } from "./extension.js";

export interface DeflateOptions {
  clientNoContextTakeover?: boolean;
  serverNoContextTakeover?: boolean;
  /** 8-15; offered as client_max_window_bits=N. */
  clientMaxWindowBits?: number;
  /** 8-15; offered as server_max_window_bits=N. */
  serverMaxWindowBits?: number;
}

/** What both sides agreed (RFC 7692 §7.1). */
export interface DeflateParams {
  clientNoContextTakeover: boolean;
  serverNoContextTakeover: boolean;
  /** Window the client compresses with (8-15). */
  clientMaxWindowBits: number;
  /** Window the server compresses with, so ours to inflate with (8-15). */
  serverMaxWindowBits: number;
}

/** The compressor the shell provides (raw DEFLATE, RFC 1951). */
export interface DeflateBackend {
  /** Compresses a whole message, ending with a sync flush (output ends with 00 00 FF FF). */
  deflate(data: Uint8Array): Promise<Uint8Array>;
  /**
   * Inflates; resolves "too_big" as soon as the output would pass `limit` bytes, and
   * "rejected" as soon as `check` returns false for a piece of output.
   */
  inflate(data: Uint8Array[], limit: number, check?: (piece: Uint8Array) => boolean): Promise<Uint8Array | "too_big" | "rejected">;
  close(): void;
}

/** An extension offer or answer: a name with its parameters (RFC 6455 §9.1). */
export interface ExtensionItem {
  name: string;
  params: Array<[string, string | true]>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Parses a Sec-WebSocket-Extensions value (RFC 6455 §9.1); null when malformed. */
export function parseExtensions(value: string): ExtensionItem[] | null {
  const out: ExtensionItem[] = [];
  for (const item of splitOutside(value, ",")) {
    if (item.trim() === "") continue;
    const [head, ...rest] = splitOutside(item, ";").map((s) => s.trim());
    if (head === undefined || !TOKEN.test(head)) return null;
    const params: Array<[string, string | true]> = [];
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq < 0) {
        if (!TOKEN.test(p)) return null;
        params.push([p.toLowerCase(), true]);
        continue;
      }
      const name = p.slice(0, eq).trim();
      let v = p.slice(eq + 1).trim();
      if (v.startsWith('"')) {
        if (v.length < 2 || !v.endsWith('"')) return null;
        v = v.slice(1, -1).replace(/\\(.)/g, "$1");
      }
      if (!TOKEN.test(name) || !TOKEN.test(v)) return null;
      params.push([name.toLowerCase(), v]);
    }
    out.push({ name: head.toLowerCase(), params });
  }
  return out;
}

function splitOutside(s: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\" && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === sep && !quoted) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function checkBits(name: string, bits: number | undefined): void {
  if (bits !== undefined && !(Number.isInteger(bits) && bits >= 8 && bits <= 15)) {
    throw new TypeError(`perMessageDeflate.${name} must be an integer from 8 to 15, got ${String(bits)}`);
  }
}

/** The offer for Sec-WebSocket-Extensions (RFC 7692 §7.1). Throws TypeError for bad options. */
export function offerDeflate(opts: DeflateOptions): string {
  checkBits("clientMaxWindowBits", opts.clientMaxWindowBits);
  checkBits("serverMaxWindowBits", opts.serverMaxWindowBits);
  let s = "permessage-deflate";
  if (opts.clientNoContextTakeover) s += "; client_no_context_takeover";
  if (opts.serverNoContextTakeover) s += "; server_no_context_takeover";
  if (opts.serverMaxWindowBits !== undefined) s += `; server_max_window_bits=${opts.serverMaxWindowBits}`;
  // RFC 7692 §7.1.2.2: offering client_max_window_bits (without a value) lets the server limit our window
  s += opts.clientMaxWindowBits !== undefined ? `; client_max_window_bits=${opts.clientMaxWindowBits}` : "; client_max_window_bits";
  return s;
}

function invalid(message: string): HTTPError {
  return new HTTPError("websocket", "invalid_extension", message);
}

/**
 * Checks the server's permessage-deflate answer against our offer (RFC 7692 §7.1) and
 * returns the agreed parameters. Errors: HTTPError `invalid_extension` (unknown, repeated
 * or out-of-range parameter), `unrequested_extension` (a parameter we did not allow).
 */
export function acceptDeflate(answer: ExtensionItem, offer: DeflateOptions): DeflateParams {
  const seen = new Set<string>();
  const agreed: DeflateParams = {
    clientNoContextTakeover: offer.clientNoContextTakeover === true,
    serverNoContextTakeover: false,
    clientMaxWindowBits: offer.clientMaxWindowBits ?? 15,
    serverMaxWindowBits: 15,
  };
  for (const [name, value] of answer.params) {
    // RFC 7692 §7.1: a parameter given twice fails the handshake
    if (seen.has(name)) throw invalid(`the server repeated the permessage-deflate parameter ${name}`);
    seen.add(name);
    switch (name) {
      case "server_no_context_takeover":
      case "client_no_context_takeover":
        // RFC 7692 §7.1.1: these have no value
        if (value !== true) throw invalid(`the server gave ${name} a value`);
        if (name === "server_no_context_takeover") agreed.serverNoContextTakeover = true;
        else agreed.clientNoContextTakeover = true;
        break;
      case "server_max_window_bits":
      case "client_max_window_bits": {
        // RFC 7692 §7.1.2: a decimal 8-15 without leading zeros
        if (value === true || !/^(?:8|9|1[0-5])$/.test(value)) throw invalid(`the server answered ${name}=${String(value)}`);
        const bits = Number(value);
        if (name === "server_max_window_bits") {
          // RFC 7692 §7.1.2.1: not larger than what we asked for
          if (offer.serverMaxWindowBits !== undefined && bits > offer.serverMaxWindowBits) throw invalid(`the server answered server_max_window_bits=${bits}, more than the ${offer.serverMaxWindowBits} offered`);
          agreed.serverMaxWindowBits = bits;
        } else {
          // RFC 7692 §7.1.2.2: the server may only limit it when we offered it (always, here), not above our value
          if (offer.clientMaxWindowBits !== undefined && bits > offer.clientMaxWindowBits) throw invalid(`the server answered client_max_window_bits=${bits}, more than the ${offer.clientMaxWindowBits} offered`);
          agreed.clientMaxWindowBits = bits;
        }
        break;
      }
      default:
        // RFC 7692 §7.1: an unknown parameter fails the handshake
        throw new HTTPError("websocket", "unrequested_extension", `the server answered permessage-deflate with the unknown parameter ${name}`);
    }
  }
  if (offer.serverNoContextTakeover && !agreed.serverNoContextTakeover) {
    // RFC 7692 §7.1.1.1: a server accepting this offer MUST include server_no_context_takeover
    throw invalid("the server accepted permessage-deflate without the server_no_context_takeover we asked for");
  }
  if (offer.serverMaxWindowBits !== undefined && !seen.has("server_max_window_bits")) {
    // RFC 7692 §7.1.2.1: the server must include server_max_window_bits when it accepts our offer of one
    throw invalid("the server did not answer the server_max_window_bits we offered");
  }
  return agreed;
}

const TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);

/** The permessage-deflate extension for the codec (RFC 7692 §6). */
export class PerMessageDeflate implements Extension {
  readonly name = "permessage-deflate";
  /** RFC 7692 §6: the "Per-Message Compressed" bit is RSV1. */
  readonly rsvBits = 0x40;
  readonly params: DeflateParams;
  readonly #backend: DeflateBackend;
  readonly #threshold: number;

  /** Messages shorter than `threshold` bytes are sent uncompressed (RSV1 clear, RFC 7692 §6). */
  constructor(params: DeflateParams, backend: DeflateBackend, threshold = 1024) {
    this.params = params;
    this.#backend = backend;
    this.#threshold = threshold;
  }

  encode(data: Uint8Array): { data: Uint8Array; rsv: number } | Promise<{ data: Uint8Array; rsv: number }> {
    if (data.length < this.#threshold) return { data, rsv: 0 };
    return this.#compress(data);
  }

  async #compress(data: Uint8Array): Promise<{ data: Uint8Array; rsv: number }> {
    const out = await this.#backend.deflate(data);
    // RFC 7692 §7.2.1: remove the 4 octets 00 00 FF FF the sync flush ended with
    const n = out.length;
    const end = n >= 4 && out[n - 4] === 0 && out[n - 3] === 0 && out[n - 2] === 0xff && out[n - 1] === 0xff ? n - 4 : n;
    return { data: out.subarray(0, end), rsv: 0x40 };
  }

  decode(payload: Uint8Array[], _rsv: number, limit: number, check?: (piece: Uint8Array) => boolean): Promise<Uint8Array | "too_big" | "rejected"> {
    // RFC 7692 §7.2.2: append 00 00 FF FF before inflating
    return this.#backend.inflate([...payload, TAIL], limit, check);
  }

  close(): void {
    this.#backend.close();
  }
}
