import { performance } from "node:perf_hooks";
import { resolveIceServers, type ResolvedServers, type ServerInputs } from "./config/ice-servers.js";
import { DEFAULT_TIMEOUT_MS } from "./config/defaults.js";
import type { Facts } from "./facts/index.js";
import { probeServers } from "./probes/server-probe.js";
import { gatherThroughServers } from "./probes/gather.js";
import { rules as defaultRules, runRules, type Rule } from "./rules/index.js";
import { buildReport, type FailOn } from "./report/build.js";
import type { Report } from "./report/types.js";

export type CheckPhase = "servers" | "gather" | "nat" | "connect";

export interface ProgressEvent {
  phase: CheckPhase;
  state: "start" | "done";
  /** One short line for a spinner, e.g. "6 servers". */
  text: string;
}

export interface CheckOptions extends ServerInputs {
  /** Already-resolved servers (skips resolving `ServerInputs`). */
  resolved?: ResolvedServers;
  timeoutMs?: number;
  /** Extra trust anchor (PEM) for turns:/stuns: certificates, e.g. a private CA. */
  tlsCa?: string | Buffer;
  /** Gather through a browser-like stack (werift) as well as the raw probes. Default true. */
  gather?: boolean;
  /** NAT behaviour discovery. Default true. */
  nat?: boolean;
  failOn?: FailOn;
  rules?: readonly Rule[];
  onProgress?(event: ProgressEvent): void;
}

/** Resolves the configuration up front so that a ConfigError surfaces before anything is sent. */
export function resolveTargets(options: CheckOptions): ResolvedServers {
  return options.resolved ?? resolveIceServers(options);
}

async function phase<T>(options: CheckOptions, name: CheckPhase, text: string, work: () => Promise<T>): Promise<T> {
  options.onProgress?.({ phase: name, state: "start", text });
  try {
    return await work();
  } finally {
    options.onProgress?.({ phase: name, state: "done", text });
  }
}

/** The whole check: probes gather facts, rules turn them into findings, the report carries both. */
export async function check(options: CheckOptions = {}): Promise<Report> {
  const startedAt = new Date();
  const t0 = performance.now();
  const { targets, usedDefaults } = resolveTargets(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const probeOptions = { timeoutMs, tlsCa: options.tlsCa };

  const servers = await phase(options, "servers", `probing ${targets.length} ICE server URL${targets.length === 1 ? "" : "s"}`, () =>
    probeServers(targets, probeOptions),
  );
  // A browser-like stack only confirms what the raw probe found; through a server the probe already
  // showed broken, werift would just wait out the timeout (it reports a 401 as silence).
  const usable = targets.filter((_, i) => servers[i]?.ok);
  const gathered =
    options.gather === false || usable.length === 0
      ? { gathering: [], candidates: [] }
      : await phase(options, "gather", "gathering candidates with werift", () => gatherThroughServers(usable, probeOptions));

  const facts: Facts = {
    config: {
      usedDefaultServers: usedDefaults,
      timeoutMs,
      stunCount: targets.filter((t) => !t.url.isTurn).length,
      turnCount: targets.filter((t) => t.url.isTurn).length,
    },
    servers,
    gathering: gathered.gathering,
    candidates: gathered.candidates,
  };

  const findings = runRules(options.rules ?? defaultRules, facts);
  return buildReport(facts, findings, { startedAt, durationMs: performance.now() - t0, failOn: options.failOn ?? "error" });
}
