import type { CandidateFact, GatheringFact } from "./candidates.js";
import type { NatFact } from "./nat.js";
import type { ServerFact } from "./servers.js";
import type { ExpectationResult } from "./expectations.js";
import type { SessionFact } from "./session.js";
import type { ConnectivityFact } from "./connectivity.js";
import type { FarSidePermissionsFact } from "./far-side-permissions.js";

export type * from "./common.js";
export type * from "./servers.js";
export type * from "./candidates.js";
export type * from "./nat.js";
export type * from "./expectations.js";
export type * from "./sdp.js";
export type * from "./session.js";
export type * from "./connectivity.js";
export type * from "./far-side-permissions.js";
export type * from "./media.js";
export type * from "./restart.js";
export type * from "./quality.js";

/** What the run configured, as far as diagnosis needs it (no secrets). */
export interface RunConfigFact {
  usedDefaultServers: boolean;
  timeoutMs: number;
  stunCount: number;
  turnCount: number;
}

/** Where the facts were measured: by rtc-doctor itself (absent), or by a visitor's browser on serve's test page. */
export interface VantageFact {
  kind: "browser";
  /** navigator.userAgent as the page read it. */
  userAgent: string;
}

/**
 * Everything the probes found. Rules read only this; the report serialises it unchanged, so a
 * finding's evidence can point into the report with a JSON pointer (e.g. /servers/2/error).
 */
export interface Facts {
  vantage?: VantageFact;
  config: RunConfigFact;
  servers: ServerFact[];
  gathering: GatheringFact[];
  candidates: CandidateFact[];
  nat?: NatFact;
  /** The expectations, judged against the facts above (absent when none was given). */
  expectations?: ExpectationResult[];
  /** A WebRTC session's descriptions and ICE outcome, from `explain` input or the connectivity probe. */
  session?: SessionFact;
  /** Real connection attempts: loopback through each path, and remote through a signalling URL. */
  connectivity?: ConnectivityFact[];
  /** After the remote attempt: whether our TURN server would relay to each of the far side's addresses. */
  farSidePermissions?: FarSidePermissionsFact[];
}
