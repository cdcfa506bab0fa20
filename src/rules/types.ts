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
  /** The rule's message id: with `id`, what kind of finding this is (severity and title follow from it). */
  message: string;
  severity: Severity;
  title: string;
  explanation: string;
  fix: string;
  /** Relative path of the rule's docs page in the repository, e.g. docs/rules/turn-auth-failed.md */
  docs: string;
  evidence: Evidence[];
  /** JSON pointers of the facts this finding is about ("/servers/2", "/nat"); see RuleHit.subjects. */
  subjects: string[];
}

/** One kind of finding a rule can report: its severity and title are fixed per message, never per hit. */
export interface RuleMessage {
  severity: Severity;
  /** May hold {{name}} placeholders, filled from the hit's `data`. */
  title: string;
}

/** The facts a rule can require; the engine skips the rule when one of them is absent or empty. */
export type FactKey = Exclude<keyof Facts, "config">;

/** What a rule's check returns; id, docs, severity and title come from the rule and the message. */
export interface RuleHit<M extends string = string> {
  message: M;
  /** Values for the message title's {{name}} placeholders. */
  data?: Record<string, string>;
  explanation: string;
  fix: string;
  evidence: Evidence[];
  /**
   * JSON pointers of the facts the finding is about ("/servers/2", "/nat", "/connectivity/0"). They
   * scope precedence: a finding of a rule that supersedes this one hides it only when its own
   * subjects cover all of these.
   */
  subjects: string[];
}

/** One diagnosis: pure, no I/O, silent (returns []) when the facts show nothing wrong. */
export interface Rule<M extends string = string> {
  id: string;
  docs: string;
  requires: readonly FactKey[];
  messages: Readonly<Record<M, RuleMessage>>;
  /** Rules whose findings this rule's findings explain (a root cause and its symptoms). */
  supersedes: readonly string[];
  check(facts: Facts): RuleHit<M>[];
}
