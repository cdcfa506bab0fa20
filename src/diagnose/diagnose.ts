import type { Expectation } from "../config/expectations.js";
import type { ExpectationResult, Facts } from "../facts/index.js";
import { rules as defaultRules, runRules, type Finding, type Rule } from "../rules/index.js";
import { resolveOptionWords, type OptionNamer } from "../config/option-words.js";
import { evaluateExpectations } from "./expectations.js";
import type { FailOn } from "./pass-fail.js";
import { summarise, type ReportSummary } from "./summary.js";
import { deriveVerdict } from "./verdict.js";
import type { Verdict } from "./verdict-types.js";

export interface DiagnoseOptions {
  rules?: readonly Rule[];
  /** Default "error". */
  failOn?: FailOn;
  /** Judged against the facts; each unmet one becomes a finding. */
  expectations?: readonly Expectation[];
  /** The facts are partial: the run never passes. */
  interrupted?: boolean;
  /** How text names an option of the check (default: its API name; the CLI gives its flags). */
  optionName?: OptionNamer;
}

/** Everything the facts mean; the report is the facts plus this. */
export interface Diagnosis {
  findings: Finding[];
  verdict?: Verdict;
  /** Present when expectations were given, or the facts already held judged ones (explain of a report). */
  expectations?: ExpectationResult[];
  summary: ReportSummary;
}

/** Pure: the same facts and options give the same diagnosis. */
export function diagnose(facts: Facts, options: DiagnoseOptions = {}): Diagnosis {
  const { optionName } = options;
  const words = (text: string) => resolveOptionWords(text, optionName);
  const judged: Facts = options.expectations?.length ? { ...facts, expectations: evaluateExpectations(options.expectations, facts) } : facts;
  const findings = runRules(options.rules ?? defaultRules, judged, { optionName });
  const verdict = deriveVerdict(judged);
  return {
    findings,
    ...(verdict ? { verdict: { ...verdict, cells: verdict.cells.map((c) => ({ ...c, reason: words(c.reason) })) } } : {}),
    ...(judged.expectations ? { expectations: judged.expectations.map((e) => ({ ...e, actual: words(e.actual) })) } : {}),
    summary: summarise(findings, options.failOn ?? "error", options.interrupted === true),
  };
}
