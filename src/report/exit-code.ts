import type { Report } from "./types.js";

export const EXIT_OK = 0;
/** A finding at or above the `failOn` severity. */
export const EXIT_FINDINGS = 1;
/** Usage or configuration error: nothing was sent. */
export const EXIT_USAGE = 2;
/** A bug in rtc-doctor itself. */
export const EXIT_INTERNAL = 3;
/** Interrupted (Ctrl-C or SIGTERM), as shells report SIGINT: the report is partial. */
export const EXIT_INTERRUPTED = 130;

export function exitCodeFor(report: Report): number {
  if (report.summary.interrupted) return EXIT_INTERRUPTED;
  return report.summary.passed ? EXIT_OK : EXIT_FINDINGS;
}
