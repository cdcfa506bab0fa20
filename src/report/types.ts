import type { Facts } from "../facts/index.js";
import type { Finding, Severity } from "../rules/types.js";
import type { Verdict } from "../verdict/types.js";
import type { ExplainMarker } from "../explain/explain.js";

/** Bumped only for incompatible changes; new fields are added without a bump. */
export const SCHEMA_VERSION = "1.0";

export interface ReportSummary {
  errors: number;
  warnings: number;
  infos: number;
  /** The --fail-on threshold the exit code was computed with. */
  failOn: Severity | "never";
  /** No finding at or above failOn, and the run completed: exit code 0. */
  passed: boolean;
  /** The run was interrupted (Ctrl-C, or the API's AbortSignal): the facts are partial. Exit code 130. */
  interrupted?: boolean;
}

/** The published contract (schema/report.schema.json): the facts as probed, then the diagnosis. */
export interface Report extends Facts {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: string; version: string };
  startedAt: string;
  durationMs: number;
  summary: ReportSummary;
  findings: Finding[];
  /** Who this network can reach, directly or through a relay; absent when the facts cannot tell (e.g. explain of an SDP). */
  verdict?: Verdict;
  /**
   * Set by `explain`: the run read a capture and probed nothing, so an empty `servers` means "not
   * tested", not "none configured". Absent for `check`.
   */
  explain?: ExplainMarker;
}
