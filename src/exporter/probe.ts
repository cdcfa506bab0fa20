import { performance } from "node:perf_hooks";
import type { ConnectivityFact, NatFact, ServerFact } from "../facts/index.js";
import type { AnyPhase } from "../pipeline/phase.js";
import { runPhases } from "../pipeline/run-phases.js";
import { connectPhase, srflxConnectPhase } from "../phases/connect.js";
import { connectivityOf } from "../pipeline/artifacts.js";
import { natPhase } from "../phases/nat.js";
import { serversPhase } from "../phases/servers.js";
import type { PhaseSettings } from "../phases/settings.js";
import { DEFAULT_TIMEOUT_MS } from "../config/defaults.js";
import type { IceServerTarget } from "../config/types.js";
import { DEFAULT_MODULE_QUALITY_MS, type ExporterModule } from "./module.js";
import { reasonForCode, type ProbeFailureReason } from "./reasons.js";

/** What one probe found, for the metrics: the facts of its one target and the verdict on them. */
export interface ProbeOutcome {
  success: boolean;
  reason?: ProbeFailureReason;
  durationMs: number;
  /** Wall time of each step that ran, by the phase label of rtcdoctor_probe_phase_duration_seconds. */
  phases: Partial<Record<ProbePhase, number>>;
  server?: ServerFact;
  /** The loopback connection through the target, when the module asked for one and the probe got that far. */
  connectivity?: ConnectivityFact;
  nat?: NatFact;
  /** The module wanted a connection through the target. */
  connectWanted: boolean;
}

export type ProbePhase = "dns" | "server" | "connect" | "nat";

export interface ProbeRun {
  target: IceServerTarget;
  module: ExporterModule;
  /** Milliseconds from now the whole probe must have answered by. */
  budgetMs: number;
  /** Ends the probe early (the scraper went away); what finished is still judged. */
  signal?: AbortSignal;
  now?: Date;
}

/** Steps of a probe that connects leave most of the budget to the connection; one that does not may use nearly all. */
function settingsFor(run: ProbeRun, deadline: number, connect: boolean, now: Date): PhaseSettings {
  const stepMs = Math.max(100, Math.min(DEFAULT_TIMEOUT_MS, run.budgetMs * (connect ? 0.4 : 0.9)));
  return {
    timeoutMs: stepMs,
    // Read when the connect phase starts, so the connection gets whatever the probe left of the budget.
    get connectTimeoutMs() {
      return Math.max(100, deadline - performance.now());
    },
    signalTimeoutMs: stepMs,
    ...(run.module.tls.ca ? { tlsCa: run.module.tls.ca } : {}),
    startedAt: now,
    gather: false,
    nat: run.module.nat,
    loopback: connect,
    connectParallelism: 1,
    qualityDurationMs: run.module.qualityMs ?? DEFAULT_MODULE_QUALITY_MS,
    // A STUN target's srflx path is the one its module measures, not a reference.
    loopbackQuality: "always",
  };
}

/**
 * One target probed as its module says, through the same phases `check` runs: the STUN Binding or
 * TURN Allocate (with DNS and TLS), then a loopback connection through it, then NAT discovery.
 * Never throws for what the network does; the budget ends it with what it has.
 */
export async function runProbe(run: ProbeRun): Promise<ProbeOutcome> {
  const t0 = performance.now();
  const deadline = t0 + run.budgetMs;
  const now = run.now ?? new Date();
  const connectWanted = run.module.connect ?? run.target.url.isTurn;
  const settings = settingsFor(run, deadline, connectWanted, now);
  const phases: AnyPhase[] = [
    serversPhase(settings),
    ...(connectWanted ? [connectPhase(settings), srflxConnectPhase(settings)] : []),
    ...(run.module.nat ? [natPhase(settings)] : []),
  ];

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(0, run.budgetMs));
  const stop = () => controller.abort();
  if (run.signal?.aborted) controller.abort();
  else run.signal?.addEventListener("abort", stop, { once: true });
  const started = new Map<string, number>();
  const timing: Partial<Record<ProbePhase, number>> = {};
  try {
    const { artifacts, outcomes } = await runPhases(phases, { targets: [run.target] }, {
      signal: controller.signal,
      onProgress: (event) => {
        if (event.state === "start") started.set(event.phase, performance.now());
        else if (event.phase === "nat") timing.nat = performance.now() - (started.get("nat") ?? t0);
      },
    });
    const server = artifacts.servers?.[0];
    const connectivity = connectivityOf(artifacts).find((c) => c.serverId === run.target.id);
    if (server?.dns?.resolved) timing.dns = server.dns.durationMs;
    if (server) timing.server = server.durationMs;
    if (connectivity) timing.connect = connectivity.durationMs;
    const interrupted = outcomes.some((o) => o.state === "interrupted");
    const outcome: ProbeOutcome = { success: false, durationMs: 0, phases: timing, connectWanted };
    if (server) outcome.server = server;
    if (connectivity) outcome.connectivity = connectivity;
    if (artifacts.nat) outcome.nat = artifacts.nat;
    const reason = failureReason(outcome, run.module, now, interrupted);
    outcome.success = reason === undefined;
    if (reason) outcome.reason = reason;
    outcome.durationMs = performance.now() - t0;
    return outcome;
  } catch {
    // A phase that throws is a bug in rtc-doctor, not the target's failure: still an answer, never a crash.
    return { success: false, reason: "internal_error", durationMs: performance.now() - t0, phases: timing, connectWanted };
  } finally {
    clearTimeout(timer);
    run.signal?.removeEventListener("abort", stop);
  }
}

/** The first thing that failed, in the order the probe went; undefined when everything the module asked for held. */
export function failureReason(outcome: Omit<ProbeOutcome, "success" | "reason">, module: ExporterModule, now: Date, interrupted: boolean): ProbeFailureReason | undefined {
  const { server, connectivity } = outcome;
  if (!server || server.error?.code === "interrupted") return "timeout";
  if (server.error) return reasonForCode(server.error.code);
  if (!server.ok) return "protocol_error";
  const tls = server.tls;
  if (tls) {
    if (module.tls.failIfNotVerified && tls.verifyError === "CERT_HAS_EXPIRED") return "certificate_expired";
    if (module.tls.failIfNotVerified && (!tls.chainVerified || !tls.hostnameMatches)) return "certificate_untrusted";
    const within = module.tls.failIfExpiresWithinMs;
    if (within !== undefined && tls.validTo !== undefined && Date.parse(tls.validTo) - now.getTime() < within) return "certificate_expiring";
  }
  if (outcome.connectWanted) {
    if (!connectivity) return interrupted ? "timeout" : "connect_failed";
    if (!connectivity.ok) return connectivity.error?.code === "interrupted" ? "timeout" : "connect_failed";
  }
  return undefined;
}
