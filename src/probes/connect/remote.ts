import { performance } from "node:perf_hooks";
import type { RTCIceServerLike } from "../../config/types.js";
import type { ConnectivityFact, SignallingFact } from "../../facts/connectivity.js";
import type { SdpFact } from "../../facts/sdp.js";
import { analyseSdp } from "../../sdp/analyse.js";
import { SignallingError, safeUrl, type HttpContext } from "../../signalling/http.js";
import { sendOffer, type Negotiated } from "../../signalling/negotiate.js";
import { pipecatStart } from "../../signalling/pipecat.js";
import { sdpFragment, whipDelete, whipPreflight, whipTrickle } from "../../signalling/whip.js";
import type { SignalProtocol } from "../../signalling/types.js";
import { bounded, StalledCallError, within } from "../../webrtc/bounded.js";
import { capCandidates } from "../../webrtc/sdp-candidates.js";
import { candidateFromLine } from "../../webrtc/candidate-line.js";
import { closePeer, createPeer, type Peer } from "../../webrtc/peer.js";
import { AttemptRecorder, completeAttempt, DATA_CHANNEL_LABEL, pendingConnectivityFact, type AttemptTimeouts } from "./attempt.js";
import { probeError } from "../../facts/probe-error.js";
import { restartRemote, type NetworkChange } from "./restart.js";
import { scrubbedErrorText } from "../../secrets/scrub.js";
import { MediaWatch } from "./media.js";

export interface RemoteOptions extends AttemptTimeouts {
  url: string;
  protocol: SignalProtocol;
  /** Sent as Authorization: Bearer; never recorded. */
  token?: string;
  /** Extra request headers; values never recorded. */
  headers?: Record<string, string>;
  /** Send the offer at once and the candidates separately, instead of after gathering. */
  trickle: boolean;
  /** Bound on the wait for gathering before the offer goes out (default mode). */
  gatherTimeoutMs: number;
  /** Bound on each HTTP request to the signalling URL. */
  httpTimeoutMs: number;
  /** The local peer's ICE servers (the user's working ones); the server's own are added. */
  iceServers: readonly RTCIceServerLike[];
  /** Extra trust anchor (PEM) for turns: servers and for an https signalling URL. */
  tlsCa?: string | Buffer;
  /**
   * Every ICE server list the signalling server handed out, credentials included, as it arrives
   * (before the offer: WHIP OPTIONS, Pipecat /start; with the answer: WHIP Link headers), so the
   * caller can probe them. Never recorded in the fact beyond their URLs.
   */
  onServerIceServers?(servers: readonly RTCIceServerLike[]): void;
  /** The least time audio is sent once DTLS connects (default MEDIA_MS); it goes on until both directions are shown, within MEDIA_MAX_MS. */
  mediaMs?: number;
  /** Offer audio and exchange it (default true); false: a data channel only, as before audio existed. */
  audio?: boolean;
  /** Once connected, ask the far end for an ICE restart through the signalling and time the reconnection. */
  restart?: boolean;
  /** Before the restart, change the client's network under the live call and watch the path die (the NAT lab). */
  networkChange?: NetworkChange;
  /** Bound on that watch (default 40 s: werift fails a pair after 30 s without consent). */
  restartWatchMs?: number;
}

interface LocalCandidate {
  candidate: string;
  mid: string;
  index: number;
}

/**
 * Connects to a far peer through the user's own signalling endpoint (WHIP or Pipecat SmallWebRTC),
 * as their client would, and records every step: the HTTP exchange, both descriptions, the ICE
 * timeline and pair stats. The session is ended and the peer closed whatever happens.
 */
export async function connectRemote(options: RemoteOptions): Promise<ConnectivityFact> {
  const started = performance.now();
  const ctx: HttpContext = {
    token: options.token,
    headers: options.headers ?? {},
    timeoutMs: options.httpTimeoutMs,
    exchanges: [],
    ...(options.tlsCa ? { tlsCa: options.tlsCa } : {}),
  };
  const signalling: SignallingFact = {
    protocol: options.protocol === "pipecat" ? "pipecat" : "whip",
    trickle: options.trickle,
    gatheringTimedOut: false,
    offerCandidates: 0,
    trickledCandidates: 0,
    exchanges: ctx.exchanges,
    requestTimeoutMs: options.httpTimeoutMs,
    iceServersFromServer: [],
  };
  const fact: ConnectivityFact = { ...pendingConnectivityFact("remote", safeUrl(options.url)), signalling };
  let peer: Peer | undefined;
  let media: MediaWatch | undefined;
  let restartPeer: Peer | undefined;
  let negotiated: Negotiated | undefined;
  let serverIce: RTCIceServerLike[] = [];
  try {
    let offerUrl = options.url;
    let protocol = options.protocol;
    const path = new URL(options.url).pathname;
    if (protocol !== "whip" && /\/start\/?$/.test(path)) {
      protocol = "pipecat";
      if (options.protocol === "auto") signalling.detectedBy = "the URL ends in /start (Pipecat session start)";
      const start = await pipecatStart(ctx, options.url);
      offerUrl = start.offerUrl;
      serverIce = start.iceServers;
    } else if (protocol === "whip") {
      serverIce = await whipPreflight(ctx, options.url);
    }
    signalling.iceServersFromServer = serverIce.flatMap((s) => s.urls);
    if (serverIce.length > 0) options.onServerIceServers?.(serverIce);

    peer = await createPeer({ iceServers: [...options.iceServers, ...serverIce], tlsCa: options.tlsCa });
    const { pc } = peer;
    const recorder = new AttemptRecorder(pc);
    // WHIP is for publishing (RFC 9725): its offer sends only; a Pipecat bot talks back.
    const audioDirection = protocol === "pipecat" ? "sendrecv" : "sendonly";
    const transceiver = options.audio === false ? undefined : pc.addTransceiver("audio", { direction: audioDirection });
    const channel = pc.createDataChannel(DATA_CHANNEL_LABEL);
    peer.prepareGathering();
    if (transceiver) media = new MediaWatch(pc, transceiver, audioDirection, recorder.startedAt);
    const gathered: LocalCandidate[] = [];
    let gatheringDone: () => void = () => {};
    const gatheringComplete = new Promise<void>((resolve) => (gatheringDone = resolve));
    pc.onIceCandidate.subscribe((c) => {
      if (c?.candidate) gathered.push({ candidate: c.candidate, mid: c.sdpMid ?? "0", index: c.sdpMLineIndex ?? 0 });
      else gatheringDone();
    });
    const tuned = peer;
    void gatheringComplete.then(() => tuned.gathered());

    const offer = await within(pc.createOffer(), options.connectTimeoutMs, "createOffer");
    let offerSdp: string;
    if (options.trickle) {
      // As the client in the Pipecat case did: the offer leaves before a single candidate exists.
      pc.setLocalDescription(offer).catch(() => undefined);
      offerSdp = offer.sdp;
    } else {
      signalling.gatheringTimedOut = !(await bounded(pc.setLocalDescription(offer), options.gatherTimeoutMs));
      offerSdp = pc.localDescription?.sdp ?? offer.sdp;
    }
    signalling.offer = analyseSdp(offerSdp, "offer");
    signalling.offerCandidates = signalling.offer.candidates.length;
    fact.localCandidates = [...signalling.offer.candidates];

    negotiated = await sendOffer(ctx, protocol, offerUrl, offerSdp);
    // The request that brought the answer: the far side's own time, not an auto-detection attempt before it.
    const answered = ctx.exchanges.filter((e) => e.step === "offer").at(-1);
    if (answered) signalling.answerMs = answered.durationMs;
    signalling.protocol = negotiated.protocol;
    if (negotiated.detectedBy) signalling.detectedBy = negotiated.detectedBy;
    if (negotiated.whip && !negotiated.whip.sessionUrl) signalling.locationMissing = true;
    // After `negotiated` is set, so that the session the server made is still deleted.
    if (negotiated.whip?.linkProblem) throw new SignallingError(negotiated.whip.linkProblem, "protocol-error", 201);
    // werift takes no new ICE servers once the offer exists, so servers that first appear with the
    // answer cannot serve this attempt; they are recorded and probed on their own instead.
    for (const url of negotiated.iceServers.flatMap((s) => s.urls)) {
      if (!signalling.iceServersFromServer.includes(url)) signalling.iceServersFromServer.push(url);
    }
    if (negotiated.iceServers.length > 0) options.onServerIceServers?.(negotiated.iceServers);
    const capped = capCandidates(negotiated.answerSdp);
    const answer = answerFact(negotiated.answerSdp);
    // The answer's counts are the far side's; its list, like what werift gets, stops at the bound.
    signalling.answer = capped.kept === capped.received ? answer : { ...answer, candidates: answerFact(capped.sdp).candidates };
    if (capped.kept < capped.received) signalling.answerCandidatesCapped = { received: capped.received, kept: capped.kept };
    fact.remoteCandidates = [...signalling.answer.candidates];
    await within(pc.setRemoteDescription({ type: "answer", sdp: capped.sdp }), options.connectTimeoutMs, "applying the answer (setRemoteDescription)");
    await media?.answered();

    const trickling = options.trickle
      ? trickle(ctx, negotiated, offerSdp, gathered, gatheringComplete, options.gatherTimeoutMs, fact)
      : Promise.resolve();
    await completeAttempt(recorder, channel, fact, options);
    await media?.finish(fact, options.mediaMs);
    await trickling;
    if (options.restart && fact.ok) {
      const restarted = await restartRemote({
        ctx,
        negotiated,
        offerUrl,
        answerSdp: capped.sdp,
        peer,
        channel,
        farEndEchoes: (fact.echo?.received ?? 0) > 0,
        iceServers: [...options.iceServers, ...serverIce],
        ...(options.tlsCa ? { tlsCa: options.tlsCa } : {}),
        gatherTimeoutMs: options.gatherTimeoutMs,
        connectTimeoutMs: options.connectTimeoutMs,
        ...(options.networkChange ? { networkChange: options.networkChange } : {}),
        ...(options.restartWatchMs !== undefined ? { watchMs: options.restartWatchMs } : {}),
      });
      fact.restart = restarted.fact;
      restartPeer = restarted.extraPeer;
    }
  } catch (error) {
    fact.stalledIn = "signalling";
    fact.error = toProbeError(error, [options.token, ...[...options.iceServers, ...serverIce].map((s) => s.credential)]);
  } finally {
    media?.close(fact);
    if (negotiated?.whip) signalling.sessionDeleted = await whipDelete(ctx, negotiated.whip);
    if (peer) await closePeer(peer.pc);
    if (restartPeer) await closePeer(restartPeer.pc);
    fact.durationMs = Math.round(performance.now() - started);
  }
  return fact;
}

function answerFact(sdp: string): SdpFact {
  try {
    return analyseSdp(sdp, "answer");
  } catch (error) {
    // The message quotes a line of the far side's text: no control characters reach a terminal from it.
    const reason = (error as Error).message.replace(/[\p{Cc}\p{Cf}]/gu, " ");
    throw new SignallingError(`the answer is not a usable SDP (${reason})`, "protocol-error");
  }
}

/**
 * Trickle from the client: what was gathered while the offer travelled goes out at once, the rest
 * when gathering completes, with the end-of-candidates marker.
 */
async function trickle(
  ctx: HttpContext,
  negotiated: Negotiated,
  offerSdp: string,
  gathered: LocalCandidate[],
  gatheringComplete: Promise<void>,
  gatherTimeoutMs: number,
  fact: ConnectivityFact,
): Promise<void> {
  const sent: LocalCandidate[] = [];
  const send = async (end: boolean) => {
    // No session URL, nowhere to send them: the candidates stay unsent (locationMissing says why).
    if (negotiated.whip && !negotiated.whip.sessionUrl) return;
    const batch = gathered.slice(sent.length);
    if (batch.length === 0 && !end) return;
    sent.push(...batch);
    try {
      if (negotiated.whip) {
        const ufrag = /a=ice-ufrag:(\S+)/.exec(offerSdp)?.[1] ?? "";
        const pwd = /a=ice-pwd:(\S+)/.exec(offerSdp)?.[1] ?? "";
        const mid = batch[0]?.mid ?? /a=mid:(\S+)/.exec(offerSdp)?.[1] ?? "0";
        await whipTrickle(ctx, negotiated.whip, sdpFragment(ufrag, pwd, mid, batch.map((c) => c.candidate), end));
      } else if (negotiated.pipecat) {
        const items = end ? [...batch, { candidate: "", mid: batch[0]?.mid ?? "0", index: 0 }] : batch;
        await negotiated.pipecat.trickle(items);
      }
    } catch {
      // Recorded in the exchanges; the attempt goes on with what the far side has.
    }
    for (const c of batch) {
      const parsed = candidateFromLine(c.candidate, c.mid);
      if (parsed) fact.localCandidates.push(parsed);
    }
    if (fact.signalling) fact.signalling.trickledCandidates += batch.length;
  };
  await send(false);
  await bounded(gatheringComplete, gatherTimeoutMs);
  await send(true);
}

/** Library errors may quote what they were given: the token and handed-out credentials stay out. */
function toProbeError(error: unknown, secrets: readonly (string | undefined)[]): NonNullable<ConnectivityFact["error"]> {
  if (error instanceof SignallingError) return probeError(error.code, scrubbedErrorText(error, secrets));
  if (error instanceof StalledCallError) return probeError("timeout", error.message);
  return probeError("internal-error", `the remote attempt failed: ${scrubbedErrorText(error, secrets)}`);
}
