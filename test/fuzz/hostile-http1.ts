// Hostile-peer cases against the HTTP/1 engine (see hostile-cases.ts for the measures).

import assert from "node:assert/strict";
import { createHTTP1Engine } from "../../src/core/http1/index.js";
import type { Engine } from "../../src/core/engine.js";
import type { Body, Headers, RequestRef } from "../../src/types.js";
import { MintError } from "../../src/errors.js";
import { concat, latin1, MiB } from "./harness.js";
import { FLOOD, filler, flood, type HostileCase, LIMIT, measured, stoppedNearLimit } from "./hostile-cases.js";

// ---------------------------------------------------------------------------
// HTTP/1

function h1(methods: string[] = ["GET"], maxHeaderListSize?: number): { engine: Engine; refs: RequestRef[] } {
  const engine = createHTTP1Engine({ scheme: "http", authority: "example.test", ...(maxHeaderListSize ? { maxHeaderListSize } : {}) });
  const refs = methods.map((m) => engine.request(m, "/", [], null));
  engine.takeOutgoing();
  return { engine, refs };
}

/** A response that would be taken as the answer to the next request if it were read as one. */
const HIDDEN = "HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nhidden";

/** Facts about the requests pipelined behind the first: how they ended, whether any hidden byte reached them. */
function behind(r: { parts: readonly { type: string; ref: RequestRef; error?: MintError }[] }, refs: RequestRef[], engine: Engine): Record<string, string | boolean> {
  const later = refs.slice(1);
  const ends = later.map((ref) => r.parts.find((p) => p.ref === ref && (p.type === "error" || p.type === "done")));
  return {
    behindEnded: ends.map((p) => (p === undefined ? "open" : p.type === "error" ? `${p.error!.reason}/${String(p.error!.details?.["why"])}` : "done")).join(","),
    hiddenReachedLater: r.parts.some((p) => later.includes(p.ref) && p.type !== "error"),
    writeOpen: engine.isOpen("write"),
  };
}

function checkBehind(r: { facts: Record<string, unknown> }, count: number): void {
  assert.equal(r.facts["behindEnded"], Array(count).fill("closed/untrusted_length").join(","));
  assert.equal(r.facts["hiddenReachedLater"], false);
  assert.equal(r.facts["writeOpen"], false);
}

/** An untrusted-length response for the first of three pipelined GETs, then hidden responses. */
function untrustedCase(name: string, head: string, openAfter: boolean, flood50 = false): HostileCase {
  return {
    name,
    protocol: "http1",
    run: () => {
      const { engine, refs } = h1(["GET", "GET", "GET"]);
      return measured(name, engine, (f) => {
        f.feed(latin1(head + HIDDEN + HIDDEN));
        if (flood50) flood(f, concat(Array.from({ length: 1024 }, () => latin1(HIDDEN))), FLOOD);
        return behind(f, refs, engine);
      });
    },
    check: (r) => {
      assert.equal(r.reason, "error part: closed");
      checkBehind(r, 2);
      assert.equal(r.open, openAfter);
      assert.ok(r.growth < 4 * MiB, `heap grew ${r.growth}`);
    },
  };
}

/** One request with the caller's headers and body; the server answers with `response`. */
function requestCase(name: string, headers: Headers, body: Body, response: string, check: HostileCase["check"]): HostileCase {
  return {
    name,
    protocol: "http1",
    run: () => {
      const engine = createHTTP1Engine({ scheme: "http", authority: "example.test" });
      const ref = engine.request("POST", "/", headers, body);
      let wire = "";
      for (const b of engine.takeOutgoing()) wire += Buffer.from(b).toString("latin1");
      const tryRequest = (): string => {
        try {
          engine.request("GET", "/", [], null);
          engine.takeOutgoing();
          return "accepted";
        } catch (e) {
          if (!(e instanceof MintError)) throw e;
          return e.details?.["why"] !== undefined ? `${e.reason}/${String(e.details["why"])}` : e.reason;
        }
      };
      return measured(name, engine, (f) => {
        const before = tryRequest();
        f.feed(latin1(response));
        return {
          wireBody: JSON.stringify(wire.slice(wire.indexOf("\r\n\r\n") + 4)), requestBefore: before, requestAfter: tryRequest(),
          done: f.parts.some((p) => p.type === "done" && p.ref === ref),
        };
      });
    },
    check,
  };
}

function lineCase(name: string, response: string, reason: string): HostileCase {
  return {
    name,
    protocol: "http1",
    run: () => measured(name, h1(["GET", "GET"]).engine, (f) => void f.feed(latin1(response + HIDDEN))),
    check: (r) => {
      assert.equal(r.reason, reason);
      assert.equal(r.open, false);
    },
  };
}

/** Framing the client cannot trust and request-side injection (RFC 9112 §6, §9.6). */
const framingCases: HostileCase[] = [
  untrustedCase("HTTP/1 body read until close hides responses, 50 MB of them (2 requests pipelined behind)", "HTTP/1.1 200 OK\r\n\r\n", true, true),
  untrustedCase("HTTP/1 transfer-encoding whose final coding is not chunked (chunked, gzip)", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked, gzip\r\n\r\n", true),
  untrustedCase("HTTP/1.0 keep-alive with transfer-encoding: chunked, a response after the last chunk",
    "HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n", true),
  untrustedCase("HTTP/1 204 with transfer-encoding: chunked, a response after it", "HTTP/1.1 204 No Content\r\ntransfer-encoding: chunked\r\n\r\n", false),
  untrustedCase("HTTP/1 100 Continue with content-length: 6, then the final response and a hidden one",
    "HTTP/1.1 100 Continue\r\ncontent-length: 6\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", false),
  lineCase("HTTP/1 obs-fold continuing transfer-encoding", "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n ,chunked\r\n\r\n0\r\n\r\n", "invalid_header"),
  lineCase("HTTP/1 whitespace before the colon (content-length : 0)", "HTTP/1.1 200 OK\r\ncontent-length : 0\r\n\r\n", "invalid_header"),
  lineCase("HTTP/1 bare CR inside a header line", "HTTP/1.1 200 OK\r\nx: a\rcontent-length: 0\r\n\r\n", "invalid_header"),
  lineCase("HTTP/1 content-length list (5, 5)", "HTTP/1.1 200 OK\r\ncontent-length: 5, 5\r\n\r\nhello", "invalid_content_length_header"),
  lineCase("HTTP/1 content-length with a sign (+5)", "HTTP/1.1 200 OK\r\ncontent-length: +5\r\n\r\nhello", "invalid_content_length_header"),
  lineCase("HTTP/1 chunk extension with a control character", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;a=\x01\r\nhello\r\n0\r\n\r\n", "invalid_chunk_size"),
  requestCase("HTTP/1 request transfer-encoding: chunked with a string body (sent framed)", [["transfer-encoding", "chunked"]], "hello",
    "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", (r) => {
      assert.equal(r.reason, "none");
      assert.equal(r.facts["wireBody"], JSON.stringify("5\r\nhello\r\n0\r\n\r\n"));
      assert.equal(r.facts["requestBefore"], "accepted");
      assert.equal(r.open, true);
    }),
  requestCase("HTTP/1 request connection: close, server answers keep-alive then a hidden response", [["connection", "close"]], "x",
    `HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n${HIDDEN}`, (r) => {
      assert.equal(r.reason, "none");
      assert.equal(r.facts["done"], true);
      assert.equal(r.facts["requestBefore"], "closed/connection_close_requested");
      assert.equal(r.facts["requestAfter"], "closed", "the engine is closed after the response");
      assert.equal(r.open, false);
    }),
];

export const http1Cases: HostileCase[] = [
  {
    name: "HTTP/1 header value of 50 MB (64 KiB slices, no LF)",
    protocol: "http1",
    run: () => measured("HTTP/1 header value of 50 MB (64 KiB slices, no LF)", h1().engine, (f) => {
      f.feed(latin1("HTTP/1.1 200 OK\r\nx-big: "));
      flood(f, filler(64 * 1024), FLOOD);
    }),
    check: (r) => {
      assert.equal(r.reason, "max_header_list_size_exceeded");
      stoppedNearLimit(r, LIMIT, 64 * 1024 + 64);
      assert.equal(r.open, false);
    },
  },
  {
    name: "HTTP/1 header section dripped 7 bytes at a time",
    protocol: "http1",
    run: () => measured("HTTP/1 header section dripped 7 bytes at a time", h1().engine, (f) => {
      f.feed(latin1("HTTP/1.1 200 OK\r\n"));
      const line = latin1(`x-drip: ${"d".repeat(1000)}\r\n`);
      const big = concat(Array.from({ length: Math.ceil((LIMIT * 2) / line.length) }, () => line));
      for (let i = 0; i < big.length; i += 7) if (!f.feed(big.subarray(i, i + 7))) break;
    }),
    check: (r) => {
      assert.equal(r.reason, "max_header_list_size_exceeded");
      stoppedNearLimit(r, LIMIT, 64);
      assert.ok(r.ms < 3000, `took ${r.ms} ms: quadratic rescanning?`);
    },
  },
  {
    name: "HTTP/1 5000 header fields of 6 bytes",
    protocol: "http1",
    run: () => measured("HTTP/1 5000 header fields of 6 bytes", h1().engine, (f) => {
      f.feed(concat([latin1("HTTP/1.1 200 OK\r\n"), ...Array.from({ length: 5000 }, () => latin1("a: b\r\n")), latin1("\r\n")]));
    }),
    check: (r) => {
      assert.equal(r.reason, "max_header_list_size_exceeded");
      assert.equal(r.error?.details?.["maxHeaders"], 1000);
    },
  },
  {
    name: "HTTP/1 status line of 50 MB",
    protocol: "http1",
    run: () => measured("HTTP/1 status line of 50 MB", h1().engine, (f) => {
      f.feed(latin1("HTTP/1.1 200 "));
      flood(f, filler(64 * 1024), FLOOD);
    }),
    check: (r) => {
      assert.ok(["max_header_list_size_exceeded", "invalid_status_line"].includes(r.reason), r.reason);
      stoppedNearLimit(r, LIMIT, 64 * 1024 + 64);
    },
  },
  {
    name: "HTTP/1 trailer section of 50 MB",
    protocol: "http1",
    run: () => measured("HTTP/1 trailer section of 50 MB", h1().engine, (f) => {
      f.feed(latin1("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nx-t: "));
      flood(f, filler(64 * 1024), FLOOD);
    }),
    check: (r) => {
      assert.equal(r.reason, "max_header_list_size_exceeded");
      stoppedNearLimit(r, LIMIT, 64 * 1024 + 128);
      assert.equal(r.facts["dataBytes"], 3);
    },
  },
  {
    name: "HTTP/1 5000 trailer fields",
    protocol: "http1",
    run: () => measured("HTTP/1 5000 trailer fields", h1().engine, (f) => {
      f.feed(concat([latin1("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n"), ...Array.from({ length: 5000 }, () => latin1("a: b\r\n")), latin1("\r\n")]));
    }),
    check: (r) => assert.equal(r.reason, "max_header_list_size_exceeded"),
  },
  {
    name: "HTTP/1 chunk extension of 50 MB",
    protocol: "http1",
    run: () => measured("HTTP/1 chunk extension of 50 MB", h1().engine, (f) => {
      f.feed(latin1("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;ext="));
      flood(f, filler(64 * 1024), FLOOD);
    }),
    check: (r) => {
      assert.equal(r.reason, "invalid_chunk_size");
      stoppedNearLimit(r, 4096, 64 * 1024 + 64);
    },
  },
  {
    name: "HTTP/1 chunk declared 0x7fffffffffff, 50 MB of it fed",
    protocol: "http1",
    run: () => measured("HTTP/1 chunk declared 0x7fffffffffff, 50 MB of it fed", h1().engine, (f) => {
      f.feed(latin1("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n7fffffffffff\r\n"));
      const afterHead = f.dataParts;
      f.feed(filler(1 * MiB));
      const partsAfter1MB = f.dataParts - afterHead;
      const bytesAfter1MB = f.dataBytes;
      flood(f, filler(64 * 1024), FLOOD - MiB);
      return { partsAfter1MB, bytesAfter1MB };
    }),
    check: (r) => {
      assert.equal(r.reason, "none");
      assert.equal(r.open, true);
      assert.equal(r.facts["bytesAfter1MB"], MiB, "the first megabyte came out as data at once");
      assert.ok((r.facts["partsAfter1MB"] as number) >= 1);
      assert.equal(r.facts["dataBytes"], FLOOD);
      assert.ok(r.growth < 4 * MiB, `heap grew ${r.growth}`);
    },
  },
  {
    name: "HTTP/1 chunk size of 17 hex digits",
    protocol: "http1",
    run: () => measured("HTTP/1 chunk size of 17 hex digits", h1().engine, (f) => {
      f.feed(latin1("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n10000000000000000\r\n"));
    }),
    check: (r) => assert.equal(r.reason, "invalid_chunk_size"),
  },
  {
    name: "HTTP/1 signed chunk size (-1, +5)",
    protocol: "http1",
    run: () => {
      const a = measured("", h1().engine, (f) => void f.feed(latin1("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n-1\r\n")));
      const b = measured("HTTP/1 signed chunk size (-1, +5)", h1().engine, (f) => void f.feed(latin1("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n+5\r\nabcde\r\n")));
      b.facts["minusReason"] = a.reason;
      return b;
    },
    check: (r) => {
      assert.equal(r.reason, "invalid_chunk_size");
      assert.equal(r.facts["minusReason"], "invalid_chunk_size");
    },
  },
  {
    name: "HTTP/1 content-length of 20 digits",
    protocol: "http1",
    run: () => measured("HTTP/1 content-length of 20 digits", h1().engine, (f) => void f.feed(latin1("HTTP/1.1 200 OK\r\ncontent-length: 99999999999999999999\r\n\r\n"))),
    check: (r) => assert.equal(r.reason, "invalid_content_length_header"),
  },
  {
    name: "HTTP/1 50 MB after a complete response, nothing in flight",
    protocol: "http1",
    run: () => measured("HTTP/1 50 MB after a complete response, nothing in flight", h1().engine, (f) => {
      f.feed(latin1("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"));
      flood(f, filler(64 * 1024), FLOOD);
    }),
    check: (r) => {
      assert.equal(r.reason, "unexpected_data");
      stoppedNearLimit(r, 64 * 1024, 64);
    },
  },
  {
    name: "HTTP/1 100000 informational (103) responses before the final one",
    protocol: "http1",
    run: () => measured("HTTP/1 100000 informational (103) responses before the final one", h1().engine, (f) => {
      const hint = latin1("HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n");
      const batch = concat(Array.from({ length: 1000 }, () => hint));
      let informational = 0;
      for (let i = 0; i < 100; i++) {
        if (!f.feed(batch)) break;
        informational += f.parts.length;
        f.parts.length = 0;
      }
      f.feed(latin1("HTTP/1.1 204 No Content\r\n\r\n"));
      return { informationalParts: informational };
    }),
    check: (r) => {
      assert.equal(r.reason, "none");
      assert.ok(r.parts.some((p) => p.type === "done"));
      assert.ok(r.growth < 4 * MiB, `heap grew ${r.growth}`);
    },
  },
  {
    name: "HTTP/1 content-length body of 50 MB",
    protocol: "http1",
    run: () => measured("HTTP/1 content-length body of 50 MB", h1().engine, (f) => {
      f.feed(latin1(`HTTP/1.1 200 OK\r\ncontent-length: ${FLOOD}\r\n\r\n`));
      flood(f, filler(64 * 1024), FLOOD);
    }),
    check: (r) => {
      assert.equal(r.reason, "none");
      assert.equal(r.facts["dataBytes"], FLOOD);
      assert.ok(r.parts.some((p) => p.type === "done"));
      assert.ok(r.growth < 4 * MiB, `heap grew ${r.growth}`);
    },
  },
  ...framingCases,
];
