// Shared header checks: the length-first connection-specific test agrees with the list.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CONNECTION_SPECIFIC, isConnectionSpecific } from "../../src/core/headers.js";

test("isConnectionSpecific is CONNECTION_SPECIFIC.has", () => {
  const names = [...CONNECTION_SPECIFIC, "", "te", "upgrades", "upgradE", "connectioN", "keep-alivex", "content-length",
    "proxy-connectio", "transfer-encodings", "x".repeat(10), "x".repeat(17), "cookie", "host"];
  for (const name of names) assert.equal(isConnectionSpecific(name), CONNECTION_SPECIFIC.has(name), name);
});
