// `npm run bench:websocket`: round trips per second and MB/s of mint-http/websocket and the
// `ws` client against the same `ws` echo server (in its own process), for 64 B, 16 KiB and
// 1 MiB messages, with and without permessage-deflate. Each case alternates the two
// clients round by round and prints the median round.
//
// Environment: BENCH_SECONDS (2 per client per round), BENCH_ROUNDS (3).
import { WebSocket as WsClient } from "ws";
import { connectWebSocket } from "../src/websocket/index.js";
import { firstJsonLine, spawnTs } from "./targets.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const SIZES = [64, 16 * 1024, 1024 * 1024];

/** Compressible but not trivial: words from a small vocabulary. */
function payload(size: number): Uint8Array {
  const words = ["alpha ", "beta ", "gamma ", "delta ", "epsilon ", "zeta "];
  const out = new Uint8Array(size);
  let seed = 7;
  for (let i = 0; i < size; ) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const w = words[seed % words.length]!;
    for (let j = 0; j < w.length && i < size; j++) out[i++] = w.charCodeAt(j);
  }
  return out;
}

interface Result {
  rtps: number;
  mbps: number;
}

type Client = (url: string, deflate: boolean, data: Uint8Array, ms: number) => Promise<Result>;

const measure = (n: number, size: number, ms: number): Result => ({ rtps: (n * 1000) / ms, mbps: (2 * n * size) / (ms / 1000) / 1e6 });

const mint: Client = async (url, deflate, data, ms) => {
  const ws = await connectWebSocket(url, { perMessageDeflate: deflate, http2: "never" });
  let n = 0;
  const started = Date.now();
  const end = started + ms;
  await new Promise<void>((resolve) => {
    ws.on("message", () => {
      n++;
      if (Date.now() < end) ws.send(data);
      else resolve();
    });
    ws.send(data);
  });
  const took = Date.now() - started;
  await ws.close();
  return measure(n, data.length, took);
};

const wsClient: Client = async (url, deflate, data, ms) => {
  const ws = new WsClient(url, { perMessageDeflate: deflate });
  await new Promise<void>((r, j) => {
    ws.once("open", () => r());
    ws.once("error", j);
  });
  let n = 0;
  const started = Date.now();
  const end = started + ms;
  await new Promise<void>((resolve) => {
    ws.on("message", () => {
      n++;
      if (Date.now() < end) ws.send(data);
      else resolve();
    });
    ws.send(data);
  });
  const took = Date.now() - started;
  await new Promise<void>((r) => {
    ws.once("close", () => r());
    ws.close();
  });
  return measure(n, data.length, took);
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmtSize = (n: number): string => (n >= 1024 * 1024 ? `${n / 1024 / 1024} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} B`);

const server = spawnTs(0, "servers/ws-echo.ts", []);
try {
  const ports = (await firstJsonLine(server, "ws echo server")) as { plain: number; deflate: number };
  console.log(`WebSocket echo round trips, ${ROUNDS} rounds of ${SECONDS}s per client (median); server: ws in its own process\n`);
  console.log("| message | deflate | mint-http rt/s | ws rt/s | mint-http MB/s | ws MB/s | mint/ws |");
  console.log("|---|---|---|---|---|---|---|");
  for (const deflate of [false, true]) {
    for (const size of SIZES) {
      const data = payload(size);
      const url = `ws://127.0.0.1:${deflate ? ports.deflate : ports.plain}/`;
      // Warm-up of both clients.
      await mint(url, deflate, data, 300);
      await wsClient(url, deflate, data, 300);
      const a: Result[] = [];
      const b: Result[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        a.push(await mint(url, deflate, data, SECONDS * 1000));
        b.push(await wsClient(url, deflate, data, SECONDS * 1000));
      }
      const ma = median(a.map((x) => x.rtps));
      const mb = median(b.map((x) => x.rtps));
      const ra = median(a.map((x) => x.mbps));
      const rb = median(b.map((x) => x.mbps));
      console.log(`| ${fmtSize(size)} | ${deflate ? "on" : "off"} | ${ma.toFixed(0)} | ${mb.toFixed(0)} | ${ra.toFixed(1)} | ${rb.toFixed(1)} | ${(ma / mb).toFixed(2)}x |`);
    }
  }
} finally {
  server.kill();
}
