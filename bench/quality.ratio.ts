import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, it } from "vitest";
import { check, type CheckOptions } from "../src/index.js";
import type { Report } from "../src/report/types.js";
import { DEFAULT_QUALITY_DURATION_MS } from "../src/config/defaults.js";
import { startCoturn, type Coturn } from "../test/helpers/coturn.js";
import { ROOT } from "../test/lab/lab.js";
import { median, printRatio, sideBySide } from "./ratio.js";

// Issue 12, item 1: what the quality flood costs. The default check (STUN, TURN over UDP, TCP and
// TLS against a loopback coturn) with the default measurement against the same check with
// --quality 0, side by side; and per path, the wall time the measurement added to its attempt
// (its median duration with the measurement less its median without). Paths are measured side by side, so the check pays about one of them.
// On loopback a whole check takes under half a second of CPU, so any measurement worth its name
// costs a multiple of it; the line with 50 ms each way to the TURN server (a nearby data centre, as
// in bench/check.ratio.ts) is the check as a user runs it, and is the one the default is set by.
const ROUNDS = 7;
/** A STUN-only check makes the host and srflx loopbacks. */
const STUN_ONLY_PATHS = 2;

let coturn: Coturn;
beforeAll(async () => {
  coturn = await startCoturn({ tls: true });
});
afterAll(async () => {
  await coturn?.stop();
});

/** Each path's attempt duration (ConnectivityFact.durationMs), with the measurement and without. */
const attempts: Record<string, { with: number[]; without: number[] }> = {};

/** test/lab/delay-forwarder.mjs on loopback in front of coturn's plain port. */
async function startForwarder(delayMs: number): Promise<{ port: number; stop(): void }> {
  const child: ChildProcess = spawn(process.execPath, [`${ROOT}test/lab/delay-forwarder.mjs`, "127.0.0.1", "0", "127.0.0.1", String(coturn.port), String(delayMs)], { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => resolve(Number(/ready (\d+)/.exec(line)?.[1])));
    child.once("exit", (code) => reject(new Error(`delay forwarder exited (${code})`)));
  });
  return { port, stop: () => child.kill() };
}

function loopbackOptions(): CheckOptions {
  return {
    stun: [`stun:127.0.0.1:${coturn.port}`],
    turn: [`turn:127.0.0.1:${coturn.port}`, `turn:127.0.0.1:${coturn.port}?transport=tcp`, `turns:localhost:${coturn.tlsPort}?transport=tcp`],
    tlsCa: coturn.caPem,
  };
}

// TURN only: through the forwarder a srflx loopback cannot connect (each peer's mapped address is a
// forwarder socket that leads to coturn, not to the other peer) and its connect timeout would be
// all the figure shows. Host and the two relays connect.
function forwardedOptions(port: number): CheckOptions {
  return { turn: [`turn:127.0.0.1:${port}`, `turn:127.0.0.1:${port}?transport=tcp`] };
}

/** A round where a path did not connect (a busy machine, 100 ms RTT) is run again, at most twice. */
async function wallMs(base: CheckOptions, qualityDurationMs: number, paths: number): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await oneCheck(base, qualityDurationMs, paths);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function oneCheck(base: CheckOptions, qualityDurationMs: number, paths: number): Promise<number> {
  const options: CheckOptions = { ...base, ...(base.turn ? { username: coturn.user, credential: coturn.password } : {}), qualityDurationMs };
  const started = performance.now();
  const report: Report = await check(options);
  const ms = performance.now() - started;
  const made = report.connectivity ?? [];
  if (made.filter((a) => a.ok).length < paths) throw new Error(`only ${made.filter((a) => a.ok).length} of ${paths} paths connected: the figure would be wrong`);
  if (paths !== STUN_ONLY_PATHS) {
    for (const a of made) {
      const key = `${paths === 5 ? "loopback" : "100 ms RTT"}: ${a.mode}${a.mode === "loopback-relay" ? ` ${a.via?.split(":")[0]}/${/transport=(\w+)/.exec(a.via ?? "")?.[1] ?? "udp"}` : ""}`;
      (attempts[key] ??= { with: [], without: [] })[qualityDurationMs > 0 ? "with" : "without"].push(a.durationMs);
    }
  }
  return ms;
}

it(`the default check with the quality measurement (${DEFAULT_QUALITY_DURATION_MS} ms) and without`, async () => {
  const forwarder = await startForwarder(50);
  try {
    const near = forwardedOptions(forwarder.port);
    const t = await sideBySide(() => wallMs(near, 0, 3), { quality: () => wallMs(near, DEFAULT_QUALITY_DURATION_MS, 3) }, ROUNDS);
    printRatio({ label: "check with quality / --quality 0 (100 ms RTT)", ...t.quality, goal: 1.5, unit: "ms" });
  } finally {
    forwarder.stop();
  }
  const local = loopbackOptions();
  const t = await sideBySide(() => wallMs(local, 0, 5), { quality: () => wallMs(local, DEFAULT_QUALITY_DURATION_MS, 5) }, ROUNDS);
  printRatio({ label: "the same on loopback (CPU only)", ...t.quality, goal: 1.5, unit: "ms" });
  // The built-in defaults' shape: STUN only, nothing leaves the machine but the srflx hairpin, so
  // the loopbacks are not flooded (they are only ever the reference for a relay or remote path).
  const stunOnly: CheckOptions = { stun: [`stun:127.0.0.1:${coturn.port}`] };
  const s = await sideBySide(() => wallMs(stunOnly, 0, STUN_ONLY_PATHS), { quality: () => wallMs(stunOnly, DEFAULT_QUALITY_DURATION_MS, STUN_ONLY_PATHS) }, ROUNDS);
  printRatio({ label: "a STUN-only check (the defaults' shape) with quality / without", ...s.quality, goal: 1.5, unit: "ms" });
  for (const [path, times] of Object.entries(attempts)) {
    const added = median(times.with) - median(times.without);
    process.stdout.write(`quality  ${path.padEnd(42)} added ${added.toFixed(0)} ms per attempt (medians of ${times.with.length} attempts each way)\n`);
  }
});
