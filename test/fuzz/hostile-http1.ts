// Hostile-peer cases against the HTTP/1 engine (see hostile-cases.ts for the measures).

import assert from "node:assert/strict";
import { createHTTP1Engine } from "../../src/core/http1/index.js";
import type { Engine } from "../../src/core/engine.js";
import type { RequestRef } from "../../src/types.js";
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
];

