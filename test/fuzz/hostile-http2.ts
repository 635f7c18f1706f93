// Hostile-peer cases against the HTTP/2 engine (see hostile-cases.ts for the measures).

import assert from "node:assert/strict";
import { createHTTP2Engine, type HTTP2Engine } from "../../src/core/http2/index.js";
import { Encoder } from "../../src/hpack/index.js";
import type { RequestRef } from "../../src/types.js";
import { concat, latin1, MiB } from "./harness.js";
import { FLOOD, filler, flood, type HostileCase, LIMIT, measured, stoppedNearLimit } from "./hostile-cases.js";
import * as H from "./h2-frames.js";

// ---------------------------------------------------------------------------
// HTTP/2

const PREFACE = concat([H.settings([]), H.settingsAck()]);

function h2(opts: { requests?: number; clientSettings?: Record<string, number | boolean> } = {}): { engine: HTTP2Engine; refs: RequestRef[] } {
  const engine = createHTTP2Engine({ scheme: "https", authority: "example.test", ...(opts.clientSettings ? { clientSettings: opts.clientSettings } : {}) });
  const refs: RequestRef[] = [];
  for (let i = 0; i < (opts.requests ?? 1); i++) refs.push(engine.request("GET", "/", [], null));
  engine.receive(PREFACE);
  engine.takeOutgoing();
  return { engine, refs };
}

/** A response head on stream 1 (HPACK `:status: 200`). */
const head1 = H.headers(1, H.STATUS_200);

/** A response header block for a fresh engine (its own HPACK encoder). */
const block = (headers: Array<[string, string]>): Uint8Array => new Encoder().encode(headers);

/** A stream error on stream 1 for the caller, RST_STREAM PROTOCOL_ERROR, the connection kept. */
function streamErrorCase(name: string, reason: string, feed: Uint8Array, method = "GET"): HostileCase {
  return {
    name,
    protocol: "http2",
    run: () => {
      const engine = createHTTP2Engine({ scheme: "https", authority: "example.test" });
      engine.request(method, "/", [], null);
      engine.receive(PREFACE);
      engine.takeOutgoing();
      return measured(name, engine, (f) => void f.feed(feed));
    },
    check: (r) => {
      assert.equal(r.reason, `error part: ${reason}`);
      assert.equal(r.goaway, "none");
      assert.equal(r.facts["rstCode"], "PROTOCOL_ERROR");
      assert.equal(r.facts["dataBytes"], 0, "nothing of the malformed response reaches the caller as content");
      assert.equal(r.open, true);
    },
  };
}

/** Malformed responses (RFC 9113 §8.1.1, §8.2, §8.4, §6.5.2; RFC 9110 §6.4.1, §15). */
function malformedCases(): HostileCase[] {
  const END = H.F.END_HEADERS | H.F.END_STREAM;
  return [
    streamErrorCase("HTTP/2 response field value with CR LF (response splitting)", "invalid_header_value",
      H.headers(1, block([[":status", "200"], ["x-a", "1\r\nset-cookie: stolen=1"]]), END)),
    streamErrorCase("HTTP/2 response field value with NUL", "invalid_header_value", H.headers(1, block([[":status", "200"], ["x-a", "a\0b"]]), END)),
    streamErrorCase("HTTP/2 response field name not a lowercase token", "invalid_header_name", H.headers(1, block([[":status", "200"], ["X-Bad Name", "1"]]), END)),
    streamErrorCase("HTTP/2 connection-specific response field (transfer-encoding)", "invalid_header",
      H.headers(1, block([[":status", "200"], ["transfer-encoding", "chunked"]]), END)),
    streamErrorCase("HTTP/2 :status 600", "invalid_status_header", H.headers(1, block([[":status", "600"]]), END)),
    streamErrorCase("HTTP/2 request pseudo-header in a response", "invalid_pseudo_header", H.headers(1, block([[":status", "200"], [":path", "/"]]), END)),
    streamErrorCase("HTTP/2 trailer field with LF", "invalid_header_value",
      concat([H.headers(1, block([[":status", "200"]])), H.headers(1, block([["grpc-message", "a\nb"]]), END)])),
    streamErrorCase("HTTP/2 DATA on a 204 response", "content_not_allowed",
      concat([H.headers(1, block([[":status", "204"]])), H.data(1, filler(100), true)])),
    streamErrorCase("HTTP/2 DATA on a response to HEAD", "content_not_allowed",
      concat([H.headers(1, block([[":status", "200"], ["content-length", "100"]])), H.data(1, filler(100), true)]), "HEAD"),
    {
      name: "HTTP/2 RST_STREAM(NO_ERROR) before the final status",
      protocol: "http2",
      run: () => measured("HTTP/2 RST_STREAM(NO_ERROR) before the final status", h2().engine, (f) => void f.feed(H.rstStream(1, 0))),
      check: (r) => {
        assert.equal(r.reason, "error part: server_closed_request");
        assert.equal(r.parts.some((p) => p.type === "done"), false);
        assert.equal(r.open, true);
      },
    },
    {
      name: "HTTP/2 PUSH_PROMISE for another authority, and for POST",
      protocol: "http2",
      run: () => measured("HTTP/2 PUSH_PROMISE for another authority, and for POST", h2().engine, (f) => {
        f.feed(head1);
        const e = new Encoder();
        f.feed(concat([
          H.pushPromise(1, 2, e.encode([[":method", "GET"], [":scheme", "https"], [":authority", "evil.example"], [":path", "/"]])),
          H.pushPromise(1, 4, e.encode([[":method", "POST"], [":scheme", "https"], [":authority", "example.test"], [":path", "/"]])),
        ]));
        return { promises: f.parts.filter((p) => p.type === "push_promise").length };
      }),
      check: (r) => {
        assert.equal(r.reason, "none");
        assert.equal(r.facts["promises"], 0);
        assert.equal(r.facts["rstSent"], 2);
        assert.equal(r.facts["rstCode"], "PROTOCOL_ERROR");
        assert.equal(r.open, true);
      },
    },
    {
      name: "HTTP/2 SETTINGS_ENABLE_PUSH=1 from the server",
      protocol: "http2",
      run: () => measured("HTTP/2 SETTINGS_ENABLE_PUSH=1 from the server", h2().engine, (f) => void f.feed(H.settings([[2, 1]]))),
      check: (r) => {
        assert.equal(r.reason, "protocol_error");
        assert.equal(r.goaway, "PROTOCOL_ERROR");
        assert.equal(r.open, false);
      },
    },
  ];
}

/** `count` copies of `frame` in one buffer. */
const repeat = (frame: Uint8Array, count: number): Uint8Array => concat(Array.from({ length: count }, () => frame));

export const http2Cases: HostileCase[] = [
  {
    name: "HTTP/2 CONTINUATION flood, 16 KiB frames, 50 MB",
    protocol: "http2",
    run: () => measured("HTTP/2 CONTINUATION flood, 16 KiB frames, 50 MB", h2().engine, (f) => {
      f.feed(H.headers(1, H.STATUS_200, 0));
      flood(f, H.continuation(1, filler(16384, 0x82)), FLOOD);
    }),
    check: (r) => {
      assert.equal(r.goaway, r.reason.toUpperCase());
      assert.ok(["protocol_error", "enhance_your_calm"].includes(r.reason), r.reason);
      stoppedNearLimit(r, LIMIT, 16384 + 64);
      assert.equal(r.open, false);
    },
  },
  {
    name: "HTTP/2 empty CONTINUATION flood (100000 frames)",
    protocol: "http2",
    run: () => measured("HTTP/2 empty CONTINUATION flood (100000 frames)", h2().engine, (f) => {
      f.feed(H.headers(1, H.STATUS_200, 0));
      flood(f, repeat(H.continuation(1, new Uint8Array(0)), 1000), 100000 * 9);
    }),
    check: (r) => {
      assert.equal(r.reason, "enhance_your_calm");
      assert.equal(r.goaway, "ENHANCE_YOUR_CALM");
      assert.ok(r.fed <= 2000 * 9, `read ${r.fed} bytes`);
    },
  },
  {
    name: "HTTP/2 HPACK table size update above SETTINGS_HEADER_TABLE_SIZE",
    protocol: "http2",
    run: () => measured("HTTP/2 HPACK table size update above SETTINGS_HEADER_TABLE_SIZE", h2().engine, (f) => {
      f.feed(H.headers(1, Uint8Array.of(0x3f, 0xe2, 0x1f, 0x88), H.F.END_HEADERS | H.F.END_STREAM)); // update to 4097
    }),
    check: (r) => {
      assert.equal(r.reason, "compression_error");
      assert.equal(r.goaway, "COMPRESSION_ERROR");
    },
  },
  {
    name: "HTTP/2 HPACK table size update to 2^32-1",
    protocol: "http2",
    run: () => measured("HTTP/2 HPACK table size update to 2^32-1", h2().engine, (f) => {
      f.feed(H.headers(1, Uint8Array.of(0x3f, 0xe0, 0xff, 0xff, 0xff, 0x0f, 0x88), H.F.END_HEADERS | H.F.END_STREAM));
    }),
    check: (r) => {
      assert.equal(r.reason, "compression_error");
      assert.equal(r.goaway, "COMPRESSION_ERROR");
    },
  },
  {
    name: "HTTP/2 HPACK bomb: 250000 references to a 4 KiB table entry",
    protocol: "http2",
    run: () => measured("HTTP/2 HPACK bomb: 250000 references to a 4 KiB table entry", h2({ requests: 2 }).engine, (f) => {
      // Stream 1: put a ~4000-octet field into the dynamic table.
      const big = concat([H.STATUS_200, Uint8Array.of(0x40, 0x05), latin1("x-big"), Uint8Array.of(0x7f, 0xa1, 0x1e), filler(4000, 0x76)]);
      f.feed(H.headers(1, big, H.F.END_HEADERS | H.F.END_STREAM));
      // Stream 3: 250000 one-octet references to it (index 62), over CONTINUATIONs.
      const refs = filler(250000, 0xbe);
      const frames: Uint8Array[] = [H.headers(3, concat([Uint8Array.of(0x88), refs.subarray(0, 16000)]), 0)];
      for (let o = 16000; o < refs.length; o += 16000) frames.push(H.continuation(3, refs.subarray(o, o + 16000), o + 16000 >= refs.length));
      f.feed(concat(frames));
    }),
    check: (r) => {
      assert.equal(r.reason, "error part: max_header_list_size_exceeded");
      assert.ok(r.ms < 3000, `took ${r.ms} ms`);
    },
  },
  {
    name: "HTTP/2 PUSH_PROMISE flood (1000 promises, maxConcurrentStreams 100)",
    protocol: "http2",
    run: () => measured("HTTP/2 PUSH_PROMISE flood (1000 promises, maxConcurrentStreams 100)", h2({ clientSettings: { maxConcurrentStreams: 100 } }).engine, (f) => {
      f.feed(head1);
      const e = new Encoder();
      const frames: Uint8Array[] = [];
      for (let i = 0; i < 1000; i++) {
        frames.push(H.pushPromise(1, 2 + 2 * i, e.encode([[":method", "GET"], [":path", `/p${i}`], [":scheme", "https"], [":authority", "example.test"]])));
      }
      f.feed(concat(frames));
      return { promises: f.parts.filter((p) => p.type === "push_promise").length };
    }),
    check: (r) => {
      assert.equal(r.reason, "none");
      assert.equal(r.open, true);
      assert.equal(r.facts["promises"], 100);
      assert.equal(r.facts["rstSent"], 900);
      assert.equal(r.facts["rstCode"], "REFUSED_STREAM");
    },
  },
  ...malformedCases(),
  {
    name: "HTTP/2 PING flood: 200000 PINGs, 100 per receive",
    protocol: "http2",
    run: () => measured("HTTP/2 PING flood: 200000 PINGs, 100 per receive", h2().engine, (f) => {
      const batch = repeat(H.ping(), 100);
      for (let i = 0; i < 2000; i++) if (!f.feed(batch)) break;
      return { acked: f.sentFrames.get(H.T.PING) ?? 0 };
    }, false),
    check: (r) => {
      assert.equal(r.reason, "none");
      assert.equal(r.open, true);
      assert.equal(r.facts["acked"], 200000);
      assert.equal(r.facts["maxOutgoingPerReceive"], 1700);
      assert.ok(r.growth < 4 * MiB, `heap grew ${r.growth}`);
    },
  },
  {
    name: "HTTP/2 PING flood: 20000 PINGs in one receive (ACKs not taken)",
    protocol: "http2",
    run: () => measured("HTTP/2 PING flood: 20000 PINGs in one receive (ACKs not taken)", h2().engine, (f) => void f.feed(repeat(H.ping(), 20000))),
    check: (r) => {
      assert.equal(r.reason, "enhance_your_calm");
      assert.equal(r.goaway, "ENHANCE_YOUR_CALM");
      assert.ok((r.facts["maxOutgoingPerReceive"] as number) <= 10001 * 17 + 64);
    },
  },
  {
    name: "HTTP/2 PING + SETTINGS burst: 50000 each in 64 KiB reads, ACKs taken, a request completes",
    protocol: "http2",
    run: () => measured("HTTP/2 PING + SETTINGS burst: 50000 each in 64 KiB reads, ACKs taken, a request completes", h2().engine, (f) => {
      const burst = repeat(concat([H.ping(), H.settings([])]), 50000);
      f.feed(head1);
      for (let off = 0; off < burst.length; off += 65536) if (!f.feed(burst.subarray(off, off + 65536))) break;
      f.feed(H.data(1, filler(5), true));
      return {
        pingAcks: f.sentFrames.get(H.T.PING) ?? 0,
        settingsAcks: f.sentFrames.get(H.T.SETTINGS) ?? 0,
        done: f.parts.some((p) => p.type === "done"),
      };
    }, false),
    check: (r) => {
      assert.equal(r.reason, "none");
      assert.equal(r.open, true);
      assert.equal(r.facts["pingAcks"], 50000);
      assert.equal(r.facts["settingsAcks"], 50000);
      assert.equal(r.facts["done"], true);
      assert.ok((r.facts["maxOutgoingPerReceive"] as number) <= 65536 * 2, "answers per read stay within twice the read");
      assert.ok(r.growth < 4 * MiB, `heap grew ${r.growth}`);
    },
  },
  {
    name: "HTTP/2 SETTINGS flood: 200000 SETTINGS, 100 per receive",
    protocol: "http2",
    run: () => measured("HTTP/2 SETTINGS flood: 200000 SETTINGS, 100 per receive", h2().engine, (f) => {
      const batch = repeat(H.settings([[4, 65535], [3, 100]]), 100);
      for (let i = 0; i < 2000; i++) if (!f.feed(batch)) break;
      return { acked: f.sentFrames.get(H.T.SETTINGS) ?? 0 };
    }, false),
    check: (r) => {
      assert.equal(r.reason, "none");
      assert.equal(r.open, true);
      assert.equal(r.facts["acked"], 200000);
      assert.equal(r.facts["maxOutgoingPerReceive"], 900);
      assert.ok(r.growth < 4 * MiB, `heap grew ${r.growth}`);
    },
  },
  {
    name: "HTTP/2 SETTINGS flood: 20000 SETTINGS in one receive (ACKs not taken)",
    protocol: "http2",
    run: () => measured("HTTP/2 SETTINGS flood: 20000 SETTINGS in one receive (ACKs not taken)", h2().engine, (f) => void f.feed(repeat(H.settings([[4, 65535]]), 20000))),
    check: (r) => {
      assert.equal(r.reason, "enhance_your_calm");
      assert.equal(r.goaway, "ENHANCE_YOUR_CALM");
    },
  },
  {
    name: "HTTP/2 RST_STREAM flood on a closed stream (100000 frames)",
    protocol: "http2",
    run: () => measured("HTTP/2 RST_STREAM flood on a closed stream (100000 frames)", h2().engine, (f) => {
      f.feed(H.headers(1, H.STATUS_200, H.F.END_HEADERS | H.F.END_STREAM));
      flood(f, repeat(H.rstStream(1, 8), 500), 100000 * 13);
    }),
    check: (r) => {
      assert.equal(r.reason, "enhance_your_calm");
      assert.equal(r.goaway, "ENHANCE_YOUR_CALM");
      assert.ok(r.fed <= 1500 * 13 + 64, `read ${r.fed} bytes`);
    },
  },
  {
    name: "HTTP/2 WINDOW_UPDATE overflow on the connection",
    protocol: "http2",
    run: () => measured("HTTP/2 WINDOW_UPDATE overflow on the connection", h2().engine, (f) => void f.feed(H.windowUpdate(0, 0x7fffffff))),
    check: (r) => {
      assert.equal(r.reason, "flow_control_error");
      assert.equal(r.goaway, "FLOW_CONTROL_ERROR");
    },
  },
  {
    name: "HTTP/2 WINDOW_UPDATE overflow on a stream",
    protocol: "http2",
    run: () => measured("HTTP/2 WINDOW_UPDATE overflow on a stream", h2().engine, (f) => void f.feed(H.windowUpdate(1, 0x7fffffff))),
    check: (r) => {
      assert.equal(r.reason, "error part: flow_control_error");
      assert.equal(r.goaway, "none");
      assert.equal(r.facts["rstCode"], "FLOW_CONTROL_ERROR");
      assert.equal(r.open, true);
    },
  },
  {
    name: "HTTP/2 DATA frame of 16385 octets (max frame size 16384)",
    protocol: "http2",
    run: () => measured("HTTP/2 DATA frame of 16385 octets (max frame size 16384)", h2().engine, (f) => {
      f.feed(head1);
      f.feed(H.data(1, filler(16385)));
    }),
    check: (r) => {
      assert.equal(r.reason, "frame_size_error");
      assert.equal(r.goaway, "FRAME_SIZE_ERROR");
    },
  },
  {
    name: "HTTP/2 frame header declaring 16 MiB, payload never sent",
    protocol: "http2",
    run: () => measured("HTTP/2 frame header declaring 16 MiB, payload never sent", h2().engine, (f) => void f.feed(H.frame(H.T.DATA, 0, 1, new Uint8Array(0), 0xffffff))),
    check: (r) => {
      assert.equal(r.reason, "frame_size_error");
      assert.equal(r.goaway, "FRAME_SIZE_ERROR");
      assert.ok(r.growth < 1 * MiB);
    },
  },
  {
    name: "HTTP/2 HEADERS on an idle client stream (5)",
    protocol: "http2",
    run: () => measured("HTTP/2 HEADERS on an idle client stream (5)", h2().engine, (f) => void f.feed(H.headers(5, H.STATUS_200))),
    check: (r) => {
      assert.equal(r.reason, "protocol_error");
      assert.equal(r.goaway, "PROTOCOL_ERROR");
    },
  },
  {
    name: "HTTP/2 DATA on an idle stream (7)",
    protocol: "http2",
    run: () => measured("HTTP/2 DATA on an idle stream (7)", h2().engine, (f) => void f.feed(H.data(7, filler(10)))),
    check: (r) => {
      assert.equal(r.reason, "protocol_error");
      assert.equal(r.goaway, "PROTOCOL_ERROR");
    },
  },
  {
    name: "HTTP/2 DATA on a closed stream",
    protocol: "http2",
    run: () => measured("HTTP/2 DATA on a closed stream", h2().engine, (f) => {
      f.feed(H.headers(1, H.STATUS_200, H.F.END_HEADERS | H.F.END_STREAM));
      f.feed(H.data(1, filler(100)));
    }),
    check: (r) => {
      assert.ok(r.reason === "none" || r.reason === "stream_closed", r.reason);
      assert.equal(r.facts["dataBytes"], 0);
    },
  },
  {
    name: "HTTP/2 HEADERS on a closed stream",
    protocol: "http2",
    run: () => measured("HTTP/2 HEADERS on a closed stream", h2().engine, (f) => {
      f.feed(H.headers(1, H.STATUS_200, H.F.END_HEADERS | H.F.END_STREAM));
      f.feed(H.headers(1, H.STATUS_200, H.F.END_HEADERS | H.F.END_STREAM));
    }),
    check: (r) => assert.ok(r.reason === "none" || r.reason === "stream_closed", r.reason),
  },
  {
    name: "HTTP/2 SETTINGS_INITIAL_WINDOW_SIZE of 2^31",
    protocol: "http2",
    run: () => measured("HTTP/2 SETTINGS_INITIAL_WINDOW_SIZE of 2^31", h2().engine, (f) => void f.feed(H.settings([[4, 2 ** 31]]))),
    check: (r) => {
      assert.equal(r.reason, "flow_control_error");
      assert.equal(r.goaway, "FLOW_CONTROL_ERROR");
    },
  },
  {
    name: "HTTP/2 SETTINGS_MAX_FRAME_SIZE of 16383",
    protocol: "http2",
    run: () => measured("HTTP/2 SETTINGS_MAX_FRAME_SIZE of 16383", h2().engine, (f) => void f.feed(H.settings([[5, 16383]]))),
    check: (r) => {
      assert.equal(r.reason, "protocol_error");
      assert.equal(r.goaway, "PROTOCOL_ERROR");
    },
  },
  {
    name: "HTTP/2 unknown frame type flood (100000 frames, 1000 per receive)",
    protocol: "http2",
    run: () => measured("HTTP/2 unknown frame type flood (100000 frames, 1000 per receive)", h2().engine, (f) => {
      flood(f, repeat(H.frame(0xfa, 0, 1, Uint8Array.of(1, 2, 3)), 1000), 100000 * 12);
    }),
    check: (r) => {
      assert.equal(r.reason, "enhance_your_calm");
      assert.equal(r.goaway, "ENHANCE_YOUR_CALM");
      assert.ok(r.fed <= 2000 * 12 + 64, `read ${r.fed} bytes`);
    },
  },
  {
    name: "HTTP/2 PRIORITY flood (100000 frames, 1000 per receive)",
    protocol: "http2",
    run: () => measured("HTTP/2 PRIORITY flood (100000 frames, 1000 per receive)", h2().engine, (f) => {
      flood(f, repeat(H.frame(H.T.PRIORITY, 0, 1, Uint8Array.of(0, 0, 0, 0, 16)), 1000), 100000 * 14);
    }),
    check: (r) => {
      assert.equal(r.reason, "enhance_your_calm");
      assert.ok(r.fed <= 2000 * 14 + 64, `read ${r.fed} bytes`);
    },
  },
  {
    name: "HTTP/2 empty DATA flood on an open stream (100000 frames)",
    protocol: "http2",
    run: () => measured("HTTP/2 empty DATA flood on an open stream (100000 frames)", h2().engine, (f) => {
      f.feed(head1);
      flood(f, repeat(H.data(1, new Uint8Array(0)), 1000), 100000 * 9);
    }),
    check: (r) => {
      assert.equal(r.reason, "enhance_your_calm");
      assert.ok(r.fed <= 2000 * 9 + 64, `read ${r.fed} bytes`);
    },
  },
  {
    name: "HTTP/2 unsolicited PING ACK and SETTINGS ACK flood (100000 frames)",
    protocol: "http2",
    run: () => measured("HTTP/2 unsolicited PING ACK and SETTINGS ACK flood (100000 frames)", h2().engine, (f) => {
      flood(f, repeat(concat([H.ping(new Uint8Array(8), true), H.settingsAck()]), 500), 50000 * 26);
    }),
    check: (r) => {
      assert.notEqual(r.reason, "none", "a flood of frames that do nothing is cut off");
      assert.ok(r.fed <= 4000 * 26, `read ${r.fed} bytes`);
    },
  },
  {
    name: "HTTP/2 DATA past the stream receive window (4 MiB + 16 KiB)",
    protocol: "http2",
    run: () => measured("HTTP/2 DATA past the stream receive window (4 MiB + 16 KiB)", h2().engine, (f) => {
      f.feed(head1);
      f.feed(repeat(H.data(1, filler(16384)), 257));
    }),
    check: (r) => {
      assert.equal(r.reason, "error part: flow_control_error");
      assert.equal(r.facts["rstCode"], "FLOW_CONTROL_ERROR");
    },
  },
  {
    name: "HTTP/2 DATA of 50 MB on one stream (16 KiB frames, 64 KiB receives)",
    protocol: "http2",
    run: () => measured("HTTP/2 DATA of 50 MB on one stream (16 KiB frames, 64 KiB receives)", h2().engine, (f) => {
      f.feed(head1);
      const frameBytes = repeat(H.data(1, filler(16384 - 9)), 4);
      flood(f, frameBytes, FLOOD);
      return { windowUpdates: f.sentFrames.get(H.T.WINDOW_UPDATE) ?? 0 };
    }, false),
    check: (r) => {
      assert.equal(r.reason, "none");
      assert.equal(r.open, true);
      assert.ok((r.facts["dataBytes"] as number) > 49 * MiB);
      assert.ok(r.growth < 4 * MiB, `heap grew ${r.growth}`);
    },
  },
];

