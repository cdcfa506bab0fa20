import type { AddressFamily, ProbeError } from "./common.js";

export type CandidateType = "host" | "srflx" | "prflx" | "relay";

/**
 * What an address in a candidate says about who can reach it. `container-bridge` is Docker's
 * default bridge (172.17.0.0/16), a subset of private that needs a different fix (publish ports,
 * host networking); `cgnat` is RFC 6598 shared space, reachable only inside the carrier. `hidden`
 * is a candidate whose address the input leaves out: Chrome's stats give "" for candidates it knows
 * only by an mDNS name, and nothing else in the dump named it.
 */
export type AddressClass =
  | "public"
  | "private"
  | "loopback"
  | "link-local"
  | "cgnat"
  | "container-bridge"
  | "mdns"
  | "hostname"
  | "unspecified"
  | "hidden";

/**
 * One ICE candidate, wherever it was seen: gathered through an ICE server, an a=candidate line of a
 * description or of a trickle message, or one end of a candidate pair in stats. The optional fields
 * are what only some of those sources know.
 */
export interface CandidateFact {
  type: CandidateType;
  protocol: "udp" | "tcp";
  address: string;
  port: number;
  /** 1 is RTP (and the data channel); stats do not say and count as 1. */
  component: number;
  tcpType?: "active" | "passive" | "so";
  relatedAddress?: string;
  relatedPort?: number;
  addressClass: AddressClass;
  /** Absent for names (mDNS or otherwise): the family is only known after resolution. */
  family?: AddressFamily;
  /** The media section (a=mid) the line was in, when it had one. */
  mid?: string;
  /** Gathered candidates: the ICE server URL whose peer produced it (absent for host candidates). */
  url?: string;
  /** The id of that server's target (see ServerFact.id). */
  serverId?: string;
  /** Local relay candidates: the transport to the TURN server (udp, tcp, tls). */
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
