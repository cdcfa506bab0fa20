/** What `explain` read: the report's `explain` marker (its producer, src/explain, fills it in). */
export type ExplainInputKind = "sdp" | "sdp-json" | "webrtc-internals" | "report";

/**
 * named: --peer-connection; not-connected: the last with a remote description that never
 * connected; last-with-remote: all connected, the last with a remote description; last: none
 * set a remote description.
 */
export type PickReason = "named" | "not-connected" | "last-with-remote" | "last";

/** One peer connection of a webrtc-internals dump, as the report lists it. */
export interface DumpConnectionSummary {
  id: string;
  url?: string;
  /** It set a remote description (an offer/answer exchange happened). */
  remoteDescription: boolean;
  /** ICE or the connection reached connected/completed at some point. */
  connected: boolean;
  /** The last iceConnectionState logged. */
  lastIceState?: string;
}

/** Which connection of a dump was diagnosed, why, and the others it holds. */
export interface PeerConnectionChoice extends DumpConnectionSummary {
  reason: PickReason;
  others: DumpConnectionSummary[];
}

/** The report's `explain` marker. */
export interface ExplainMarker {
  input: ExplainInputKind;
  /** webrtc-internals only. */
  peerConnection?: PeerConnectionChoice;
}
