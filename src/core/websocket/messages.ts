// Reassembly of data messages from frames, with the limits (RFC 6455 §5.4, §10.4).
//
// How this works: a message starts with a TEXT or BINARY frame and ends with a frame whose
// FIN bit is set. The assembler counts fragments and bytes as frame headers arrive, so a
// message that would pass `maxMessageSize` or `maxFragments` fails with 1009 before its
// payload is read. Payload pieces are kept as views; an uncompressed text message is
// checked for UTF-8 byte by byte as it arrives (1007 on the first bad byte).

import { CloseCode, WebSocketProtocolError } from "./errors.js";
import { Opcode } from "./frame-header.js";
import { Utf8Validator } from "./utf8.js";

export class MessageAssembler {
  readonly #maxSize: number;
  readonly #maxFragments: number;
  readonly #utf8 = new Utf8Validator();
  /** Opcode of the message in progress (TEXT or BINARY), 0 when none. */
  opcode = 0;
  /** RSV bits of its first frame (an extension decodes it). */
  rsv = 0;
  #pieces: Uint8Array[] = [];
  #size = 0;
  #fragments = 0;
  #checkUtf8 = false;

  constructor(maxSize: number, maxFragments: number) {
    this.#maxSize = maxSize;
    this.#maxFragments = maxFragments;
  }

  get inMessage(): boolean {
    return this.opcode !== 0;
  }

  /** A data frame header arrived (first or continuation); enforces the limits. */
  frame(opcode: number, rsv: number, length: number): void {
    if (opcode !== Opcode.CONTINUATION) {
      this.opcode = opcode;
      this.rsv = rsv;
      this.#checkUtf8 = opcode === Opcode.TEXT && rsv === 0;
    }
    this.#fragments++;
    // RFC 6455 §10.4: limits on frame and message size; §7.4.1: 1009 = message too big
    if (this.#fragments > this.#maxFragments) {
      throw new WebSocketProtocolError(CloseCode.TOO_BIG, "too_many_fragments", `a message has more than ${this.#maxFragments} fragments`);
    }
    if (this.#size + length > this.#maxSize) {
      throw new WebSocketProtocolError(CloseCode.TOO_BIG, "message_too_big", `a message is larger than maxMessageSize (${this.#maxSize} bytes)`);
    }
  }

  /** Payload bytes of the current frame. */
  add(piece: Uint8Array): void {
    if (piece.length === 0) return;
    // RFC 6455 §8.1: invalid UTF-8 in a text message fails the connection (1007), at once
    if (this.#checkUtf8 && !this.#utf8.update(piece)) {
      throw new WebSocketProtocolError(CloseCode.INVALID_DATA, "invalid_utf8", "a text message is not valid UTF-8");
    }
    this.#pieces.push(piece);
    this.#size += piece.length;
  }

  /** The message ended (FIN): returns its pieces and resets. */
  finish(): { opcode: number; rsv: number; pieces: Uint8Array[]; size: number } {
    if (this.#checkUtf8 && !this.#utf8.complete) {
      throw new WebSocketProtocolError(CloseCode.INVALID_DATA, "invalid_utf8", "a text message ends inside a UTF-8 sequence");
    }
    const out = { opcode: this.opcode, rsv: this.rsv, pieces: this.#pieces, size: this.#size };
    this.opcode = 0;
    this.rsv = 0;
    this.#pieces = [];
    this.#size = 0;
    this.#fragments = 0;
    this.#utf8.reset();
    return out;
  }
}

/** Joins pieces into one array (the piece itself when there is one). */
export function joinPieces(pieces: Uint8Array[], size: number): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
