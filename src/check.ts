import { performance } from "node:perf_hooks";
import { resolveIceServers, secretsOf, type ResolvedServers, type ServerInputs } from "./config/ice-servers.js";
import { signallingTargets } from "./config/signalling-servers.js";
import type { IceServerTarget } from "./config/types.js";
import { DEFAULT_TIMEOUT_MS } from "./config/defaults.js";
import type { Facts } from "./facts/index.js";
import { gatherThroughServers } from "./probes/gather.js";
import type { Rule } from "./rules/index.js";
import type { OptionNamer } from "./config/option-words.js";
import { buildReport } from "./report/build.js";
import { diagnose, type FailOn } from "./diagnose/index.js";
import type { Report } from "./report/types.js";
import { parseExpectation, type Expectation } from "./config/expectations.js";
import { restCredentialFact } from "./probes/rest-credential.js";
import { probeServersUnlessAborted, unlessAborted } from "./interrupt.js";
import { runConnectPhase, sessionFromRemote, type RemoteTarget } from "./probes/connect/phase.js";
import { classifyNat, type NatServer } from "./probes/nat/index.js";
import type { ServerFact } from "./facts/index.js";
import type { NatFact } from "./facts/nat.js";

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
  /** Also measure how long an idle NAT binding survives (slow by nature). */
  natLifetime?: boolean;
  /** Loopback connections through every path (host, srflx, relay per working TURN URL). Default true. */
  connect?: boolean;
  /** Also connect to a far peer through this signalling endpoint (WHIP or Pipecat). */
  remote?: RemoteTarget;
  /** Bound on ICE + DTLS + data channel of one connection attempt. Default 10 s. */
  connectTimeoutMs?: number;
  failOn?: FailOn;
  /** What must hold, e.g. "relay:tls", "nat:!symmetric", "rtt<150"; each unmet one is an error finding. */
  expect?: readonly (string | Expectation)[];
  /** Aborting ends the run early with a partial report (summary.interrupted); the CLI wires Ctrl-C to it. */
  signal?: AbortSignal;
  rules?: readonly Rule[];
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

async function phase<T>(options: CheckOptions, name: CheckPhase, text: string, work: () => Promise<T>): Promise<T> {
  options.onProgress?.({ phase: name, state: "start", text });
  try {
    return await work();
  } finally {
    options.onProgress?.({ phase: name, state: "done", text });
  }
}

/**
 * Every server that speaks STUN over UDP can serve NAT discovery (TURN servers answer Binding too),
 * including those that did not answer: when none answers, that is the "UDP blocked" verdict.
 */
function natServersFrom(servers: readonly ServerFact[]): NatServer[] {
  return servers
    .filter((s) => s.transport === "udp" && s.remoteAddress)
    .map((s) => ({ url: s.url, address: s.remoteAddress! }));
}

/** The whole check: probes gather facts, rules turn them into findings, the report carries both. */
export async function check(options: CheckOptions = {}): Promise<Report> {
  const startedAt = new Date();
  const t0 = performance.now();
  const { targets, usedDefaults } = resolveTargets(options);
  const expectations = (options.expect ?? []).map((e) => (typeof e === "string" ? parseExpectation(e) : e));
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const probeOptions = { timeoutMs, tlsCa: options.tlsCa };

  const servers = await phase(options, "servers", `probing ${targets.length} ICE server URL${targets.length === 1 ? "" : "s"}`, () =>
    probeServersUnlessAborted(targets, probeOptions, signal),
  );
  servers.forEach((fact, i) => {
    const target = targets[i];
    const rest = target && restCredentialFact(target, startedAt);
    if (rest) fact.restCredential = rest;
  });
  // A browser-like stack only confirms what the raw probe found; through a server the probe already
  // showed broken, werift would just wait out the timeout (it reports a 401 as silence).
  const usable = targets.filter((_, i) => servers[i]?.ok);
  const gatherPromise =
    options.gather === false || usable.length === 0 || signal?.aborted
      ? Promise.resolve({ gathering: [], candidates: [] })
      : phase(options, "gather", "gathering candidates with werift", () =>
          unlessAborted(signal, gatherThroughServers(usable, probeOptions), () => ({ gathering: [], candidates: [] })),
        );
  // NAT discovery uses its own socket, so it runs beside the werift gathering.
  const natServers = natServersFrom(servers);
  const natPromise: Promise<NatFact | undefined> =
    options.nat === false || natServers.length === 0 || signal?.aborted
      ? Promise.resolve(undefined)
      : phase(options, "nat", "classifying the NAT", () =>
          unlessAborted(signal, classifyNat(natServers, { timeoutMs, natLifetime: options.natLifetime }), () => undefined),
        );
  const [gathered, nat] = await Promise.all([gatherPromise, natPromise]);

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
  if (nat) facts.nat = nat;

  const loopback = options.connect !== false;
  if ((loopback || options.remote) && !signal?.aborted) {
    const { connectivity, signallingIceServers } = await phase(options, "connect", options.remote ? "connecting through the signalling URL" : "connecting two peers over each path", () =>
      unlessAborted(
        signal,
        runConnectPhase(targets, servers, { loopback, remote: options.remote, timeoutMs, connectTimeoutMs: options.connectTimeoutMs ?? 10_000, tlsCa: options.tlsCa }),
        () => ({ connectivity: [], signallingIceServers: [] }),
      ),
    );
    facts.connectivity = connectivity;
    const session = sessionFromRemote(connectivity.find((c) => c.mode === "remote"));
    if (session && !facts.session) facts.session = session;

    // The servers the signalling server handed out are what its clients will use: they get the same
    // per-server facts as configured ones, appended so that /servers/<index> keeps its meaning.
    const handedOut = signallingTargets(signallingIceServers, targets);
    if (handedOut.length > 0 && !signal?.aborted) {
      options.onSecrets?.(secretsOf(handedOut));
      const extra = await phase(options, "servers", `probing ${handedOut.length} ICE server URL${handedOut.length === 1 ? "" : "s"} from the signalling server`, () =>
        probeServersUnlessAborted(handedOut, probeOptions, signal),
      );
      extra.forEach((fact, i) => {
        fact.index = servers.length + i;
        const rest = restCredentialFact(handedOut[i] as IceServerTarget, startedAt);
        if (rest) fact.restCredential = rest;
      });
      servers.push(...extra);
    }
  }

  const diagnosis = diagnose(facts, { rules: options.rules, failOn: options.failOn, expectations, interrupted: signal?.aborted === true, optionName: options.optionName });
  return buildReport(facts, diagnosis, { startedAt, durationMs: performance.now() - t0 });
}
