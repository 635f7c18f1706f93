// Collecting a header block over HEADERS / PUSH_PROMISE + CONTINUATION frames
// (RFC 9113 §4.3, §6.10) and decoding it with HPACK once it is complete.
//
// Limits against hostile peers (Mint 1.9.0 / 1.9.2):
// - the encoded block may not grow past our max header list size (PROTOCOL_ERROR);
// - empty CONTINUATION frames are counted but not stored, and a block may have at most
//   MAX_CONTINUATIONS frames (ENHANCE_YOUR_CALM);
// - while a block is open no other frame may arrive (checked in receive.ts).
// A block that fits in one frame is decoded straight from the received bytes (no copy, and
// no PendingBlock record).

import type { Headers } from "../../types.js";
import { connectionError, ErrorCode } from "./errors.js";
import { HTTPError } from "../../errors.js";
import type { H2Connection, PendingBlock } from "./connection.js";

/** Most CONTINUATION frames accepted for one header block. */
export const MAX_CONTINUATIONS = 512;

/** Throws PROTOCOL_ERROR when a block of `size` octets is over our max header list size. */
export function checkSize(c: H2Connection, size: number): void {
  // Mint 1.9.0: bound the accumulated block by our SETTINGS_MAX_HEADER_LIST_SIZE.
  if (size > c.client.maxHeaderListSize) {
    throw connectionError(ErrorCode.PROTOCOL_ERROR, `header block of more than ${c.client.maxHeaderListSize} octets`);
  }
}

/**
 * Start a block with the fragment of a HEADERS or PUSH_PROMISE frame. Returns the
 * complete block when END_HEADERS is set, else null (the block waits for CONTINUATION).
 */
export function startBlock(
  c: H2Connection, kind: PendingBlock["kind"], streamId: number, endStream: boolean, promisedStreamId: number,
  fragment: Uint8Array, endHeaders: boolean,
): PendingBlock | null {
  checkSize(c, fragment.length);
  const block: PendingBlock = { kind, streamId, endStream, promisedStreamId, fragments: [fragment], size: fragment.length, frames: 1 };
  if (endHeaders) return block;
  c.block = block;
  return null;
}

/** Add a CONTINUATION fragment; returns the complete block on END_HEADERS, else null. */
export function continueBlock(c: H2Connection, fragment: Uint8Array, endHeaders: boolean): PendingBlock | null {
  const block = c.block;
  // RFC 9113 §6.10: a CONTINUATION not preceded by an open HEADERS/PUSH_PROMISE is a PROTOCOL_ERROR.
  if (block === null) throw connectionError(ErrorCode.PROTOCOL_ERROR, "CONTINUATION frame without a preceding HEADERS or PUSH_PROMISE");
  block.frames++;
  if (block.frames > MAX_CONTINUATIONS + 1) {
    throw connectionError(ErrorCode.ENHANCE_YOUR_CALM, `header block of more than ${MAX_CONTINUATIONS} CONTINUATION frames`);
  }
  if (fragment.length > 0) {
    block.size += fragment.length;
    checkSize(c, block.size);
    block.fragments.push(fragment);
  }
  if (!endHeaders) return null;
  c.block = null;
  return block;
}

/**
 * Decode a complete block. Throws `compression_error` (a connection error, RFC 9113 §4.3).
 * A list over our SETTINGS_MAX_HEADER_LIST_SIZE comes back as its HTTPError (a stream
 * error for the caller to apply): the decoder stops collecting entries past the cap, so an
 * HPACK bomb costs no memory.
 */
export function decodeBlock(c: H2Connection, block: PendingBlock): Headers | HTTPError {
  let bytes: Uint8Array;
  if (block.fragments.length === 1) {
    bytes = block.fragments[0]!;
  } else {
    bytes = new Uint8Array(block.size);
    let off = 0;
    for (const f of block.fragments) {
      bytes.set(f, off);
      off += f.length;
    }
  }
  return decodeBytes(c, bytes);
}

/** Decode a complete block held in one array; errors as {@link decodeBlock}. */
export function decodeBytes(c: H2Connection, bytes: Uint8Array): Headers | HTTPError {
  try {
    return c.decoder.decode(bytes);
  } catch (err) {
    if (err instanceof HTTPError && err.reason === "max_header_list_size_exceeded") return err;
    // RFC 9113 §4.3: a header block that cannot be decoded is a COMPRESSION_ERROR.
    const e = connectionError(ErrorCode.COMPRESSION_ERROR, err instanceof Error ? err.message : String(err));
    (e as { cause?: unknown }).cause = err;
    throw e;
  }
}
