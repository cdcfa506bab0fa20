import type { Facts } from "../facts/index.js";

export type Severity = "error" | "warning" | "info";

/** A fact that proves a finding: a sentence, and where in the report the fact sits. */
export interface Evidence {
  /** JSON pointer into the report, e.g. "/servers/1/error". */
  path?: string;
  fact: string;
}

export interface Finding {
  id: string;
  severity: Severity;
  title: string;
  explanation: string;
  fix: string;
  /** Relative path of the rule's docs page in the repository, e.g. docs/rules/turn-auth-failed.md */
  docs: string;
  evidence: Evidence[];
}

/** What a rule's check returns; id, docs and (by default) severity and title come from the rule. */
export interface RuleHit {
  explanation: string;
  fix: string;
  evidence: Evidence[];
  severity?: Severity;
  title?: string;
}

/** One diagnosis: pure, no I/O, silent (returns []) when the facts show nothing wrong. */
export interface Rule {
  id: string;
  severity: Severity;
  title: string;
  docs: string;
  check(facts: Facts): RuleHit[];
}
