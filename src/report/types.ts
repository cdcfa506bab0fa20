import type { Facts } from "../facts/index.js";
import type { Finding } from "../rules/types.js";
import type { Verdict } from "../diagnose/verdict-types.js";
import type { ReportSummary } from "../diagnose/summary.js";
import type { ExplainMarker } from "./explain-marker.js";

export type { ReportSummary };

/** Bumped only for incompatible changes; new fields are added without a bump. */
export const SCHEMA_VERSION = "1.0";

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
