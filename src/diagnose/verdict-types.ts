/** The far peer's network, as the verdict's columns: the situations a call meets in practice. */
export type PeerProfile = "open" | "cone-nat" | "symmetric-nat" | "udp-blocked";

export type Reach = "direct" | "relay" | "none" | "unknown";

export interface VerdictCell {
  peer: PeerProfile;
  reach: Reach;
  reason: string;
}

/** Can a peer here reach a peer there: one cell per kind of far network, each with its reason. */
export interface Verdict {
  /** This side's network as the NAT facts show it. */
  thisSide: "open" | "cone-nat" | "symmetric-nat" | "udp-blocked" | "unknown";
  /** Working TURN transports from here (udp, tcp, tls). */
  relays: ("udp" | "tcp" | "tls")[];
  cells: VerdictCell[];
}
