import type { Facts } from "../facts/index.js";
import type { Finding, Severity } from "../rules/types.js";

/** Bumped only for incompatible changes; new fields are added without a bump. */
export const SCHEMA_VERSION = "1.0";

export interface ReportSummary {
  errors: number;
  warnings: number;
  infos: number;
  /** The --fail-on threshold the exit code was computed with. */
  failOn: Severity | "never";
  /** No finding at or above failOn: exit code 0. */
  passed: boolean;
}

/** The published contract (schema/report.schema.json): the facts as probed, then the diagnosis. */
export interface Report extends Facts {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: string; version: string };
  startedAt: string;
  durationMs: number;
  summary: ReportSummary;
  findings: Finding[];
}
