import type { ProbeError } from "./common.js";
import type { CandidateFact } from "./candidates.js";
import type { SdpFact } from "./sdp.js";
import type { CandidatePairFact } from "./session.js";
import type { DtlsFact, MediaFact } from "./media.js";
import type { RestartFact } from "./restart.js";
import type { QualityFact } from "./quality.js";

export type ConnectivityMode = "loopback-host" | "loopback-srflx" | "loopback-relay" | "remote";

/** Where an attempt stopped making progress; the first step that did not complete. */
export type ConnectStage = "signalling" | "gathering" | "checking" | "dtls" | "data-channel";

export interface IceStateChange {
  /** RTCIceConnectionState as the stack reported it. */
  state: string;
  /** Milliseconds since the attempt started. */
  atMs: number;
}

/** One HTTP request made to the signalling server, without credentials. */
export interface HttpExchangeFact {
  step: "start" | "offer" | "trickle" | "delete" | "restart";
  method: string;
  /** Without query string values or userinfo (they often carry tokens). */
  url: string;
  status?: number;
  durationMs: number;
  /** Response headers that explain the exchange; never Authorization, cookies or Link credentials. */
  headers: Record<string, string>;
  /** Transport failure (refused, timeout, DNS) or why the response was unusable. */
  error?: string;
}

export interface SignallingFact {
  protocol: "whip" | "pipecat";
  /** How protocol "auto" recognised the protocol. */
  detectedBy?: string;
  /** The offer was sent at once and candidates followed separately (the `trickle` option). */
  trickle: boolean;
  /** Local gathering did not complete within the bound, so the offer went out with what there was. */
  gatheringTimedOut: boolean;
  /** Candidates sent in the offer itself, and separately by trickle. */
  offerCandidates: number;
  trickledCandidates: number;
  exchanges: HttpExchangeFact[];
  /** The bound on each signalling request (the `signalTimeoutMs` option); absent in reports from before it existed. */
  requestTimeoutMs?: number;
  /**
   * How long the far side took to answer the offer: the request that brought the answer, from sending
   * it to the whole response. Far sides that gather before answering spend their gathering here.
   */
  answerMs?: number;
  /** ICE server URLs the signalling server handed out (WHIP Link headers, Pipecat iceConfig); no credentials. */
  iceServersFromServer: string[];
  offer?: SdpFact;
  /** The answer; past the bound its `candidates` list holds only the candidates werift was given (see answerCandidatesCapped), its counts all of them. */
  answer?: SdpFact;
  /** The answer carried more candidates than are handed to werift (32 per type, 64 in all): how many, and how many were kept. */
  answerCandidatesCapped?: { received: number; kept: number };
  /** The session was ended on the server (WHIP DELETE); absent when the protocol has no such step. */
  sessionDeleted?: boolean;
  /**
   * WHIP: the 201 answer carried no usable Location header, so the session has no URL: no trickle
   * PATCH, no ICE restart and no DELETE are possible.
   */
  locationMissing?: boolean;
}

/** Candidate pairs past the number a report lists (see `pairs`): how many, in which states, and their checks. */
export interface PairsOmittedFact {
  count: number;
  byState: Partial<Record<CandidatePairFact["state"], number>>;
  requestsSent: number;
  responsesReceived: number;
  requestsReceived: number;
}

/**
 * One real connection attempt: ICE, DTLS, a data channel and an echo round trip, step by step, so
 * that a stalled attempt shows where and with what evidence it stalled.
 */
export interface ConnectivityFact {
  mode: ConnectivityMode;
  /** The TURN URL (loopback-relay), STUN URL (loopback-srflx) or signalling URL (remote), without secrets. */
  via?: string;
  /** The id of the STUN/TURN target the path goes through (loopback-srflx, loopback-relay). */
  serverId?: string;
  /** A browser's attempt (serve's test page): all paths, or relays only. rtc-doctor's own remote attempt uses all. */
  iceTransportPolicy?: "all" | "relay";
  /** ICE connected, DTLS connected and the data channel opened. */
  ok: boolean;
  /**
   * Why the attempt was not made, from facts that already show it cannot connect: "no-hairpinning",
   * a srflx loopback behind a NAT whose hairpinning test failed (both peers are behind that NAT, so
   * each would send to its own public address; the attempt would only wait out its timeout).
   */
  notAttempted?: "no-hairpinning";
  durationMs: number;
  iceStates: IceStateChange[];
  dtlsState?: string;
  selectedPair?: { local: CandidateFact; remote: CandidateFact };
  /** From the start of the attempt (before the offer) to ICE connected. */
  timeToConnectedMs?: number;
  timeToDataChannelMs?: number;
  /** Median data-channel echo round trip. */
  rttMs?: number;
  echo?: { sent: number; received: number };
  stalledIn?: ConnectStage;
  /** The candidate pairs the local stack checked, with their request/response counts: at most 32, the selected, nominated and succeeded ones first (see pairsOmitted). */
  pairs: CandidatePairFact[];
  /** Pairs beyond the 32 listed in `pairs`, summed up. */
  pairsOmitted?: PairsOmittedFact;
  /** Candidates the local side offered, and those it learned from the far side. */
  localCandidates: CandidateFact[];
  remoteCandidates: CandidateFact[];
  signalling?: SignallingFact;
  /** The DTLS handshake over the selected pair (remote attempts). */
  dtls?: DtlsFact;
  /** Audio sent to the far side and received from it over DTLS-SRTP (remote attempts). */
  media?: MediaFact;
  /** The ICE restart after the remote attempt connected (the `restart` option); absent when not asked for or not reached. */
  restart?: RestartFact;
  /** How good the path is once connected: loss, RTT, jitter, MOS and bitrate (the `qualityDurationMs` option; absent when skipped). */
  quality?: QualityFact;
  error?: ProbeError;
}
