// An in-memory HTTP/2 server for engine tests: it feeds the engine frames built with the
// FrameBuilder (sharing its HPACK encoder) and decodes what the engine wrote, joining
// HEADERS + CONTINUATION blocks and HPACK-decoding them with its own decoder.

import assert from "node:assert/strict";
import { Decoder, Encoder } from "../../src/hpack/index.js";
import { createHTTP2Engine, type HTTP2Engine, type HTTP2Options } from "../../src/core/http2/index.js";
import { CONNECTION_PREFACE } from "../../src/core/http2/frame-header.js";
import type { Frame } from "../../src/core/http2/frame-types.js";
import type { MintError } from "../../src/errors.js";
import type { Headers, ResponsePart } from "../../src/types.js";
import { concat, FrameBuilder, parseFrames } from "./h2-frames.js";

/** A frame the client wrote; complete header blocks carry their decoded `headers`. */
export type Written = Frame & { headers?: Headers };

export class FakeServer {
  readonly engine: HTTP2Engine;
  readonly encoder = new Encoder();
  readonly decoder = new Decoder();
  private prefaceSeen = false;
  private blockParts: Uint8Array[] = [];
  private blockFrame: Written | null = null;

  constructor(opts: Partial<HTTP2Options> = {}) {
    this.engine = createHTTP2Engine({ scheme: "https", authority: "example.com", ...opts });
  }

  /** A server whose handshake with the engine is done (its SETTINGS sent and acknowledged). */
  static ready(opts: Partial<HTTP2Options> = {}, settings: Parameters<FrameBuilder["settings"]>[0] = {}): FakeServer {
    const s = new FakeServer(opts);
    s.handshake(settings);
    return s;
  }

  /** A frame builder sharing this server's HPACK encoder. */
  frames(): FrameBuilder {
    return new FrameBuilder(this.encoder);
  }

  /** Raw bytes the engine queued since the last call. */
  outgoing(): Uint8Array {
    return concat(this.engine.takeOutgoing());
  }

  /** Frames the engine wrote since the last call (the preface is checked and stripped). */
  written(): Written[] {
    let bytes = this.outgoing();
    if (!this.prefaceSeen) {
      assert.deepEqual(bytes.subarray(0, CONNECTION_PREFACE.length), CONNECTION_PREFACE, "client preface");
      bytes = bytes.subarray(CONNECTION_PREFACE.length);
      this.prefaceSeen = true;
    }
    const frames = parseFrames(bytes) as Written[];
    for (const f of frames) {
      if (f.type === "headers") {
        this.blockFrame = f;
        this.blockParts = [f.fragment.slice()];
        if (f.endHeaders) this.finishBlock();
      } else if (f.type === "continuation") {
        this.blockParts.push(f.fragment.slice());
        if (f.endHeaders) this.finishBlock();
      }
    }
    return frames;
  }

  private finishBlock(): void {
    this.blockFrame!.headers = this.decoder.decode(concat(this.blockParts));
    this.blockFrame = null;
    this.blockParts = [];
  }

  /** Written frames without the ones named (e.g. to skip WINDOW_UPDATEs). */
  writtenExcept(...types: Array<Frame["type"]>): Written[] {
    return this.written().filter((f) => !types.includes(f.type));
  }

  /** Feed bytes (or a builder's bytes) to the engine. */
  send(data: Uint8Array | FrameBuilder): ResponsePart[] {
    return this.engine.receive(data instanceof FrameBuilder ? data.bytes() : data);
  }

  /** Feed bytes expecting a thrown error; returns it. */
  sendExpectingError(data: Uint8Array | FrameBuilder): MintError {
    try {
      this.send(data);
    } catch (err) {
      return err as MintError;
    }
    assert.fail("expected receive() to throw");
  }

  /** Complete the handshake: consume the client preface, send SETTINGS, expect the ACK. */
  handshake(settings: Parameters<FrameBuilder["settings"]>[0] = {}): void {
    this.written();
    assert.deepEqual(this.send(this.frames().settings(settings).settingsAck()), []);
    const acks = this.written();
    assert.equal(acks.length, 1);
    assert.deepEqual(acks[0], { type: "settings", streamId: 0, ack: true, params: [] });
  }
}
