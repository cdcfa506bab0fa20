import type { Facts } from "../facts/index.js";
import type { Diagnosis } from "../diagnose/diagnose.js";
import { TOOL_NAME, TOOL_VERSION } from "../version.js";
import { SCHEMA_VERSION, type Report } from "./types.js";

/** Assembles the report: the facts as probed and the diagnosis of them, nothing decided here. */
export function buildReport(facts: Facts, diagnosis: Diagnosis, meta: { startedAt: Date; durationMs: number }): Report {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    startedAt: meta.startedAt.toISOString(),
    durationMs: Math.round(meta.durationMs),
    summary: diagnosis.summary,
    ...facts,
    ...(diagnosis.expectations ? { expectations: diagnosis.expectations } : {}),
    findings: diagnosis.findings,
    ...(diagnosis.verdict ? { verdict: diagnosis.verdict } : {}),
  };
}
