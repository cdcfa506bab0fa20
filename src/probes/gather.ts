import { performance } from "node:perf_hooks";
import { toRTCIceServers } from "../config/rtc-ice-servers.js";
import type { IceServerTarget } from "../config/types.js";
import type { CandidateFact, GatheringFact } from "../facts/candidates.js";
import { mergeGathering, type GatherOutcome, type GatherResult } from "../facts/merge-gathering.js";
import type { ProbeError } from "../facts/common.js";
import { scrubbedErrorText } from "../secrets/scrub.js";
import { bounded, StalledCallError, within } from "../webrtc/bounded.js";
import { candidateFromLine } from "../webrtc/candidate-line.js";
import { closePeer, createPeer, type PeerConnection } from "../webrtc/peer.js";
import { relayTransportOf } from "../webrtc/turn-allocations.js";
import { probeError } from "../facts/probe-error.js";

export interface GatherOptions {
  /** Bound on each peer's gathering (werift's own STUN wait is 5 s and TURN has none). */
  timeoutMs: number;
  /** Extra trust anchor (PEM) for turns: certificates; without it werift trusts only the system store, like a browser. */
  tlsCa?: string | Buffer;
}

export type { GatherOutcome, GatherResult } from "../facts/merge-gathering.js";

/**
 * Gathers through each ICE server URL with its own werift peer connection, as a browser-like stack
 * would. One peer per URL because werift uses only the first STUN and the first TURN URL it is given.
 */
export async function gatherThroughServers(targets: readonly IceServerTarget[], options: GatherOptions): Promise<GatherResult> {
  return mergeGathering(await Promise.all(targets.map((target) => gatherThroughServer(target, options))));
}

export async function gatherThroughServer(
  target: IceServerTarget,
  options: GatherOptions,
): Promise<GatherOutcome> {
  const { url } = target;
  const fact = pendingGatheringFact(target);
  const skip = unsupportedReason(target);
  if (skip) return { fact: { ...fact, error: probeError("not-testable", skip) }, candidates: [] };

  const started = performance.now();
  const candidates: CandidateFact[] = [];
  let collecting = true;
  let relayProtocol = url.transport;
  let pc: PeerConnection | undefined;
  try {
    // relayOnly: with TURN credentials werift then skips host and STUN gathering, so the relay
    // candidates it reports can only have come through this URL.
    const peer = await createPeer({ iceServers: toRTCIceServers([target]), relayOnly: url.isTurn, tlsCa: options.tlsCa });
    pc = peer.pc;
    pc.onicecandidate = ({ candidate }) => {
      const parsed = candidate?.candidate ? candidateFromLine(candidate.candidate) : undefined;
      if (parsed && collecting) candidates.push(parsed);
    };
    pc.createDataChannel("rtc-doctor");
    peer.prepareGathering();
    const offer = await within(pc.createOffer(), options.timeoutMs, "createOffer");
    // setLocalDescription resolves only once gathering has finished.
    const finished = await bounded(pc.setLocalDescription(offer), options.timeoutMs);
    peer.gathered();
    fact.timedOut = !finished;
    fact.durationMs = Math.round(performance.now() - started);
    if (url.isTurn) relayProtocol = relayTransportOf(pc) ?? relayProtocol;
  } catch (error) {
    fact.error = probeError(error instanceof StalledCallError ? "timeout" : "internal-error", `werift failed while gathering through ${url.raw}: ${scrubbedErrorText(error, [target.credential])}`);
  } finally {
    collecting = false;
    if (pc) await closePeer(pc, Math.min(options.timeoutMs, 1000));
  }
  fact.durationMs ||= Math.round(performance.now() - started);
  return completeGathering(target, fact, candidates, relayProtocol, options.timeoutMs);
}

/**
 * One peer's gathering through `target` as the report shows it: the candidates named after the
 * server that produced them, the counts, and whether the URL did what it should (srflx for STUN,
 * relay for TURN). Shared by the gather phase and the loopback attempts' offering peers, whose
 * gathering is the same (one URL, relay-only for TURN), so a URL is gathered through once.
 */
export function completeGathering(
  target: IceServerTarget,
  fact: GatheringFact,
  candidates: CandidateFact[],
  relayProtocol: "udp" | "tcp" | "tls",
  timeoutMs: number,
): GatherOutcome {
  const { url } = target;
  for (const c of candidates) {
    if (c.type === "host") continue;
    c.url = url.raw;
    c.serverId = target.id;
    if (c.type === "relay") c.relayProtocol = relayProtocol;
  }
  fact.srflx = candidates.filter((c) => c.type === "srflx").length;
  fact.relay = candidates.filter((c) => c.type === "relay").length;
  fact.ok = url.isTurn ? fact.relay > 0 : fact.srflx > 0;
  if (fact.timedOut && !fact.error) fact.error = timeoutError(url.raw, timeoutMs);
  return { fact, candidates };
}

/** The fact before a peer gathered anything. */
export function pendingGatheringFact(target: IceServerTarget): GatheringFact {
  return { serverId: target.id, url: target.url.raw, ok: false, durationMs: 0, srflx: 0, relay: 0, timedOut: false };
}

/** URLs werift would probe over another transport than the URL names: testing them would mislead. */
function unsupportedReason(target: IceServerTarget): string | undefined {
  const { url } = target;
  if (url.scheme === "stuns") {
    return "not gathered with werift: it treats stuns: as plain STUN over UDP, so its result would not reflect TLS; the server probe tests this URL over TLS";
  }
  if (url.scheme === "stun" && url.transport === "tcp") {
    return "not gathered with werift: it sends STUN over UDP only; the server probe tests this URL over TCP";
  }
  return undefined;
}

function timeoutError(url: string, timeoutMs: number): ProbeError {
  return probeError("timeout", `werift did not finish gathering through ${url} within ${timeoutMs} ms`);
}
