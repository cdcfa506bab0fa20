import type { CandidateFact } from "./candidates.js";
import type { MediaFact } from "./media.js";
import type { SdpFact } from "./sdp.js";

export type PairState = "frozen" | "waiting" | "in-progress" | "succeeded" | "failed";

/** A candidate pair's checks: what was sent, what came back. */
export interface CandidatePairFact {
  state: PairState;
  nominated: boolean;
  /** The pair the transport selected for media. */
  selected: boolean;
  /** The ends as the ICE agent saw them (stats, not SDP: prflx ones appear here). */
  local: CandidateFact;
  remote: CandidateFact;
  requestsSent?: number;
  responsesReceived?: number;
  requestsReceived?: number;
  /** Answers this side sent to the far side's checks (they may still have been lost on the way). */
  responsesSent?: number;
  bytesSent?: number;
  bytesReceived?: number;
}

/** An icecandidateerror event (browsers fire it for STUN/TURN failures during gathering). */
export interface CandidateErrorFact {
  url?: string;
  errorCode: number;
  errorText?: string;
}

/**
 * One WebRTC session seen from this side: the descriptions exchanged, the candidates trickled after
 * them, and (when the input has them) what ICE did with the pairs. Filled by `explain` from an SDP or
 * a webrtc-internals dump, or by the connectivity probe from its own attempt. "local" is the side
 * rtc-doctor (or the browser that made the dump) runs on; "remote" the far side.
 */
export interface SessionFact {
  source: "sdp" | "webrtc-internals" | "connectivity";
  local?: SdpFact;
  remote?: SdpFact;
  /**
   * Candidates signalled separately after the descriptions (trickle ICE). Absent when the input
   * cannot tell (a bare SDP); an empty list means none was trickled.
   */
  trickled?: { local?: CandidateFact[]; remote?: CandidateFact[] };
  /**
   * Every candidate our side's ICE agent reported (a browser's icecandidate events), whether or not
   * the page sent it anywhere: a dump of one browser cannot see its signalling. Only the candidates
   * the other side is seen to have received count in `trickled.local`.
   */
  gathered?: CandidateFact[];
  /** iceConnectionState values in the order they were entered. */
  iceStates?: string[];
  pairs?: CandidatePairFact[];
  candidateErrors?: CandidateErrorFact[];
  /**
   * The audio as the dumping browser's stats show it (webrtc-internals dumps only; a live check
   * keeps its own on the remote attempt): `offeredDirection` is the browser's audio m-line,
   * `answeredDirection` the far side's, whichever of the two offered.
   */
  media?: MediaFact;
}
