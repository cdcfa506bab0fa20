import type { Facts } from "../facts/index.js";
import type { FactKey, Finding, Rule, RuleHit, Severity } from "./types.js";
import { coversAll } from "./subjects.js";
import { resolveOptionWords, type OptionNamer } from "../config/option-words.js";

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function severityRank(severity: Severity): number {
  return ORDER[severity];
}

/** An absent fact and an empty list both mean there is nothing for the rule to judge. */
function present(facts: Facts, key: FactKey): boolean {
  const value = facts[key];
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

function fill(title: string, data: Record<string, string> | undefined): string {
  return title.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => data?.[name] ?? whole);
}

/** A rule that throws or names an undeclared message is a bug in that rule, not in the network. */
function internalError(rule: Rule, why: string): Finding {
  return {
    id: "internal-rule-error",
    message: "rule-failed",
    severity: "warning",
    title: `Rule ${rule.id} could not run`,
    explanation: `The rule failed with: ${why}. Its diagnosis is missing from this report.`,
    fix: "Please report this with the JSON report attached.",
    docs: "docs/rules/internal-rule-error.md",
    evidence: [],
    subjects: [],
  };
}

function toFinding(rule: Rule, hit: RuleHit, optionName: OptionNamer | undefined): Finding {
  const message = rule.messages[hit.message];
  if (!message) return internalError(rule, `its hit names the undeclared message '${hit.message}'`);
  return {
    id: rule.id,
    message: hit.message,
    severity: message.severity,
    title: resolveOptionWords(fill(message.title, hit.data), optionName),
    explanation: resolveOptionWords(hit.explanation, optionName),
    fix: resolveOptionWords(hit.fix, optionName),
    docs: rule.docs,
    // Evidence may quote an expectation's result, which names options too.
    evidence: hit.evidence.map((e) => ({ ...e, fact: resolveOptionWords(e.fact, optionName) })),
    subjects: hit.subjects,
  };
}

interface Ran {
  rule: Rule;
  finding: Finding;
}

function run(rule: Rule, facts: Facts, optionName: OptionNamer | undefined): Ran[] {
  if (!rule.requires.every((key) => present(facts, key))) return [];
  try {
    return rule.check(facts).map((hit) => ({ rule, finding: toFinding(rule, hit, optionName) }));
  } catch (error) {
    return [{ rule, finding: internalError(rule, error instanceof Error ? error.message : String(error)) }];
  }
}

/**
 * A root cause hides the symptoms it explains: a finding is dropped when a finding of a rule that
 * supersedes its rule covers all of its subjects. Hidden findings still hide theirs, since a cause
 * of a cause explains the symptom too.
 */
function hidden(target: Ran, all: readonly Ran[]): boolean {
  return all.some((other) => other !== target && other.rule.supersedes.includes(target.rule.id) && coversAll(other.finding.subjects, target.finding.subjects));
}

export interface RunRulesOptions {
  /** How the findings' text names an option of the check (default: its API name). */
  optionName?: OptionNamer;
}

/**
 * Runs every rule whose required facts are present, drops what a root cause explains, and orders by
 * severity; within one severity, rules keep registry order, which lists root causes before symptoms.
 */
export function runRules(rules: readonly Rule[], facts: Facts, options: RunRulesOptions = {}): Finding[] {
  const ran = rules.flatMap((rule) => run(rule, facts, options.optionName));
  return ran
    .filter((r) => !hidden(r, ran))
    .map(({ finding }, i) => ({ finding, i }))
    .sort((a, b) => ORDER[a.finding.severity] - ORDER[b.finding.severity] || a.i - b.i)
    .map(({ finding }) => finding);
}

export function worstSeverity(findings: readonly Finding[]): Severity | undefined {
  let worst: Severity | undefined;
  for (const f of findings) if (worst === undefined || ORDER[f.severity] < ORDER[worst]) worst = f.severity;
  return worst;
}
