import { performance } from "node:perf_hooks";
import { toRTCIceServers } from "../../config/rtc-ice-servers.js";
import type { RTCIceServerLike } from "../../config/types.js";
import type { CandidateFact, CandidateType, GatheringFact } from "../../facts/candidates.js";
import type { ConnectivityFact, ConnectivityMode } from "../../facts/connectivity.js";
import { analyseSdp } from "../../sdp/analyse.js";
import { scrubbedErrorText } from "../../secrets/scrub.js";
import { bounded, StalledCallError, within } from "../../webrtc/bounded.js";
import { closePeer, createPeer, type Peer } from "../../webrtc/peer.js";
import { echoDataChannels } from "../../webrtc/echo.js";
import { keepCandidateTypes } from "../../webrtc/sdp-candidates.js";
import { AttemptRecorder, completeAttempt, DATA_CHANNEL_LABEL, pendingConnectivityFact, type AttemptTimeouts } from "./attempt.js";
import { probeError } from "../../facts/probe-error.js";
import { relayTransportOf } from "../../webrtc/turn-allocations.js";
import { candidateFromLine } from "../../webrtc/candidate-line.js";
import { completeGathering, pendingGatheringFact } from "../gather.js";
import { serverOfPath } from "./server-paths.js";
import type { LoopbackPath } from "./types.js";

export interface LoopbackOptions extends AttemptTimeouts {
  /** Bound on each peer's gathering. */
  gatherTimeoutMs: number;
  tlsCa?: string | Buffer;
  /**
   * The offering peer's gathering through the path's server, as the gather phase would record it
   * (it is the same gathering): reported once per srflx or relay attempt, also when it failed.
   */
  onServerGathering?(result: { fact: GatheringFact; candidates: CandidateFact[] }): void;
}

export type { LoopbackPath } from "./types.js";

const WANTED: Record<Exclude<ConnectivityMode, "remote">, CandidateType> = {
  "loopback-host": "host",
  "loopback-srflx": "srflx",
  "loopback-relay": "relay",
};

function iceServersFor(path: LoopbackPath): RTCIceServerLike[] {
  if (path.mode === "loopback-srflx") return toRTCIceServers([path.stun]);
  if (path.mode === "loopback-relay") return toRTCIceServers([path.turn]);
  return [];
}

function candidatesOf(sdp: string): CandidateFact[] {
  try {
    return analyseSdp(sdp).candidates;
  } catch {
    return [];
  }
}

/**
 * Two werift peers in this process connect over one path (host, server-reflexive, or relay through
 * one TURN URL): each learns only the other's candidates of that type, so success proves the path.
 * Credentials go into the peers and nowhere else.
 */
export async function connectLoopback(path: LoopbackPath, options: LoopbackOptions): Promise<ConnectivityFact> {
  const started = performance.now();
  const wanted = WANTED[path.mode];
  const server = serverOfPath(path);
  const fact: ConnectivityFact = { ...pendingConnectivityFact(path.mode, server?.url.raw), ...(server ? { serverId: server.id } : {}) };
  const setup = { iceServers: iceServersFor(path), relayOnly: path.mode === "loopback-relay", tlsCa: options.tlsCa };
  const peers: Peer[] = [];
  const gathering = serverGathering(path, options, started);
  try {
    const offerer = await createPeer(setup);
    peers.push(offerer);
    const answerer = await createPeer(setup);
    peers.push(answerer);
    echoDataChannels(answerer.pc);
    const recorder = new AttemptRecorder(offerer.pc);
    const channel = offerer.pc.createDataChannel(DATA_CHANNEL_LABEL);
    offerer.prepareGathering();

    const gathered: CandidateFact[] = [];
    offerer.pc.onicecandidate = ({ candidate }) => {
      const parsed = candidate?.candidate ? candidateFromLine(candidate.candidate) : undefined;
      if (parsed && !gathering.reported) gathered.push(parsed);
    };
    const offer = await within(offerer.pc.createOffer(), options.connectTimeoutMs, "createOffer");
    const offerGathered = await bounded(offerer.pc.setLocalDescription(offer), options.gatherTimeoutMs);
    offerer.gathered();
    gathering.report({ timedOut: !offerGathered, candidates: gathered, relayProtocol: relayTransportOf(offerer.pc) });
    const offerSdp = keepCandidateTypes(offerer.pc.localDescription?.sdp ?? offer.sdp, [wanted]);
    fact.localCandidates = candidatesOf(offerSdp);
    if (fact.localCandidates.length === 0) {
      return stalledInGathering(fact, wanted, "the offering peer", offerGathered, options.gatherTimeoutMs);
    }

    await within(answerer.pc.setRemoteDescription({ type: "offer", sdp: offerSdp }), options.connectTimeoutMs, "setRemoteDescription (offer)");
    answerer.prepareGathering();
    const answer = await within(answerer.pc.createAnswer(), options.connectTimeoutMs, "createAnswer");
    const answerGathered = await bounded(answerer.pc.setLocalDescription(answer), options.gatherTimeoutMs);
    answerer.gathered();
    const answerSdp = keepCandidateTypes(answerer.pc.localDescription?.sdp ?? answer.sdp, [wanted]);
    fact.remoteCandidates = candidatesOf(answerSdp);
    if (fact.remoteCandidates.length === 0) {
      return stalledInGathering(fact, wanted, "the answering peer", answerGathered, options.gatherTimeoutMs);
    }
    await within(offerer.pc.setRemoteDescription({ type: "answer", sdp: answerSdp }), options.connectTimeoutMs, "setRemoteDescription (answer)");
    await completeAttempt(recorder, channel, fact, options);
  } catch (error) {
    fact.error = probeError(error instanceof StalledCallError ? "timeout" : "internal-error", `werift failed during the ${path.mode} attempt: ${scrubbedErrorText(error, path.mode === "loopback-relay" ? [path.turn.credential] : [])}`);
    gathering.report({ timedOut: false, candidates: [], error: fact.error });
  } finally {
    await Promise.all(peers.map((p) => closePeer(p.pc)));
    fact.durationMs = Math.round(performance.now() - started);
  }
  return fact;
}

/** Hands the offering peer's gathering to `onServerGathering` once, for paths through a server. */
function serverGathering(path: LoopbackPath, options: LoopbackOptions, started: number) {
  const target = serverOfPath(path);
  const state = {
    reported: false,
    report(outcome: { timedOut: boolean; candidates: CandidateFact[]; relayProtocol?: "udp" | "tcp" | "tls"; error?: GatheringFact["error"] }) {
      if (state.reported || !target || !options.onServerGathering) return;
      state.reported = true;
      const fact = { ...pendingGatheringFact(target), durationMs: Math.round(performance.now() - started), timedOut: outcome.timedOut, ...(outcome.error ? { error: outcome.error } : {}) };
      options.onServerGathering(completeGathering(target, fact, outcome.candidates, outcome.relayProtocol ?? target.url.transport, options.gatherTimeoutMs));
    },
  };
  return state;
}

function stalledInGathering(
  fact: ConnectivityFact,
  wanted: CandidateType,
  who: string,
  finished: boolean,
  gatherTimeoutMs: number,
): ConnectivityFact {
  fact.stalledIn = "gathering";
  fact.error = probeError(finished ? "no-candidate" : "timeout", finished
      ? `${who} gathered no ${wanted} candidate, so this path cannot be tried`
      : `${who} gathered no ${wanted} candidate within ${gatherTimeoutMs} ms`);
  return fact;
}
