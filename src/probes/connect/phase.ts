import { toRTCIceServers } from "../../config/rtc-ice-servers.js";
import type { IceServerTarget, RTCIceServerLike } from "../../config/types.js";
import type { ConnectivityFact } from "../../facts/connectivity.js";
import type { ServerFact } from "../../facts/servers.js";
import type { SessionFact } from "../../facts/session.js";
import type { SignalProtocol } from "../../signalling/types.js";
import { connectLoopbackPaths, loopbackPaths } from "./loopback-paths.js";
import { connectRemote } from "./remote.js";

/** `check --signal URL ...`: the far peer to connect to through the user's own signalling. */
export interface RemoteTarget {
  url: string;
  protocol: SignalProtocol;
  token?: string;
  headers?: Record<string, string>;
  trickle?: boolean;
}

export interface ConnectPhaseOptions {
  /** Loopback attempts through every path. */
  loopback: boolean;
  remote?: RemoteTarget;
  /** Bound on each probe step (gathering, each HTTP request). */
  timeoutMs: number;
  /** Bound on ICE + DTLS + data channel of one attempt (werift never reports "failed"). */
  connectTimeoutMs: number;
  tlsCa?: string | Buffer;
}

export const ECHO_COUNT = 5;

/**
 * The ICE servers a browser-like client here would use: the first STUN URL over UDP and the first
 * TURN URL that worked (werift uses only one of each).
 */
export function clientIceServers(targets: readonly IceServerTarget[], servers: readonly ServerFact[]): RTCIceServerLike[] {
  const working = targets.filter((_, i) => servers[i]?.ok === true);
  const stun = working.find((t) => t.url.scheme === "stun" && t.url.transport === "udp");
  const turn = working.find((t) => t.url.isTurn);
  return toRTCIceServers([...(stun ? [stun] : []), ...(turn ? [turn] : [])]);
}

export interface ConnectPhaseResult {
  connectivity: ConnectivityFact[];
  /** ICE servers the signalling server handed out, with their credentials: for the per-server probes only. */
  signallingIceServers: RTCIceServerLike[];
}

export async function runConnectPhase(
  targets: readonly IceServerTarget[],
  servers: readonly ServerFact[],
  options: ConnectPhaseOptions,
): Promise<ConnectPhaseResult> {
  const attempt = { connectTimeoutMs: options.connectTimeoutMs, echoCount: ECHO_COUNT, gatherTimeoutMs: options.timeoutMs, tlsCa: options.tlsCa };
  const facts = options.loopback ? await connectLoopbackPaths(loopbackPaths(targets, servers), attempt) : [];
  const signallingIceServers: RTCIceServerLike[] = [];
  if (options.remote) {
    facts.push(
      await connectRemote({
        ...attempt,
        url: options.remote.url,
        protocol: options.remote.protocol,
        token: options.remote.token,
        headers: options.remote.headers,
        trickle: options.remote.trickle ?? false,
        httpTimeoutMs: options.timeoutMs,
        iceServers: clientIceServers(targets, servers),
        onServerIceServers: (list) => signallingIceServers.push(...list),
      }),
    );
  }
  return { connectivity: facts, signallingIceServers };
}

/** The remote attempt seen as a session, so the SDP and session rules judge it like an explained one. */
export function sessionFromRemote(fact: ConnectivityFact | undefined): SessionFact | undefined {
  const sig = fact?.signalling;
  if (!fact || !sig || !sig.offer) return undefined;
  return {
    source: "connectivity",
    local: sig.offer,
    ...(sig.answer ? { remote: sig.answer } : {}),
    trickled: { local: fact.localCandidates.slice(sig.offerCandidates), remote: [] },
    iceStates: fact.iceStates.map((s) => s.state),
    pairs: fact.pairs,
  };
}
