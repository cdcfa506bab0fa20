import type { ChalkInstance } from "chalk";
import type { Report } from "../types.js";
import { marks, wrap } from "./style.js";
import { resolveOptionWords, type OptionNamer } from "../../config/option-words.js";

export function renderFindings(report: Report, c: ChalkInstance): string[] {
  const m = marks(c);
  if (report.findings.length === 0) return [c.bold("Findings"), `  ${m.ok} nothing wrong found`];
  const out = [c.bold("Findings")];
  for (const f of report.findings) {
    const mark = f.severity === "error" ? m.fail : f.severity === "warning" ? m.warn : m.info;
    const label = f.severity === "error" ? c.red("error") : f.severity === "warning" ? c.yellow("warning") : c.cyan("info");
    out.push(`  ${mark} ${label} ${c.bold(f.title)} ${c.gray(`[${f.id}]`)}`);
    out.push(wrap(f.explanation, "      "));
    for (const e of f.evidence) out.push(c.gray(wrap(`· ${e.fact}`, "      ")));
    out.push(wrap(`${c.green("Fix:")} ${f.fix}`, "      "));
    out.push(c.gray(`      Docs: ${f.docs}`));
  }
  return out;
}

export function renderSummary(report: Report, exitCode: number, c: ChalkInstance, optionName?: OptionNamer): string {
  const s = report.summary;
  const counts = [`${s.errors} error${s.errors === 1 ? "" : "s"}`, `${s.warnings} warning${s.warnings === 1 ? "" : "s"}`].join(", ");
  const verdict = s.interrupted ? c.yellow("INTERRUPTED (partial report)") : s.passed ? c.green("PASS") : c.red("FAIL");
  return resolveOptionWords(`${verdict}  ${counts}  (exit ${exitCode}, {option:failOn} ${s.failOn})`, optionName);
}
