import type { AddressFamily } from "./common.js";
import type { CandidateType } from "./candidates.js";

/**
 * What an address in a candidate says about who can reach it. `container-bridge` is Docker's
 * default bridge (172.17.0.0/16), a subset of private that needs a different fix (publish ports,
 * host networking); `cgnat` is RFC 6598 shared space, reachable only inside the carrier.
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
  | "unspecified";

/** One a=candidate line as the far (or near) side announced it. */
export interface SdpCandidateFact {
  type: CandidateType;
  protocol: "udp" | "tcp";
  address: string;
  port: number;
  component: number;
  tcpType?: "active" | "passive" | "so";
  relatedAddress?: string;
  relatedPort?: number;
  addressClass: AddressClass;
  /** Absent for names (mDNS or otherwise): the family is only known after resolution. */
  family?: AddressFamily;
  /** The media section (a=mid) the line was in, when it had one. */
  mid?: string;
}

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
  candidates: SdpCandidateFact[];
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
