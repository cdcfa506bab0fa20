import type { CandidateFact } from "../facts/candidates.js";
import { analyseCandidateLine } from "../sdp/analyse.js";

/**
 * A candidate line werift emitted (onicecandidate, or one it was given) as a fact, through the same
 * parser as every SDP and trickle message; undefined for a line that is not a usable candidate.
 */
export function candidateFromLine(line: string, mid?: string): CandidateFact | undefined {
  try {
    return analyseCandidateLine(line, mid);
  } catch {
    return undefined;
  }
}
