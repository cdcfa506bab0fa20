import type { Facts } from "../facts/index.js";
import type { Finding, Rule, Severity } from "./types.js";

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function severityRank(severity: Severity): number {
  return ORDER[severity];
}

/**
 * Runs every rule over the facts. A rule that throws is a bug in that rule, not in the network:
 * it becomes an internal finding instead of taking the whole diagnosis down with it.
 */
export function runRules(rules: readonly Rule[], facts: Facts): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    let hits;
    try {
      hits = rule.check(facts);
    } catch (error) {
      findings.push({
        id: "internal-rule-error",
        severity: "warning",
        title: `Rule ${rule.id} could not run`,
        explanation: `The rule failed with: ${error instanceof Error ? error.message : String(error)}. Its diagnosis is missing from this report.`,
        fix: "Please report this with the JSON report attached (rtc-doctor check --json).",
        docs: "docs/rules/internal-rule-error.md",
        evidence: [],
      });
      continue;
    }
    for (const hit of hits) {
      findings.push({
        id: rule.id,
        severity: hit.severity ?? rule.severity,
        title: hit.title ?? rule.title,
        explanation: hit.explanation,
        fix: hit.fix,
        docs: rule.docs,
        evidence: hit.evidence,
      });
    }
  }
  // Stable: within one severity, rules keep registry order, which lists root causes before symptoms.
  return findings
    .map((finding, i) => ({ finding, i }))
    .sort((a, b) => ORDER[a.finding.severity] - ORDER[b.finding.severity] || a.i - b.i)
    .map(({ finding }) => finding);
}

export function worstSeverity(findings: readonly Finding[]): Severity | undefined {
  let worst: Severity | undefined;
  for (const f of findings) if (worst === undefined || ORDER[f.severity] < ORDER[worst]) worst = f.severity;
  return worst;
}
