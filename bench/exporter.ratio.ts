import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Agent, request } from "node:http";
import { afterAll, beforeAll, it } from "vitest";
import { check } from "../src/index.js";
import { parseIceUrl } from "../src/config/ice-url.js";
import { targetOf } from "../src/config/target-id.js";
import type { ExporterModule } from "../src/exporter/module.js";
import { startExporter, type RunningExporter } from "../src/exporter/server.js";
import { probeServer } from "../src/probes/server-probe.js";
import { startCoturn, type Coturn } from "../test/helpers/coturn.js";
import { printRatio, sideBySide } from "./ratio.js";

// Issue 14: how many probes a second `rtc-doctor exporter` answers against a loopback coturn, what
// the exporter adds to the probe itself (HTTP, the phase runner, a prom-client registry per
// probe), and that its memory stays flat over 10,000 probes. Loopback figures are rtc-doctor's own
// CPU cost: a real TURN server is never 0.1 ms away. Memory is measured first, on Binding probes:
// a relay probe's werift peers leave a TURN refresh timer behind that holds them for 500 s
// (werift 0.24, docs/monitoring/README.md), which would blur a leak of the exporter's own.
const PARALLEL = 8;
const BURST = 200;
const RELAY_BURST = 16;
const MEMORY_PROBES = 10_000;
const ROUNDS = 5;

let coturn: Coturn;
let exporter: RunningExporter;
beforeAll(async () => {
  coturn = await startCoturn({ tls: false, relayPorts: 3000 });
  const turn = { kind: "static" as const, username: coturn.user, credential: coturn.password };
  const base = { timeoutMs: 10_000, nat: false, tls: { failIfNotVerified: true } };
  const modules = new Map<string, ExporterModule>([
    ["stun", { name: "stun", ...base }],
    ["allocate", { name: "allocate", ...base, connect: false, turn }],
    ["relay", { name: "relay", ...base, timeoutMs: 20_000, turn }],
  ]);
  exporter = await startExporter({ host: "127.0.0.1", port: 0, modules, concurrency: PARALLEL, timeoutOffsetMs: 500 });
}, 60_000);
afterAll(async () => {
  await exporter?.close();
  await coturn?.stop();
});

// Prometheus keeps its scrape connections open; so does this client (node:http: fetch's own cost
// per request is larger than the exporter's).
const agent = new Agent({ keepAlive: true, maxSockets: PARALLEL });
const scrapes = { total: 0, failed: 0, last: "" };
function scrape(module: string, target: string): Promise<void> {
  const path = `/probe?module=${module}&target=${encodeURIComponent(target)}`;
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: exporter.port, path, agent, timeout: 60_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => {
        scrapes.total += 1;
        if (!body.includes("rtcdoctor_probe_success 1")) {
          scrapes.failed += 1;
          scrapes.last = body.split("\n").filter((l) => !l.startsWith("#")).join("\n");
        }
        // A loopback coturn at hundreds of allocations a second now and then answers 437 (a new
        // probe's port reused while the server still holds the 5-tuple): tolerated, if rare.
        if (scrapes.failed > 10 + scrapes.total / 100) reject(new Error(`${scrapes.failed} of ${scrapes.total} probes failed: the figure would be wrong\n${scrapes.last}`));
        else resolve();
      });
    });
    req.on("timeout", () => req.destroy(new Error("no answer within 60 s")));
    req.on("error", reject);
    req.end();
  });
}

/** `count` calls of `one`, PARALLEL at a time; the wall time in ms. */
async function burst(count: number, one: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (next < count) {
      next += 1;
      await one();
    }
  }));
  return performance.now() - started;
}

const stunUrl = () => `stun:127.0.0.1:${coturn.port}`;
const turnUrl = () => `turn:127.0.0.1:${coturn.port}?transport=udp`;

/** Heap in use after a full collection, in bytes. */
function heapAfterGc(): number {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

it(`exporter memory after ${MEMORY_PROBES} probes against after 1,000`, async () => {
  await burst(1000, () => scrape("stun", stunUrl()));
  const warm = heapAfterGc();
  const rssWarm = process.memoryUsage().rss;
  await burst(MEMORY_PROBES - 1000, () => scrape("stun", stunUrl()));
  const after = heapAfterGc();
  const rssAfter = process.memoryUsage().rss;
  const mb = (b: number) => b / 1024 / 1024;
  // The stated bound: 10,000 probes leave the heap at most 20 % above where 1,000 left it.
  printRatio({ label: `heap after ${MEMORY_PROBES} probes / after 1,000 (rss ${mb(rssWarm).toFixed(0)} -> ${mb(rssAfter).toFixed(0)} MB)`, measured: mb(after), baseline: mb(warm), goal: 1.2, unit: "MB" });
}, 600_000);

it("exporter /probe against the probe alone: STUN Binding and TURN Allocate, 8 at a time", async () => {
  const stunTarget = targetOf({ url: parseIceUrl(stunUrl()), source: "flag" });
  const turnTarget = targetOf({ url: parseIceUrl(turnUrl()), username: coturn.user, credential: coturn.password, source: "flag" });
  const direct = (target: typeof stunTarget) => async () => {
    const fact = await probeServer(target, 0, { timeoutMs: 10_000 });
    if (!fact.ok) throw new Error(`direct probe failed (${fact.error?.code}): the figure would be wrong`);
  };
  await burst(50, () => scrape("allocate", turnUrl()));
  const stun = await sideBySide(() => burst(BURST, direct(stunTarget)), { exporter: () => burst(BURST, () => scrape("stun", stunUrl())) }, ROUNDS);
  const turn = await sideBySide(() => burst(BURST, direct(turnTarget)), { exporter: () => burst(BURST, () => scrape("allocate", turnUrl())) }, ROUNDS);
  const perSecond = (ms: number, n: number) => Math.round((n * 1000) / ms);
  // A Binding to a loopback coturn costs ~0.2 ms, so the exporter's fixed cost per probe (HTTP both
  // ways, the phase runner, a registry and its text) is most of the STUN figure; against a server
  // 10 ms away both ratios come close to 1.
  printRatio({ label: `exporter STUN probes / probeServer alone (${perSecond(stun.exporter.measured, BURST)} probes/s)`, ...stun.exporter, goal: 5, unit: `ms per ${BURST}` });
  printRatio({ label: `exporter TURN Allocate probes / probeServer alone (${perSecond(turn.exporter.measured, BURST)} probes/s)`, ...turn.exporter, goal: 3, unit: `ms per ${BURST}` });
}, 600_000);

it("exporter relay probes (Allocate + loopback connection + echo) against check() of the same TURN URL", async () => {
  const viaCheck = async () => {
    const report = await check({ turn: [turnUrl()], username: coturn.user, credential: coturn.password, gather: false, nat: false });
    if (!(report.connectivity ?? []).some((c) => c.mode === "loopback-relay" && c.ok)) throw new Error("check made no relay connection: the figure would be wrong");
  };
  const relay = await sideBySide(() => burst(RELAY_BURST, viaCheck), { exporter: () => burst(RELAY_BURST, () => scrape("relay", turnUrl())) }, 3);
  printRatio({
    label: `exporter relay probes / check() of one TURN URL (${((RELAY_BURST * 1000) / relay.exporter.measured).toFixed(1)} probes/s)`,
    ...relay.exporter,
    goal: 1.2,
    unit: `ms per ${RELAY_BURST}`,
  });
}, 600_000);
