import type { CandidateFact, GatheringFact } from "./candidates.js";

/** What one peer's gathering through one target gave. */
export interface GatherOutcome {
  fact: GatheringFact;
  candidates: CandidateFact[];
}

/** The report's gathering facts and candidates. */
export interface GatherResult {
  gathering: GatheringFact[];
  candidates: CandidateFact[];
}

/** Every STUN peer gathers the same host addresses (on its own ports): the report lists them once. */
export function mergeGathering(results: readonly GatherOutcome[]): GatherResult {
  const hostSource = results.find((r) => r.candidates.some((c) => c.type === "host"));
  return {
    gathering: results.map((r) => r.fact),
    candidates: [...(hostSource?.candidates.filter((c) => c.type === "host") ?? []), ...results.flatMap((r) => r.candidates.filter((c) => c.type !== "host"))],
  };
}

