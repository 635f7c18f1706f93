// Prints where a V8 CPU profile spent its time: the functions with the most self time, and
// the share of time in mint-http's own files by layer.
// Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=25]
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: profile-summary <file.cpuprofile> [top]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
const layers = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const us = profile.timeDeltas[i] ?? 0;
  total += us;
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const where = url.replace(/^.*\/(src|bench|node_modules)\//, "$1/");
  const key = `${functionName || "(anonymous)"}  ${where}:${lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + us);
  const layer = /\/src\/([^/]+(?:\/[^/]+)?)\//.exec(url)?.[1] ?? (url.startsWith("node:") ? "node internals" : url === "" ? "(native/gc/idle)" : "other");
  layers.set(layer, (layers.get(layer) ?? 0) + us);
});
const pct = (us: number): string => ((100 * us) / total).toFixed(1).padStart(5) + "%";
console.log(`total ${(total / 1e6).toFixed(2)} s sampled\n\nby layer:`);
for (const [k, v] of [...layers].sort((a, b) => b[1] - a[1])) console.log(`  ${pct(v)}  ${k}`);
console.log("\nself time:");
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25))) console.log(`  ${pct(v)}  ${k}`);
