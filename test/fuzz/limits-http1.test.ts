// HTTP/1 limits against a hostile server: header and trailer section size, field count,
// status line, chunk-size line and extensions, huge declared chunks (data emitted as it
// arrives, nothing buffered to the declared size), bytes with nothing in flight.
// Each case feeds up to 50 MB and checks the reason, where the engine stopped and the
// heap growth (cases in hostile-http1.ts; the same runs make report.ts's table).

import { test } from "node:test";
import { http1Cases } from "./hostile-http1.js";
import { mib } from "./harness.js";

for (const c of http1Cases) {
  test(c.name, (t) => {
    const r = c.run();
    t.diagnostic(`reason=${r.reason} growth=${mib(r.growth)} fed=${r.fed} ms=${r.ms.toFixed(0)}`);
    c.check(r);
  });
}
