import type { CandidateFact, GatheringFact } from "./candidates.js";
import type { NatFact } from "./nat.js";
import type { ServerFact } from "./servers.js";

export type * from "./common.js";
export type * from "./servers.js";
export type * from "./candidates.js";
export type * from "./nat.js";

/** What the run configured, as far as diagnosis needs it (no secrets). */
export interface RunConfigFact {
  usedDefaultServers: boolean;
  timeoutMs: number;
  stunCount: number;
  turnCount: number;
}

/**
 * Everything the probes found. Rules read only this; the report serialises it unchanged, so a
 * finding's evidence can point into the report with a JSON pointer (e.g. /servers/2/error).
 */
export interface Facts {
  config: RunConfigFact;
  servers: ServerFact[];
  gathering: GatheringFact[];
  candidates: CandidateFact[];
  nat?: NatFact;
}
