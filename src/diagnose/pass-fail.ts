import type { Finding, Severity } from "../rules/types.js";
import { severityRank } from "../rules/engine.js";

export type FailOn = Severity | "never";

/** A finding at or above the threshold fails the run. */
export function failsAt(finding: Finding, failOn: FailOn): boolean {
  return failOn !== "never" && severityRank(finding.severity) <= severityRank(failOn);
}

export function isFailing(findings: readonly Finding[], failOn: FailOn): boolean {
  return findings.some((f) => failsAt(f, failOn));
}
