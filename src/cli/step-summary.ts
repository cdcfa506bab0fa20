import { renderMarkdown } from "../report/markdown.js";
import type { Report } from "../report/types.js";
import type { Output } from "./output.js";
import { cliOptionName } from "./option-flags.js";

/**
 * GitHub Actions shows the Markdown appended to $GITHUB_STEP_SUMMARY on the run's page, so a job gets
 * the table and findings whatever --format it prints. Failing to write it must not fail the check.
 */
export function appendStepSummary(out: Output, report: Report, env: NodeJS.ProcessEnv = process.env): void {
  const path = env["GITHUB_STEP_SUMMARY"];
  if (!path) return;
  try {
    out.append(path, `${renderMarkdown(report, cliOptionName)}\n`);
  } catch (error) {
    out.stderr(`rtc-doctor: could not append to GITHUB_STEP_SUMMARY (${(error as NodeJS.ErrnoException).code ?? "error"})\n`);
  }
}
