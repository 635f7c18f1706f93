// `--compressed`: the response body decoded as its content-encoding says (gzip, deflate or
// br, RFC 9110 §8.4.1), with node:zlib, as a stream: memory stays bounded by the zlib
// buffers and the output's back-pressure, whatever the compression ratio.

import type { Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from "node:zlib";
import type { Headers } from "../index.js";

/** The codings we can undo, in the order they were applied; undefined when one is unknown. */
export function codingsOf(headers: Headers): string[] | undefined {
  const codings: string[] = [];
  for (const [name, value] of headers) {
    if (name !== "content-encoding") continue;
    for (const c of value.split(",")) {
      const coding = c.trim().toLowerCase();
      if (coding === "" || coding === "identity") continue;
      if (coding !== "gzip" && coding !== "x-gzip" && coding !== "deflate" && coding !== "br") return undefined;
      codings.push(coding);
    }
  }
  return codings;
}

/** Decode `body` through each coding, last applied first. */
export async function* decodeBody(body: AsyncIterable<Uint8Array>, codings: string[]): AsyncIterable<Uint8Array> {
  let stream: AsyncIterable<Uint8Array> = body;
  for (const coding of [...codings].reverse()) stream = through(stream, coding);
  yield* stream;
}

async function* through(source: AsyncIterable<Uint8Array>, coding: string): AsyncIterable<Uint8Array> {
  let decoder: Transform | undefined;
  let sourceError: unknown;
  const feed = async (): Promise<void> => {
    try {
      for await (const chunk of source) {
        if (decoder === undefined) {
          // "deflate" is the zlib format (RFC 9110 §8.4.1.2), but some servers send raw
          // deflate: a zlib header has CM 8 and a header checksum divisible by 31 (RFC 1950 §2.2).
          const zlibHeader = chunk.length < 2 || ((chunk[0]! & 0x0f) === 8 && ((chunk[0]! << 8) | chunk[1]!) % 31 === 0);
          decoder = coding === "br" ? createBrotliDecompress() : coding === "deflate" ? (zlibHeader ? createInflate() : createInflateRaw()) : createGunzip();
          started(decoder);
        }
        if (!decoder.write(chunk)) await new Promise((resolve) => decoder!.once("drain", resolve));
      }
      if (decoder === undefined) {
        decoder = coding === "br" ? createBrotliDecompress() : coding === "deflate" ? createInflate() : createGunzip();
        started(decoder);
        decoder.end();
        return;
      }
      decoder.end();
    } catch (err) {
      sourceError = err;
      decoder?.destroy(err as Error);
      failed(err);
    }
  };
  let started!: (d: Transform) => void;
  let failed!: (e: unknown) => void;
  const ready = new Promise<Transform>((resolve, reject) => {
    started = resolve;
    failed = reject;
  });
  const feeding = feed();
  const d = await ready;
  try {
    for await (const out of d as AsyncIterable<Buffer>) yield new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    if (sourceError !== undefined) throw sourceError;
    throw new Error(`the response body could not be decoded as ${coding}: ${(err as Error).message}`);
  }
  await feeding;
}
