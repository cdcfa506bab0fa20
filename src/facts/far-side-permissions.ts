import type { AddressFamily, ProbeError } from "./common.js";
import type { AddressClass, CandidateType } from "./candidates.js";
import type { StunExchange } from "./servers.js";

/** One far-side address and the TURN server's answer to a permission for it. */
export interface FarSidePeerPermissionFact {
  address: string;
  family: AddressFamily;
  addressClass: AddressClass;
  /** The types of the far side's candidates at this address (its answer, and peer-reflexive ones seen in checks). */
  candidateTypes: CandidateType[];
  /** The server granted the permission: its relay would carry traffic to and from this address. */
  allowed: boolean;
  /** The server's STUN ERROR-CODE when it refused (coturn: 403 Forbidden IP for denied-peer-ip ranges and loopback peers). */
  stunErrorCode?: number;
  stunReason?: string;
}

/**
 * After the remote attempt: a fresh allocation on the TURN server our side relays through, and a
 * CreatePermission for every address the far side offered or was seen at. A permission only opens
 * the relay's filter, so nothing is sent to the far side. Tells "the TURN server refuses this far
 * peer" apart from "the far side drops what the relay sends".
 */
export interface FarSidePermissionsFact {
  /** The TURN target asked (ServerFact.id). */
  serverId: string;
  url: string;
  /** The allocation was granted, so the permissions could be asked for. */
  ok: boolean;
  durationMs: number;
  /** The answered permissions; a request that got no answer is only in the exchanges. */
  peers: FarSidePeerPermissionFact[];
  /** Far-side addresses not asked about: of the other family than the relay's, or past the limit. */
  notAsked?: { address: string; reason: "other-family" | "limit" }[];
  exchanges: StunExchange[];
  error?: ProbeError;
}
