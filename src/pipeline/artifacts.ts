import type { IceServerTarget } from "../config/types.js";
import type { ConnectivityFact, FarSidePermissionsFact, NatFact, ServerFact, SessionFact } from "../facts/index.js";
import type { GatherOutcome } from "../facts/merge-gathering.js";

/**
 * Everything phases hand to each other, by name. Most are report facts; some are internal (the
 * targets with their credentials, the ICE servers a signalling server handed out) and never reach a
 * report. Each artifact has exactly one producing phase, so a fact cannot be written twice.
 */
export interface Artifacts {
  /** The configuration's probe targets, with credentials. Given to the run, not produced. */
  targets: IceServerTarget[];
  servers: ServerFact[];
  /** werift's gathering through each working target the relay attempts do not already gather through (STUN ones included). */
  gathered: GatherOutcome[];
  /** The loopback attempts' offering peers gather through their server just as the gather phase would: the same facts, without a second peer. */
  pathGathered: GatherOutcome[];
  nat: NatFact;
  /** The host-only loopback attempt, made while the servers are probed; listed first in the report. */
  hostConnectivity: ConnectivityFact;
  /** The srflx loopback attempt, after NAT discovery (which tells whether it can connect at all); listed second. */
  srflxConnectivity: ConnectivityFact;
  connectivity: ConnectivityFact[];
  /** The remote attempt seen as a session, for the SDP and session rules. */
  session: SessionFact;
  /** Targets for the ICE servers a signalling server handed out that are not configured already, with their credentials: probed, never reported. */
  handedOutTargets: IceServerTarget[];
  /** The per-server facts of those, appended to `servers` in the report. */
  handedOutServers: ServerFact[];
  /** After the remote attempt: whether our TURN server's relay may reach each far-side address. */
  farSidePermissions: FarSidePermissionsFact[];
}

export type ArtifactKey = keyof Artifacts;

/** Every connection attempt of a run, in the report's order: host, srflx, then relays and the remote peer. */
export function connectivityOf(artifacts: Partial<Artifacts>): ConnectivityFact[] {
  return [
    ...(artifacts.hostConnectivity ? [artifacts.hostConnectivity] : []),
    ...(artifacts.srflxConnectivity ? [artifacts.srflxConnectivity] : []),
    ...(artifacts.connectivity ?? []),
  ];
}
