import type { Facts } from "../../src/facts/index.js";
import type { Finding, Rule, Severity } from "../../src/rules/types.js";

/** What a test asserts about a hit, in the spirit of ESLint's RuleTester: identity and pointers, not prose. */
export interface Reported {
  rule: string;
  message: string;
  severity: Severity;
  /** The evidence's JSON pointers, in order. */
  evidence: (string | undefined)[];
  subjects: string[];
}

/** One rule on its own, as the engine would report its hits (no precedence). */
export function hitsOf(rule: Rule, facts: Facts): Reported[] {
  return rule.check(facts).map((hit) => {
    const message = rule.messages[hit.message];
    if (!message) throw new Error(`${rule.id}: hit names the undeclared message '${hit.message}'`);
    return { rule: rule.id, message: hit.message, severity: message.severity, evidence: hit.evidence.map((e) => e.path), subjects: hit.subjects };
  });
}

/** The engine's findings in the same shape. */
export function reported(findings: readonly Finding[]): Reported[] {
  return findings.map((f) => ({ rule: f.id, message: f.message, severity: f.severity, evidence: f.evidence.map((e) => e.path), subjects: f.subjects }));
}

/** "rule-id/message-id" per hit: the short form for asserting which findings a run gave. */
export function kinds(list: readonly Reported[]): string[] {
  return list.map((r) => `${r.rule}/${r.message}`);
}
