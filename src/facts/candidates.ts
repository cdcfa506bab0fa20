import type { ProbeError } from "./common.js";

export type CandidateType = "host" | "srflx" | "prflx" | "relay";

export interface CandidateFact {
  type: CandidateType;
  protocol: "udp" | "tcp";
  address: string;
  port: number;
  relatedAddress?: string;
  relatedPort?: number;
  tcpType?: "active" | "passive" | "so";
  /** The ICE server URL whose peer produced this candidate (absent for host candidates). */
  url?: string;
  /** The id of that server's target (see ServerFact.id). */
  serverId?: string;
  /** For relay candidates: the transport to the TURN server (udp, tcp, tls). */
  relayProtocol?: "udp" | "tcp" | "tls";
}

/** A browser-like WebRTC stack (werift) gathering through one ICE server URL. */
export interface GatheringFact {
  /** The id of the server's target (see ServerFact.id). */
  serverId: string;
  url: string;
  /** Candidate types this URL should yield (srflx for STUN, relay for TURN) arrived. */
  ok: boolean;
  durationMs: number;
  srflx: number;
  relay: number;
  /** Gathering did not complete within the timeout. */
  timedOut: boolean;
  error?: ProbeError;
}
