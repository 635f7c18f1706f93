// The package version, read from package.json at run time (two folders up from both
// src/cli and dist/cli).

import { readFileSync } from "node:fs";

/** The version field of mint-http's package.json, or "unknown". */
export function packageVersion(): string {
  try {
    const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "unknown";
  }
}
