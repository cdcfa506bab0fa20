import { performance } from "node:perf_hooks";
import type { RTCIceServerLike } from "../../config/types.js";
import type { NetworkChangeFact, RestartFact } from "../../facts/restart.js";
import type { HttpContext } from "../../signalling/http.js";
import type { Negotiated } from "../../signalling/negotiate.js";
import { pipecatRestart, withNewIceCredentials, whipRestart, type RestartReply } from "../../signalling/restart.js";
import { sdpFragment } from "../../signalling/whip.js";
import { bounded, within } from "../../webrtc/bounded.js";
import { consentCounters, iceCredentialsOf, resumeRestartedIce } from "../../webrtc/ice-restart.js";
import { createPeer, type DataChannel, type Peer, type PeerConnection } from "../../webrtc/peer.js";
import { capCandidates } from "../../webrtc/sdp-candidates.js";
import { readPairStats } from "../../webrtc/pair-stats.js";
import { AttemptRecorder, DATA_CHANNEL_LABEL, measureEcho } from "./attempt.js";
import { scrubbedErrorText } from "../../secrets/scrub.js";

/** A change of the client's network under the live call, made by the caller (the NAT lab). */
export interface NetworkChange {
  /** What it changes, in words, for the fact. */
  what: string;
  apply(): Promise<void>;
  /**
   * Which signs end the watch and start the restart (default: all, the first wins). Only
   * ["consent", "ice-failed"] is a client that relies on RFC 7675 alone, as werift does.
   */
  deadOn?: readonly ("consent" | "echo" | "ice-failed")[];
}

export interface RestartOptions {
  ctx: HttpContext;
  negotiated: Negotiated;
  /** Where the offer went (Pipecat: the restart offer goes there too). */
  offerUrl: string;
  /** The answer werift was given (capped), whose media sections a WHIP restart keeps. */
  answerSdp: string;
  peer: Peer;
  channel: DataChannel;
  iceServers: readonly RTCIceServerLike[];
  tlsCa?: string | Buffer;
  gatherTimeoutMs: number;
  /** Bound on the reconnection, as on the first connection. */
  connectTimeoutMs: number;
  networkChange?: NetworkChange;
  /** The far end echoed on the data channel before (rtc-doctor serve does; a real bot need not): lost echoes then mean a dead path. */
  farEndEchoes: boolean;
  /** Bound on watching a changed network for the path to die (werift fails it after 30 s without consent). */
  watchMs?: number;
}

export interface RestartOutcome {
  fact: RestartFact;
  /** A new local peer the restart made (Pipecat): the caller closes it with the first. */
  extraPeer?: Peer;
}

/** Echoes after the restart: enough to see the data path carries, few enough to stay quick. */
const ECHOES_AFTER = 3;
export const DEFAULT_WATCH_MS = 40_000;
const POLL_MS = 100;

/**
 * After the remote attempt connected: optionally change the network and watch the path until it is
 * seen dead, then ask the far end for an ICE restart through the signalling and time the
 * reconnection. Never throws; everything is recorded in the fact.
 */
export async function restartRemote(options: RestartOptions): Promise<RestartOutcome> {
  let networkChange: NetworkChangeFact | undefined;
  if (options.networkChange) {
    networkChange = await watchNetworkChange(options.peer.pc, options.farEndEchoes ? options.channel : undefined, options.networkChange, options.watchMs ?? DEFAULT_WATCH_MS);
  }
  const outcome = options.negotiated.pipecat ? await restartPipecat(options) : await restartWhip(options);
  if (networkChange) outcome.fact.networkChange = networkChange;
  return outcome;
}

function refused(requestedBy: RestartFact["requestedBy"], reply: Extract<RestartReply, { accepted: false }>, boundMs: number): RestartFact {
  return { requestedBy, ...(reply.status !== undefined ? { status: reply.status } : {}), accepted: false, reconnected: false, boundMs, refusal: reply.refusal };
}

async function restartWhip(options: RestartOptions): Promise<RestartOutcome> {
  const { pc } = options.peer;
  const session = options.negotiated.whip;
  const boundMs = options.connectTimeoutMs;
  if (!session?.sessionUrl) {
    return { fact: { requestedBy: "none", accepted: false, reconnected: false, boundMs, refusal: { code: "no-session-url", detail: "the WHIP answer had no Location, so there is no session URL to PATCH" } } };
  }
  const started = performance.now();
  const waiter = iceReconnected(pc);
  try {
    pc.restartIce();
    const offer = await within(pc.createOffer(), boundMs, "createOffer (ICE restart)");
    await bounded(pc.setLocalDescription(offer), options.gatherTimeoutMs);
    const local = pc.localDescription?.sdp ?? offer.sdp;
    const creds = iceCredentialsOf(local);
    const mid = /^a=mid:(\S+)/m.exec(local)?.[1] ?? "0";
    const candidates = local.split(/\r?\n/).filter((l) => l.startsWith("a=candidate:")).map((l) => l.slice(2));
    const reply = await whipRestart(options.ctx, session, sdpFragment(creds?.ufrag ?? "", creds?.pwd ?? "", mid, candidates, true));
    if (!reply.accepted) return { fact: refused("whip-patch", reply, boundMs) };
    if (reply.etag) session.etag = reply.etag;
    const before = iceCredentialsOf(options.answerSdp);
    const answer = capCandidates(withNewIceCredentials(options.answerSdp, reply.ufrag, reply.pwd, reply.candidates, reply.end)).sdp;
    await within(pc.setRemoteDescription({ type: "answer", sdp: answer }), boundMs, "applying the restart's answer (setRemoteDescription)");
    resumeRestartedIce(pc);
    const reconnectedAt = await waiter.wait(Math.max(1, boundMs - (performance.now() - started)));
    const fact: RestartFact = {
      requestedBy: "whip-patch",
      status: reply.status,
      accepted: true,
      reconnected: reconnectedAt !== undefined,
      boundMs,
      newRemoteUfrag: before?.ufrag !== reply.ufrag,
    };
    if (reconnectedAt !== undefined) {
      fact.timeToReconnectMs = Math.round(reconnectedAt - started);
      if (options.farEndEchoes) fact.echo = await echoAfter(options.channel, boundMs);
      const selected = (await readPairStats(pc)).selected;
      if (selected) fact.selectedPair = selected;
    }
    return { fact };
  } catch (error) {
    return { fact: { requestedBy: "whip-patch", accepted: false, reconnected: false, boundMs, refusal: { code: "local-error", detail: `the restart stopped in rtc-doctor's own peer: ${scrubbedErrorText(error, secretsOf(options))}` } } };
  } finally {
    waiter.dispose();
  }
}

/**
 * Pipecat's restart_pc makes the server close its peer and answer with a new one (new DTLS
 * certificate): werift cannot move its DTLS session to another far peer, so a new local peer
 * offers, as a client that reconnects from scratch would, and its data channel must open.
 */
async function restartPipecat(options: RestartOptions): Promise<RestartOutcome> {
  const pipecat = options.negotiated.pipecat;
  const boundMs = options.connectTimeoutMs;
  if (!pipecat) return { fact: { requestedBy: "none", accepted: false, reconnected: false, boundMs, refusal: { code: "local-error", detail: "no Pipecat session to restart" } } };
  const started = performance.now();
  let peer: Peer | undefined;
  try {
    peer = await createPeer({ iceServers: options.iceServers, tlsCa: options.tlsCa });
    const { pc } = peer;
    const recorder = new AttemptRecorder(pc);
    pc.addTransceiver("audio", { direction: "sendrecv" });
    const channel = pc.createDataChannel(DATA_CHANNEL_LABEL);
    peer.prepareGathering();
    const offer = await within(pc.createOffer(), boundMs, "createOffer (restart)");
    await bounded(pc.setLocalDescription(offer), options.gatherTimeoutMs);
    const tuned = peer;
    tuned.gathered();
    const reply = await pipecatRestart(options.ctx, options.offerUrl, pipecat.pcId, pc.localDescription?.sdp ?? offer.sdp);
    if (!reply.accepted) return { fact: refused("pipecat-restart-pc", reply, boundMs), extraPeer: peer };
    const before = iceCredentialsOf(options.answerSdp);
    const answerSdp = reply.answerSdp ?? "";
    await within(pc.setRemoteDescription({ type: "answer", sdp: capCandidates(answerSdp).sdp }), boundMs, "applying the restart's answer (setRemoteDescription)");
    const left = () => Math.max(1, boundMs - (performance.now() - started));
    const connected = await recorder.waitIceConnected(left());
    const open = connected && (await recorder.waitOpen(channel, left()));
    const fact: RestartFact = {
      requestedBy: "pipecat-restart-pc",
      status: reply.status,
      accepted: true,
      reconnected: open,
      boundMs,
      newPeer: fingerprintOf(answerSdp) !== fingerprintOf(options.answerSdp),
      newRemoteUfrag: before?.ufrag !== reply.ufrag,
      ...(reply.pcId !== undefined && reply.pcId !== pipecat.pcId ? { newSession: true } : {}),
    };
    if (open) {
      fact.timeToReconnectMs = Math.round((recorder.dataChannelAtMs ?? recorder.elapsed()) + (recorder.startedAt - started));
      if (options.farEndEchoes) fact.echo = await echoAfter(channel, boundMs);
      const selected = (await readPairStats(pc)).selected;
      if (selected) fact.selectedPair = selected;
    }
    return { fact, extraPeer: peer };
  } catch (error) {
    return {
      fact: { requestedBy: "pipecat-restart-pc", accepted: false, reconnected: false, boundMs, refusal: { code: "local-error", detail: `the restart stopped in rtc-doctor's own peer: ${scrubbedErrorText(error, secretsOf(options))}` } },
      ...(peer ? { extraPeer: peer } : {}),
    };
  }
}

/** Library errors may quote what they were given: the token and ICE server credentials stay out. */
function secretsOf(options: RestartOptions): (string | undefined)[] {
  return [options.ctx.token, ...Object.values(options.ctx.headers), ...options.iceServers.map((s) => s.credential)];
}

function fingerprintOf(sdp: string): string | undefined {
  return /^a=fingerprint:(.+)$/m.exec(sdp)?.[1]?.trim().toLowerCase();
}

async function echoAfter(channel: DataChannel, boundMs: number): Promise<{ sent: number; received: number }> {
  // After an outage SCTP's retransmission timer may have backed off to seconds: the echoes get the whole bound.
  const { sent, rtts } = await measureEcho(channel, ECHOES_AFTER, Math.max(2000, boundMs));
  return { sent, received: rtts.length };
}

/** Resolves with the time ICE reports connected again (after the restart started), or undefined at the bound. */
function iceReconnected(pc: PeerConnection): { wait(ms: number): Promise<number | undefined>; dispose(): void } {
  let restarted = false;
  let at: number | undefined;
  let wake: (() => void) | undefined;
  const sub = pc.iceConnectionStateChange.subscribe((state) => {
    // The restart first takes ICE back to "new"; a "connected" before that is the old session's.
    if (state === "new" || state === "checking") restarted = true;
    if (state === "connected" && restarted && at === undefined) {
      at = performance.now();
      wake?.();
    }
  });
  return {
    async wait(ms) {
      if (at === undefined) await bounded(new Promise<void>((resolve) => (wake = resolve)), ms);
      return at;
    },
    dispose: () => sub.unSubscribe(),
  };
}

/**
 * Changes the network under the live call and watches until the path is seen dead: a consent
 * check that gets no answer, an echo that does not come back, or werift failing the pair.
 */
export async function watchNetworkChange(pc: PeerConnection, channel: DataChannel | undefined, change: NetworkChange, watchMs: number): Promise<NetworkChangeFact> {
  const fact: NetworkChangeFact = { what: change.what, seenDead: false, watchedMs: 0 };
  await change.apply();
  const changedAt = performance.now();
  const since = () => Math.round(performance.now() - changedAt);
  const iceSub = pc.iceConnectionStateChange.subscribe((state) => {
    if ((state === "failed" || state === "disconnected") && fact.iceFailedAfterMs === undefined) fact.iceFailedAfterMs = since();
  });
  const baseline = consentCounters(pc);
  // Consent requests sent since the change, with when each went out.
  const sentAt: number[] = [];
  let seq = 0;
  const echoes = new Map<string, number>();
  const echoSub = channel?.onMessage.subscribe((data) => echoes.delete(data.toString()));
  let lastEcho = -Infinity;
  try {
    while (since() < watchMs) {
      const now = since();
      const counters = consentCounters(pc);
      if (baseline && counters && counters.pair === baseline.pair) {
        while (sentAt.length < counters.sent - baseline.sent) sentAt.push(now);
        // werift waits at most ~1 s for a consent response (2 x RTT + 200 ms, at least 500 ms).
        const answered = counters.answered - baseline.answered;
        const overdue = sentAt.findIndex((t, i) => i >= answered && now - t > 1500);
        if (overdue >= 0 && fact.consentUnansweredAfterMs === undefined) fact.consentUnansweredAfterMs = now;
      }
      if (channel && now - lastEcho >= 250 && channel.readyState === "open") {
        const text = `rtc-doctor-echo watch-${(seq += 1)}`;
        echoes.set(text, now);
        channel.send(text);
        lastEcho = now;
      }
      for (const sent of echoes.values()) {
        if (now - sent > 2000 && fact.echoLostAfterMs === undefined) fact.echoLostAfterMs = now;
      }
      const deadOn = change.deadOn ?? ["consent", "echo", "ice-failed"];
      const signs = [
        deadOn.includes("consent") ? fact.consentUnansweredAfterMs : undefined,
        deadOn.includes("echo") ? fact.echoLostAfterMs : undefined,
        deadOn.includes("ice-failed") ? fact.iceFailedAfterMs : undefined,
      ].filter((v): v is number => v !== undefined);
      if (signs.length > 0) {
        fact.seenDead = true;
        fact.seenDeadAfterMs = Math.min(...signs);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    iceSub.unSubscribe();
    echoSub?.unSubscribe();
  }
  fact.watchedMs = since();
  return fact;
}
