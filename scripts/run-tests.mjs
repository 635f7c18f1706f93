// Runs the *.test.ts files under the given test/ folders with node:test and the tsx loader.
// Usage: node scripts/run-tests.mjs unit property integration [-- extra node --test flags]
import { spawnSync } from "node:child_process";
import { readdirSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const dash = args.indexOf("--");
const folders = dash === -1 ? args : args.slice(0, dash);
const extra = dash === -1 ? [] : args.slice(dash + 1);

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const files = [];
for (const f of folders.length ? folders : ["unit"]) {
  const dir = existsSync(f) ? f : join("test", f);
  if (!existsSync(dir)) { console.error(`no test folder or file ${dir}`); process.exit(2); }
  if (statSync(dir).isDirectory()) walk(dir, files);
  else files.push(dir);
}
if (files.length === 0) { console.error("no test files found"); process.exit(2); }

// --expose-gc: the soak tests force collections to see whether the heap stays flat.
const result = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", "--test", "--test-concurrency=2", ...extra, ...files], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
