// Connection-level hostile cases (hostile-connection.ts): each TLS failure names its alert
// with a clean message, each refused option opens no socket, each post-open failure leaves
// no socket handle, and no event fires after close(). The same runs make report.ts's
// second table.

import { test } from "node:test";
import { connectionCases } from "./hostile-connection.js";

for (const c of connectionCases()) {
  test(c.name, async () => {
    c.check(await c.run());
  });
}
