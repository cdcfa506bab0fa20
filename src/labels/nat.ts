import type { ClassicNatType } from "../facts/nat.js";
import type { PeerProfile, Verdict } from "../diagnose/verdict-types.js";

/**
 * The one place NAT types are named for people: the human report, rule titles and the verdict all
 * read them here, so a NAT is never called two different things in one report.
 */
export const CLASSIC_NAT_LABEL: Readonly<Record<ClassicNatType, string>> = {
  "open-internet": "no NAT (open internet)",
  "full-cone": "full cone NAT",
  "restricted-cone": "restricted cone NAT",
  "port-restricted-cone": "port-restricted cone NAT",
  symmetric: "symmetric NAT",
  "udp-blocked": "UDP blocked",
  unknown: "unknown NAT type",
};

/** The values `nat:<type>` accepts: every classic type a run can settle. */
export const CLASSIC_NAT_TYPES = Object.keys(CLASSIC_NAT_LABEL).filter((t): t is Exclude<ClassicNatType, "unknown"> => t !== "unknown");

/** The verdict's kinds of network: this side's, as a noun phrase. */
export const NETWORK_LABEL: Readonly<Record<Verdict["thisSide"], string>> = {
  open: "no NAT",
  "cone-nat": "a cone NAT",
  "symmetric-nat": "a symmetric NAT",
  "udp-blocked": "UDP blocked",
  unknown: "NAT behaviour unknown",
};

/** The verdict's kinds of network: the far peer's, one per verdict row. */
export const PEER_NETWORK_LABEL: Readonly<Record<PeerProfile, string>> = {
  open: "a peer on an open network",
  "cone-nat": "a peer behind a cone NAT",
  "symmetric-nat": "a peer behind a symmetric NAT",
  "udp-blocked": "a peer behind a UDP-blocking firewall",
};
