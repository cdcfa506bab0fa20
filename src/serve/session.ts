import { randomBytes } from "node:crypto";
import type { RTCIceServerLike } from "../config/types.js";
import { analyseSdp } from "../sdp/analyse.js";
import { echoDataChannels } from "../webrtc/echo.js";
import { echoAudio } from "../webrtc/echo-audio.js";
import { bounded, within } from "../webrtc/bounded.js";
import { capCandidates, MAX_REMOTE_CANDIDATES } from "../webrtc/sdp-candidates.js";
import { closePeer, createPeer, type PeerConnection } from "../webrtc/peer.js";
import { iceCredentialsOf, resumeRestartedIce } from "../webrtc/ice-restart.js";
import { withNewIceCredentials } from "../signalling/restart.js";

export interface SessionConfig {
  iceServers: readonly RTCIceServerLike[];
  tlsCa?: string | Buffer;
  /** Bound on gathering before the answer goes out. */
  gatherTimeoutMs: number;
  /** A session that has not connected by then is dropped (Pipecat drops peers after 60 s "connecting"). */
  connectTimeoutMs: number;
  /** Hard cap on one session's life, so a client that vanishes without DELETE cannot pin resources. */
  maxLifetimeMs: number;
}

export type SessionEvent = "connected" | "closed";

/** One trickled candidate is applied in microseconds; a call that takes this long is stuck. */
const TRICKLE_CALL_BOUND_MS = 2000;

/** The far end of one attempt: a werift peer that answers the offer and echoes on the data channel. */
export class EchoSession {
  /** RFC 9725: names the ICE session; trickle PATCHes must carry it in If-Match. An ICE restart changes it. */
  etag = `"${randomBytes(6).toString("hex")}"`;
  /** The client's offer as werift has it, which an sdpfrag ICE restart changes. */
  private offerSdp = "";
  private closed = false;
  /** Candidates of the client handed to werift so far (offer and trickle), up to MAX_REMOTE_CANDIDATES. */
  private remoteCandidates = 0;
  private readonly timers: NodeJS.Timeout[] = [];

  private constructor(
    readonly id: string,
    readonly pc: PeerConnection,
    private readonly onEvent: (session: EchoSession, event: SessionEvent) => void,
  ) {}

  /** Answers an offer; throws a one-line Error for an offer that cannot be answered. */
  static async answer(
    offerSdp: string,
    config: SessionConfig,
    onEvent: (session: EchoSession, event: SessionEvent) => void,
    /** Pipecat's restart_pc: the new peer keeps the session's pc_id. */
    id = randomBytes(8).toString("hex"),
  ): Promise<{ session: EchoSession; answerSdp: string }> {
    analyseSdp(offerSdp, "offer");
    const peer = await createPeer({ iceServers: config.iceServers, tlsCa: config.tlsCa });
    const session = new EchoSession(id, peer.pc, onEvent);
    try {
      echoDataChannels(peer.pc);
      // A client's offer is input anyone can send: werift gets a bounded number of its candidates
      // (its setRemoteDescription is roughly quadratic in them), and a bounded time for each call.
      const capped = capCandidates(offerSdp);
      session.remoteCandidates = capped.kept;
      session.offerSdp = capped.sdp;
      await within(peer.pc.setRemoteDescription({ type: "offer", sdp: capped.sdp }), config.gatherTimeoutMs, "setRemoteDescription (offer)");
      echoAudio(peer.pc);
      peer.prepareGathering();
      const answer = await within(peer.pc.createAnswer(), config.gatherTimeoutMs, "createAnswer");
      // Like WHIP servers and aiortc: all candidates go into the answer, the server never trickles.
      await bounded(peer.pc.setLocalDescription(answer), config.gatherTimeoutMs);
      peer.gathered();
      const answerSdp = peer.pc.localDescription?.sdp ?? answer.sdp;
      session.watch(config);
      return { session, answerSdp };
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  private watch(config: SessionConfig): void {
    let connected = false;
    this.pc.iceConnectionStateChange.subscribe((state) => {
      if (state === "connected" && !connected) {
        connected = true;
        this.onEvent(this, "connected");
      }
      if (state === "disconnected" || state === "failed" || state === "closed") void this.close();
    });
    this.pc.onDataChannel.subscribe((channel) => {
      channel.stateChanged.subscribe((state) => {
        if (state === "closed") void this.close();
      });
    });
    this.timers.push(
      setTimeout(() => {
        if (!connected) void this.close();
      }, config.connectTimeoutMs),
      setTimeout(() => void this.close(), config.maxLifetimeMs),
    );
    for (const t of this.timers) t.unref();
  }

  /** Adds trickled candidates; an empty candidate is the end-of-candidates marker. */
  async addCandidates(candidates: readonly { candidate: string; sdpMid?: string; sdpMLineIndex?: number }[]): Promise<void> {
    for (const c of candidates) {
      if (c.candidate.trim() === "") continue;
      // Past the bound, trickled candidates are dropped like the offer's: no client needs that many.
      if (this.remoteCandidates >= MAX_REMOTE_CANDIDATES || this.closed) return;
      this.remoteCandidates += 1;
      await within(
        this.pc.addIceCandidate({ candidate: c.candidate.replace(/^a=/, ""), sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex ?? 0 }),
        TRICKLE_CALL_BOUND_MS,
        "addIceCandidate",
      );
    }
  }

  /**
   * An ICE restart by sdpfrag (RFC 9725 section 4.4.2): the client's new ufrag/pwd and candidates
   * go into its offer, werift answers with new credentials of its own and checks again while DTLS
   * and the data channel carry on. Throws a one-line Error when the fragment has no credentials.
   */
  async restartIce(fragment: { ufrag?: string; pwd?: string; candidates: string[]; end: boolean }, boundMs: number): Promise<{ ufrag: string; pwd: string; candidates: string[]; etag: string }> {
    if (!fragment.ufrag || !fragment.pwd) throw new Error("an ICE restart needs a=ice-ufrag and a=ice-pwd");
    const offer = capCandidates(withNewIceCredentials(this.offerSdp, fragment.ufrag, fragment.pwd, fragment.candidates, fragment.end));
    this.remoteCandidates = offer.kept;
    this.offerSdp = offer.sdp;
    await within(this.pc.setRemoteDescription({ type: "offer", sdp: offer.sdp }), boundMs, "setRemoteDescription (ICE restart)");
    const answer = await within(this.pc.createAnswer(), boundMs, "createAnswer (ICE restart)");
    await bounded(this.pc.setLocalDescription(answer), boundMs);
    resumeRestartedIce(this.pc);
    const sdp = this.pc.localDescription?.sdp ?? answer.sdp;
    const creds = iceCredentialsOf(sdp);
    if (!creds) throw new Error("werift's restarted answer has no ICE credentials");
    this.etag = `"${randomBytes(6).toString("hex")}"`;
    return { ...creds, candidates: sdp.split(/\r?\n/).filter((l) => l.startsWith("a=candidate:")).map((l) => l.slice(2)), etag: this.etag };
  }

  /** The client's current ICE username fragment (a new one in an If-Match "*" PATCH is a restart). */
  get remoteUfrag(): string | undefined {
    return iceCredentialsOf(this.offerSdp)?.ufrag;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    await closePeer(this.pc);
    this.onEvent(this, "closed");
  }
}
