// HTTP/2 limits against a hostile server: malformed responses and pushes, CONTINUATION floods, HPACK table size updates and
// amplification, PUSH_PROMISE, PING, SETTINGS and RST_STREAM floods, WINDOW_UPDATE overflow,
// oversized frames, frames on idle and closed streams, receive-window violations.
// Each case feeds up to 50 MB and checks the reason, the GOAWAY code sent, where the engine stopped and the
// heap growth (cases in hostile-http2.ts; the same runs make report.ts's table).

import { test } from "node:test";
import { http2Cases } from "./hostile-http2.js";
import { mib } from "./harness.js";

for (const c of http2Cases) {
  test(c.name, (t) => {
    const r = c.run();
    t.diagnostic(`reason=${r.reason} growth=${mib(r.growth)} fed=${r.fed} ms=${r.ms.toFixed(0)}`);
    c.check(r);
  });
}
