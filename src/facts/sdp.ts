import type { CandidateFact } from "./candidates.js";

export interface SdpMediaFact {
  /** m= media type: audio, video, application. */
  kind: string;
  mid?: string;
  direction?: "sendrecv" | "recvonly" | "sendonly" | "inactive";
  /** The m= line port: 0 means the section is rejected, 9 the usual placeholder with trickle. */
  port: number;
  protocol: string;
  candidates: number;
}

/** A session description reduced to what decides whether ICE can connect. No ice-pwd, no keys. */
export interface SdpFact {
  /** Known from the input (JSON {type}, a dump's event name); absent for a bare SDP. */
  type?: "offer" | "answer" | "pranswer";
  /** Unique candidates over all media sections (BUNDLE repeats them). */
  candidates: CandidateFact[];
  counts: { host: number; srflx: number; prflx: number; relay: number };
  iceLite: boolean;
  /** a=end-of-candidates: the sender says gathering completed and no more candidates follow. */
  endOfCandidates: boolean;
  /** a=ice-options:trickle: the sender may send further candidates separately through signalling. */
  trickle: boolean;
  iceUfrag: boolean;
  media: SdpMediaFact[];
  dataChannel: boolean;
  setup?: string;
  fingerprint: boolean;
  /** Every m= section is bundled into one transport (a=group:BUNDLE lists all mids). */
  bundle: boolean;
}
