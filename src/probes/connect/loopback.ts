import { performance } from "node:perf_hooks";
import { toRTCIceServers } from "../../config/rtc-ice-servers.js";
import type { IceServerTarget, RTCIceServerLike } from "../../config/types.js";
import type { CandidateFact, CandidateType } from "../../facts/candidates.js";
import type { ConnectivityFact, ConnectivityMode } from "../../facts/connectivity.js";
import { analyseSdp } from "../../sdp/analyse.js";
import { scrubbedErrorText } from "../../secrets/scrub.js";
import { bounded } from "../../webrtc/bounded.js";
import { closePeer, createPeer, type Peer } from "../../webrtc/peer.js";
import { echoDataChannels } from "../../webrtc/echo.js";
import { keepCandidateTypes } from "../../webrtc/sdp-candidates.js";
import { AttemptRecorder, completeAttempt, DATA_CHANNEL_LABEL, pendingConnectivityFact, type AttemptTimeouts } from "./attempt.js";
import { probeError } from "../../facts/probe-error.js";

export interface LoopbackOptions extends AttemptTimeouts {
  /** Bound on each peer's gathering. */
  gatherTimeoutMs: number;
  tlsCa?: string | Buffer;
}

export type LoopbackPath =
  | { mode: "loopback-host" }
  | { mode: "loopback-srflx"; stun: IceServerTarget }
  | { mode: "loopback-relay"; turn: IceServerTarget };

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
  const fact = pendingConnectivityFact(
    path.mode,
    path.mode === "loopback-srflx" ? path.stun.url.raw : path.mode === "loopback-relay" ? path.turn.url.raw : undefined,
  );
  const setup = { iceServers: iceServersFor(path), relayOnly: path.mode === "loopback-relay", tlsCa: options.tlsCa };
  const peers: Peer[] = [];
  try {
    const offerer = await createPeer(setup);
    peers.push(offerer);
    const answerer = await createPeer(setup);
    peers.push(answerer);
    echoDataChannels(answerer.pc);
    const recorder = new AttemptRecorder(offerer.pc);
    const channel = offerer.pc.createDataChannel(DATA_CHANNEL_LABEL);
    offerer.prepareGathering();

    const offer = await offerer.pc.createOffer();
    const offerGathered = await bounded(offerer.pc.setLocalDescription(offer), options.gatherTimeoutMs);
    offerer.gathered();
    const offerSdp = keepCandidateTypes(offerer.pc.localDescription?.sdp ?? offer.sdp, [wanted]);
    fact.localCandidates = candidatesOf(offerSdp);
    if (fact.localCandidates.length === 0) {
      return stalledInGathering(fact, wanted, "the offering peer", offerGathered, options.gatherTimeoutMs);
    }

    await answerer.pc.setRemoteDescription({ type: "offer", sdp: offerSdp });
    answerer.prepareGathering();
    const answer = await answerer.pc.createAnswer();
    const answerGathered = await bounded(answerer.pc.setLocalDescription(answer), options.gatherTimeoutMs);
    answerer.gathered();
    const answerSdp = keepCandidateTypes(answerer.pc.localDescription?.sdp ?? answer.sdp, [wanted]);
    fact.remoteCandidates = candidatesOf(answerSdp);
    if (fact.remoteCandidates.length === 0) {
      return stalledInGathering(fact, wanted, "the answering peer", answerGathered, options.gatherTimeoutMs);
    }
    await offerer.pc.setRemoteDescription({ type: "answer", sdp: answerSdp });
    await completeAttempt(recorder, channel, fact, options);
  } catch (error) {
    fact.error = probeError("internal-error", `werift failed during the ${path.mode} attempt: ${scrubbedErrorText(error, path.mode === "loopback-relay" ? [path.turn.credential] : [])}`);
  } finally {
    await Promise.all(peers.map((p) => closePeer(p.pc)));
    fact.durationMs = Math.round(performance.now() - started);
  }
  return fact;
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
