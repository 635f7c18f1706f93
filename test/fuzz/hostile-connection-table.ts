// The connection-level table of report.ts: runs every case of hostile-connection.ts (real
// sockets on 127.0.0.1) and formats the results as markdown, with each case's check.

import { connectionCases } from "./hostile-connection.js";

/** The markdown section and the number of failed checks. */
export async function connectionTable(): Promise<{ text: string; failures: number }> {
  const rows: string[] = [];
  let failures = 0;
  for (const c of connectionCases()) {
    const r = await c.run();
    let verdict = "ok";
    try {
      c.check(r);
    } catch (err) {
      failures++;
      verdict = `FAIL: ${(err as Error).message.split("\n")[0]}`;
    }
    const facts = Object.entries(r.facts).map(([k, v]) => `${k}=${v}`).join(", ");
    rows.push(`| ${c.name} | ${r.reason} | ${r.opened} | ${r.leftOpen} | ${r.eventsAfterClose} | ${r.ms.toFixed(0)} | ${facts} | ${verdict} |`);
  }
  const text = [
    "",
    "Connection-level cases (connect() and Connection over real sockets on 127.0.0.1).",
    "\"Sockets opened\" counts connections the server accepted; \"handles left\" counts socket handles",
    "(process.getActiveResourcesInfo) above the baseline once settled, with the server still holding its side;",
    "\"events after close()\" counts \"parts\", \"window\" and \"closed\" events fired after close() returned.",
    "",
    "| case | reason seen by the caller | sockets opened | handles left | events after close() | ms | facts | check |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
  return { text, failures };
}
