import type { Finding, Severity } from "../rules/types.js";
import { isFailing, type FailOn } from "./pass-fail.js";

export interface ReportSummary {
  errors: number;
  warnings: number;
  infos: number;
  /** The fail-on threshold the exit code was computed with. */
  failOn: FailOn;
  /** No finding at or above failOn, and the run completed: exit code 0. */
  passed: boolean;
  /** The run was interrupted (Ctrl-C, or the API's AbortSignal): the facts are partial. Exit code 130. */
  interrupted?: boolean;
}

/** An interrupted run never passes: its facts are partial, so a preflight must not pass by omission. */
export function summarise(findings: readonly Finding[], failOn: FailOn, interrupted: boolean): ReportSummary {
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return {
    errors: count("error"),
    warnings: count("warning"),
    infos: count("info"),
    failOn,
    passed: !isFailing(findings, failOn) && !interrupted,
    ...(interrupted ? { interrupted: true } : {}),
  };
}
