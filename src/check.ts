import { performance } from "node:perf_hooks";
import { resolveIceServers, type ResolvedServers, type ServerInputs } from "./config/ice-servers.js";
import { DEFAULT_QUALITY_DURATION_MS, DEFAULT_SIGNAL_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from "./config/defaults.js";
import { validQualityDuration } from "./config/quality-duration.js";
import type { Facts } from "./facts/index.js";
import { mergeGathering, type GatherResult } from "./facts/merge-gathering.js";
import type { Rule } from "./rules/index.js";
import type { OptionNamer } from "./config/option-words.js";
import { buildReport } from "./report/build.js";
import { diagnose, type FailOn } from "./diagnose/index.js";
import type { Report } from "./report/types.js";
import { parseExpectation, type Expectation } from "./config/expectations.js";
import type { RemoteTarget } from "./probes/connect/types.js";
import { connectivityOf, type Artifacts } from "./pipeline/artifacts.js";
import type { AnyPhase } from "./pipeline/phase.js";
import { runPhases, type PhaseEvent } from "./pipeline/run-phases.js";
import { defaultPhases } from "./phases/default-phases.js";
import type { PhaseSettings } from "./phases/settings.js";

/** The default phases' names; phases given through `phases` may add their own. */
export type CheckPhase = "servers" | "gather" | "nat" | "connect host" | "connect srflx" | "connect" | "handed-out servers" | "far-side permissions" | (string & {});

export interface ProgressEvent extends PhaseEvent {
  phase: CheckPhase;
}

/**
 * At most this many connection attempts at once. An attempt mostly waits on round trips (TURN,
 * ICE, DTLS, SCTP, echo), so many run side by side; the bound keeps a list of hundreds of URLs from
 * opening hundreds of peer pairs (sockets, TURN allocations) at the same moment.
 */
export const DEFAULT_CONNECT_PARALLELISM = 64;

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
  /** Also measure how long an idle NAT binding survives (slow by nature). */
  natLifetime?: boolean;
  /** Loopback connections through every path (host, srflx, relay per working TURN URL). Default true. */
  connect?: boolean;
  /** Also connect to a far peer through this signalling endpoint (WHIP or Pipecat). */
  remote?: RemoteTarget;
  /** Bound on ICE + DTLS + data channel of one connection attempt. Default 10 s. */
  connectTimeoutMs?: number;
  /** Bound on each request to the `remote` signalling URL (the far side may gather before it answers). Default 30 s. */
  signalTimeoutMs?: number;
  /** At most this many connection attempts at once. Default 64. */
  connectParallelism?: number;
  /**
   * Milliseconds of quality measurement on each path that connects (loss, RTT, jitter, MOS, bitrate);
   * 0 skips it. Default DEFAULT_QUALITY_DURATION_MS.
   */
  qualityDurationMs?: number;
  failOn?: FailOn;
  /** What must hold, e.g. "relay:tls", "nat:!symmetric", "rtt<150"; each unmet one is an error finding. */
  expect?: readonly (string | Expectation)[];
  /** Aborting ends the run early with a partial report (summary.interrupted); the CLI wires Ctrl-C to it. */
  signal?: AbortSignal;
  rules?: readonly Rule[];
  /**
   * The phases to run instead of the default ones (servers, gather, nat, connect, handed-out
   * servers), e.g. fakes in a test; given the resolved settings.
   */
  phases?: (settings: PhaseSettings) => readonly AnyPhase[];
  /** How diagnosis text names an option (default: its API name; the CLI gives its flags). */
  optionName?: OptionNamer;
  onProgress?(event: ProgressEvent): void;
  /**
   * Secret values learned during the run (credentials a signalling server handed out), for an
   * output scrubber. The report never holds them; error texts from libraries might.
   */
  onSecrets?(secrets: readonly string[]): void;
}

/** Resolves the configuration up front so that a ConfigError surfaces before anything is sent. */
export function resolveTargets(options: CheckOptions): ResolvedServers {
  return options.resolved ?? resolveIceServers(options);
}

function settingsFrom(options: CheckOptions, startedAt: Date): PhaseSettings {
  return {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    signalTimeoutMs: options.signalTimeoutMs ?? DEFAULT_SIGNAL_TIMEOUT_MS,
    tlsCa: options.tlsCa,
    natLifetime: options.natLifetime,
    startedAt,
    gather: options.gather !== false,
    nat: options.nat !== false,
    loopback: options.connect !== false,
    remote: options.remote,
    connectParallelism: options.connectParallelism ?? DEFAULT_CONNECT_PARALLELISM,
    qualityDurationMs: validQualityDuration(options.qualityDurationMs),
  };
}

/** Both sources of werift gathering as one list, in configuration order (candidates likewise). */
function gatheringFrom(artifacts: Partial<Artifacts>, targets: readonly { id: string }[], gather: boolean): GatherResult {
  if (!gather) return { gathering: [], candidates: [] };
  const order = new Map(targets.map((t, i) => [t.id, i]));
  const outcomes = [...(artifacts.gathered ?? []), ...(artifacts.pathGathered ?? [])];
  outcomes.sort((a, b) => (order.get(a.fact.serverId) ?? 0) - (order.get(b.fact.serverId) ?? 0));
  return mergeGathering(outcomes);
}

/** The report's facts from the phases' artifacts: internal ones (targets, credentials) stay behind. */
function factsFrom(artifacts: Partial<Artifacts>, settings: PhaseSettings, usedDefaults: boolean): Facts {
  const targets = artifacts.targets ?? [];
  const facts: Facts = {
    config: {
      usedDefaultServers: usedDefaults,
      timeoutMs: settings.timeoutMs,
      stunCount: targets.filter((t) => !t.url.isTurn).length,
      turnCount: targets.filter((t) => t.url.isTurn).length,
    },
    servers: [...(artifacts.servers ?? []), ...(artifacts.handedOutServers ?? [])],
    ...gatheringFrom(artifacts, targets, settings.gather),
  };
  if (artifacts.nat) facts.nat = artifacts.nat;
  if (artifacts.session) facts.session = artifacts.session;
  const connectivity = connectivityOf(artifacts);
  if (connectivity.length > 0) facts.connectivity = connectivity;
  if (artifacts.farSidePermissions) facts.farSidePermissions = artifacts.farSidePermissions;
  return facts;
}

/** The whole check: phases gather facts, rules turn them into findings, the report carries both. */
export async function check(options: CheckOptions = {}): Promise<Report> {
  const startedAt = new Date();
  const t0 = performance.now();
  const { targets, usedDefaults } = resolveTargets(options);
  const expectations = (options.expect ?? []).map((e) => (typeof e === "string" ? parseExpectation(e) : e));
  const { signal } = options;
  const settings = settingsFrom(options, startedAt);
  const phases = options.phases ? options.phases(settings) : defaultPhases(settings);
  const { artifacts } = await runPhases(phases, { targets }, { signal, onProgress: options.onProgress, onSecrets: options.onSecrets });
  const facts = factsFrom(artifacts, settings, usedDefaults);

  const diagnosis = diagnose(facts, { rules: options.rules, failOn: options.failOn, expectations, interrupted: signal?.aborted === true, optionName: options.optionName });
  return buildReport(facts, diagnosis, { startedAt, durationMs: performance.now() - t0 });
}
