import type { Report } from "./types.js";
import { styleFor, ms } from "./human/style.js";
import { renderServers } from "./human/servers.js";
import { renderVerdict } from "./human/verdict.js";
import { renderCandidates } from "./human/candidates.js";
import { renderConnectivity } from "./human/connectivity.js";
import { renderNat } from "./human/nat.js";
import { renderSession } from "./human/session.js";
import { renderFindings, renderSummary } from "./human/findings.js";
import { renderExpectations } from "./human/expectations.js";
import { exitCodeFor } from "./exit-code.js";
import { resolveOptionWords, type OptionNamer } from "../config/option-words.js";

/** Sections in reading order: what was tested, what it showed, then what it means. */
const SECTIONS = [renderServers, renderCandidates, renderNat, renderSession, renderConnectivity];

export function renderHuman(report: Report, options: { color: boolean; optionName?: OptionNamer }): string {
  const c = styleFor(options.color);
  const blocks: string[][] = [
    [c.bold(`${report.tool.name} ${report.tool.version}`) + c.gray(`  ${report.startedAt}  ${ms(report.durationMs)}`)],
    // The answer first: who can be reached from here, before the evidence.
    renderVerdict(report, c),
    ...SECTIONS.map((section) => section(report, c)),
    renderExpectations(report, c),
    renderFindings(report, c),
    [renderSummary(report, exitCodeFor(report), c, options.optionName)],
  ];
  const text = `${blocks
    .filter((b) => b.length > 0)
    .map((b) => b.join("\n"))
    .join("\n\n")}\n`;
  return resolveOptionWords(text, options.optionName);
}
