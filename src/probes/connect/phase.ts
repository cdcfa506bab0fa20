import { toRTCIceServers } from "../../config/rtc-ice-servers.js";
import type { IceServerTarget, RTCIceServerLike } from "../../config/types.js";
import type { ConnectivityFact } from "../../facts/connectivity.js";
import type { NatFact } from "../../facts/nat.js";
import type { ServerFact } from "../../facts/servers.js";
import pLimit from "p-limit";
import { connectLoopbackPaths } from "./loopback-paths.js";
import { clientRelayTarget, serverPaths, workingTargets } from "./server-paths.js";
import { connectLoopback, type LoopbackOptions } from "./loopback.js";
import { pendingConnectivityFact } from "./attempt.js";
import { connectRemote } from "./remote.js";
import type { LoopbackQuality, RemoteTarget } from "./types.js";

export type { RemoteTarget } from "./types.js";

export interface ConnectPhaseOptions {
  /** Loopback attempts through every server path (srflx, relay per TURN URL). */
  loopback: boolean;
  remote?: RemoteTarget;
  /** Bound on each probe step (gathering; each HTTP request unless signalTimeoutMs is given). */
  timeoutMs: number;
  /** Bound on ICE + DTLS + data channel of one attempt (werift never reports "failed"). */
  connectTimeoutMs: number;
  /** Bound on each request to the signalling URL (default: timeoutMs). */
  signalTimeoutMs?: number;
  tlsCa?: string | Buffer;
  /** At most this many attempts at once, loopback and remote together. */
  parallelism: number;
  /** Wall time of each connected path's quality flood (0 skips it). */
  qualityDurationMs?: number;
  /** Whether the host/srflx loopbacks are flooded without a relay or remote path to compare (see PhaseSettings). */
  loopbackQuality?: LoopbackQuality;
  /** Each srflx/relay attempt's offering peer gathered through its server (see LoopbackOptions). */
  onServerGathering?: LoopbackOptions["onServerGathering"];
  /** Each attempt as it finishes, so an interrupted run still reports the ones that did. */
  onAttempt?(fact: ConnectivityFact): void;
}

export const ECHO_COUNT = 5;

/**
 * The ICE servers a browser-like client here would use: the first STUN URL over UDP and the first
 * TURN URL that worked (werift uses only one of each).
 */
export function clientIceServers(targets: readonly IceServerTarget[], servers: readonly ServerFact[]): RTCIceServerLike[] {
  const working = workingTargets(targets, servers);
  const stun = working.find((t) => t.url.scheme === "stun" && t.url.transport === "udp");
  const turn = clientRelayTarget(targets, servers);
  return toRTCIceServers([...(stun ? [stun] : []), ...(turn ? [turn] : [])]);
}

export interface ConnectPhaseResult {
  connectivity: ConnectivityFact[];
  /** ICE servers the signalling server handed out, with their credentials: for the per-server probes only. */
  signallingIceServers: RTCIceServerLike[];
}

function attemptOptions(options: Pick<ConnectPhaseOptions, "connectTimeoutMs" | "timeoutMs" | "tlsCa" | "qualityDurationMs">) {
  return { connectTimeoutMs: options.connectTimeoutMs, echoCount: ECHO_COUNT, gatherTimeoutMs: options.timeoutMs, tlsCa: options.tlsCa, qualityDurationMs: options.qualityDurationMs ?? 0 };
}

/**
 * Whether the host/srflx loopbacks get a quality flood: always when asked, else only when this run
 * tries a path that leaves the machine (a relay through a TURN URL, or the remote peer), whose
 * quality they are the reference for.
 */
export function floodsLoopbacks(options: Pick<ConnectPhaseOptions, "loopbackQuality" | "remote">, targets: readonly IceServerTarget[]): boolean {
  return options.loopbackQuality === "always" || options.remote !== undefined || targets.some((t) => t.url.isTurn);
}

/** Two local peers over host candidates only: needs no server, so it runs while the servers are probed. */
export async function connectHost(
  options: Pick<ConnectPhaseOptions, "connectTimeoutMs" | "timeoutMs" | "qualityDurationMs" | "loopbackQuality" | "remote">,
  targets: readonly IceServerTarget[] = [],
): Promise<ConnectivityFact> {
  return connectLoopback({ mode: "loopback-host" }, attemptOptions({ ...options, qualityDurationMs: floodsLoopbacks(options, targets) ? options.qualityDurationMs : 0 }));
}

/** Loopback attempts through each working TURN server, and the remote peer, side by side within the bound. */
export async function runConnectPhase(
  targets: readonly IceServerTarget[],
  servers: readonly ServerFact[],
  options: ConnectPhaseOptions,
): Promise<ConnectPhaseResult> {
  const attempt = attemptOptions(options);
  const limit = pLimit(Math.max(1, options.parallelism));
  const signallingIceServers: RTCIceServerLike[] = [];
  const remote = options.remote;
  const pathOptions = { ...attempt, onServerGathering: options.onServerGathering };
  const [loopback, remoteFact] = await Promise.all([
    options.loopback
      ? connectLoopbackPaths(relayPaths(targets, servers), () => pathOptions, limit, options.onAttempt)
      : Promise.resolve([]),
    remote
      ? limit(() =>
          connectRemote({
            ...attempt,
            url: remote.url,
            protocol: remote.protocol,
            token: remote.token,
            headers: remote.headers,
            trickle: remote.trickle ?? false,
            restart: remote.restart ?? false,
            audio: remote.audio ?? true,
            httpTimeoutMs: options.signalTimeoutMs ?? options.timeoutMs,
            iceServers: clientIceServers(targets, servers),
            onServerIceServers: (list) => signallingIceServers.push(...list),
          }).then((fact) => (options.onAttempt?.(fact), fact)),
        )
      : Promise.resolve(undefined),
  ]);
  const facts = remoteFact ? [...loopback, remoteFact] : loopback;
  return { connectivity: facts, signallingIceServers };
}

/** The relay paths: the srflx one has a phase of its own (connectSrflx), after NAT discovery. */
function relayPaths(targets: readonly IceServerTarget[], servers: readonly ServerFact[]) {
  return serverPaths(targets, servers).filter((p) => p.mode === "loopback-relay");
}

/**
 * The srflx loopback: two peers here, each given only the other's server-reflexive candidate, which
 * is this NAT's public address. Each peer sends to its own NAT's public address, so the attempt can
 * only connect where the NAT hairpins; when NAT discovery's hairpinning test already failed it is
 * not made (it would wait out the whole connect timeout: ten seconds behind most home routers). The
 * gather phase reports the gathering through its STUN server. Undefined without a STUN URL over UDP
 * that answered.
 */
export async function connectSrflx(
  targets: readonly IceServerTarget[],
  servers: readonly ServerFact[],
  nat: NatFact | undefined,
  options: Pick<ConnectPhaseOptions, "connectTimeoutMs" | "timeoutMs" | "tlsCa" | "qualityDurationMs" | "loopbackQuality" | "remote">,
): Promise<ConnectivityFact | undefined> {
  const path = serverPaths(targets, servers).find((p) => p.mode === "loopback-srflx");
  if (!path || path.mode !== "loopback-srflx") return undefined;
  if (nat?.hairpinning === false) return { ...pendingConnectivityFact("loopback-srflx", path.stun.url.raw), serverId: path.stun.id, notAttempted: "no-hairpinning" };
  return connectLoopback(path, attemptOptions({ ...options, qualityDurationMs: floodsLoopbacks(options, targets) ? options.qualityDurationMs : 0 }));
}
