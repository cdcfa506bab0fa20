import type { Facts } from "../facts/index.js";
import type { Finding, Severity } from "../rules/types.js";
import { severityRank } from "../rules/engine.js";
import { TOOL_NAME, TOOL_VERSION } from "../version.js";
import { SCHEMA_VERSION, type Report } from "./types.js";
import { deriveVerdict } from "../verdict/derive.js";

export type FailOn = Severity | "never";

export function isFailing(findings: readonly Finding[], failOn: FailOn): boolean {
  if (failOn === "never") return false;
  return findings.some((f) => severityRank(f.severity) <= severityRank(failOn));
}

export function buildReport(
  facts: Facts,
  findings: Finding[],
  meta: { startedAt: Date; durationMs: number; failOn: FailOn; interrupted?: boolean },
): Report {
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    startedAt: meta.startedAt.toISOString(),
    durationMs: Math.round(meta.durationMs),
    summary: {
      errors: count("error"),
      warnings: count("warning"),
      infos: count("info"),
      failOn: meta.failOn,
      passed: !isFailing(findings, meta.failOn) && meta.interrupted !== true,
      ...(meta.interrupted ? { interrupted: true } : {}),
    },
    ...facts,
    findings,
    ...withVerdict(facts),
  };
}

function withVerdict(facts: Facts): Pick<Report, "verdict"> {
  const verdict = deriveVerdict(facts);
  return verdict ? { verdict } : {};
}
