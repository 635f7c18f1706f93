// A fault-injecting TCP proxy on 127.0.0.1 for tests: each accepted connection is forwarded
// to a target port on 127.0.0.1, and the plan decides, per connection, what goes wrong:
//   pass       forward both ways untouched;
//   reset      forward `afterBytes` response bytes, then reset the client (RST, via
//              resetAndDestroy); `afterBytes: -1` resets at once, before anything is forwarded;
//   truncate   forward `afterBytes` response bytes, then end the client side (FIN);
//   idle-close end both sides once no byte has moved either way for `idleMs`;
//   stall      after `afterBytes` response bytes, hold the rest for `ms`, then go on.
// "Response bytes" are those the target sends towards the client. `randomPlan(seed, ...)`
// draws faults from a seeded PRNG so a failing run can be replayed. The proxy counts the
// connections it accepted and the faults it fired; close() frees every socket and timer.

import * as net from "node:net";
import type { AddressInfo } from "node:net";

export type Fault =
  | { kind: "pass" }
  | { kind: "reset"; afterBytes: number }
  | { kind: "truncate"; afterBytes: number }
  | { kind: "idle-close"; idleMs: number }
  | { kind: "stall"; afterBytes: number; ms: number };

export type FaultKind = Fault["kind"];

/** Chooses the fault of the connection numbered `index` (0, 1, 2, ... in accept order). */
export type FaultPlan = (index: number) => Fault;

export interface FaultProxy {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Connections open now. */
  readonly open: number;
  /** Faults that actually fired (a truncation the response never reached does not count). */
  readonly fired: Record<FaultKind, number>;
  /** Replace the plan for the connections still to come. */
  setPlan(plan: FaultPlan): void;
  close(): Promise<void>;
}

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomPlanOptions {
  /** Relative weights of each kind; missing kinds weigh 0. */
  weights: Partial<Record<FaultKind, number>>;
  /** Faults fire after 0..maxBytes response bytes (default 2048). */
  maxBytes?: number;
  /** idle-close waits 1..maxIdleMs ms of silence (default 50). */
  maxIdleMs?: number;
  /** stall holds 1..maxStallMs ms (default 100). */
  maxStallMs?: number;
}

/** A plan drawing each connection's fault from a PRNG seeded with `seed`. */
export function randomPlan(seed: number, opts: RandomPlanOptions): FaultPlan {
  const rnd = seededRandom(seed);
  const kinds = Object.entries(opts.weights).filter(([, w]) => (w ?? 0) > 0) as Array<[FaultKind, number]>;
  const total = kinds.reduce((s, [, w]) => s + w, 0);
  const maxBytes = opts.maxBytes ?? 2048;
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  return () => {
    let x = rnd() * total;
    let kind: FaultKind = "pass";
    for (const [k, w] of kinds) {
      if ((x -= w) < 0) {
        kind = k;
        break;
      }
    }
    switch (kind) {
      case "pass": return { kind };
      case "reset": return { kind, afterBytes: int(-1, maxBytes) };
      case "truncate": return { kind, afterBytes: int(0, maxBytes) };
      case "idle-close": return { kind, idleMs: int(1, opts.maxIdleMs ?? 50) };
      case "stall": return { kind, afterBytes: int(0, maxBytes), ms: int(1, opts.maxStallMs ?? 100) };
    }
  };
}

/** Start a proxy on 127.0.0.1 forwarding to 127.0.0.1:`targetPort` with `plan` (default: pass). */
export async function startFaultProxy(targetPort: number, plan: FaultPlan = () => ({ kind: "pass" })): Promise<FaultProxy> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const fired: Record<FaultKind, number> = { pass: 0, reset: 0, truncate: 0, "idle-close": 0, stall: 0 };
  let connections = 0;
  let open = 0;
  let current = plan;

  const later = (ms: number, fn: () => void): NodeJS.Timeout => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };
  const cancel = (t: NodeJS.Timeout | undefined): void => {
    if (t === undefined) return;
    clearTimeout(t);
    timers.delete(t);
  };

  const server = net.createServer((client) => {
    const fault = current(connections++);
    open++;
    sockets.add(client);
    client.on("error", () => {});
    if (fault.kind === "reset" && fault.afterBytes < 0) {
      fired.reset++;
      client.on("close", () => {
        sockets.delete(client);
        open--;
      });
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(targetPort, "127.0.0.1");
    sockets.add(upstream);
    upstream.on("error", () => {});
    let done = false;
    let sent = 0;
    let idle: NodeJS.Timeout | undefined;
    let stalled = false;
    let stallUsed = false;
    const held: Buffer[] = [];
    if (fault.kind === "pass") fired.pass++;

    const finish = (): void => {
      if (done) return;
      done = true;
      cancel(idle);
      open--;
    };
    const touch = (): void => {
      if (fault.kind !== "idle-close" || done) return;
      cancel(idle);
      idle = later(fault.idleMs, () => {
        fired["idle-close"]++;
        client.end();
        upstream.destroy();
      });
    };
    client.on("close", () => {
      sockets.delete(client);
      upstream.destroy();
      finish();
    });
    upstream.on("close", () => {
      sockets.delete(upstream);
      if (!client.destroyed) client.end();
    });
    client.on("end", () => upstream.end());
    upstream.on("end", () => {
      if (!stalled) client.end();
    });

    // Client to target: untouched, with back-pressure.
    client.on("data", (chunk: Buffer) => {
      touch();
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once("drain", () => client.resume());
      }
    });

    const toClient = (chunk: Buffer): void => {
      if (chunk.length === 0 || client.destroyed) return;
      sent += chunk.length;
      if (!client.write(chunk)) {
        upstream.pause();
        client.once("drain", () => {
          if (!stalled) upstream.resume();
        });
      }
    };

    // Target to client: where the faults fire.
    upstream.on("data", (chunk: Buffer) => {
      touch();
      if (done || client.destroyed) return;
      if (stalled) {
        held.push(chunk);
        return;
      }
      if ((fault.kind === "reset" || fault.kind === "truncate") && sent + chunk.length >= fault.afterBytes) {
        toClient(chunk.subarray(0, fault.afterBytes - sent));
        fired[fault.kind]++;
        upstream.destroy();
        if (fault.kind === "reset") client.resetAndDestroy();
        else client.end();
        return;
      }
      if (fault.kind === "stall" && !stallUsed && sent + chunk.length >= fault.afterBytes) {
        stallUsed = true;
        fired.stall++;
        const cut = fault.afterBytes - sent;
        toClient(chunk.subarray(0, cut));
        held.push(chunk.subarray(cut));
        stalled = true;
        upstream.pause();
        later(fault.ms, () => {
          stalled = false;
          for (const c of held.splice(0)) toClient(c);
          if (upstream.readableEnded) client.end();
          else upstream.resume();
        });
        return;
      }
      toClient(chunk);
    });
    touch();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    get open() {
      return open;
    },
    fired,
    setPlan(p: FaultPlan) {
      current = p;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
