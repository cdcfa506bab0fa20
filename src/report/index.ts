import type { Report } from "./types.js";
import type { Format } from "./formats.js";
import type { OptionNamer } from "../config/option-words.js";
import { renderHuman } from "./human.js";
import { renderJson } from "./json.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";

export type { Report, ReportSummary } from "./types.js";
export { SCHEMA_VERSION } from "./types.js";
export { buildReport } from "./build.js";
export { isFailing, type FailOn } from "../diagnose/pass-fail.js";
export { exitCodeFor } from "./exit-code.js";
export { FORMATS, type Format } from "./formats.js";

export interface RenderOptions {
  color: boolean;
  /** How the report's own words name an option (default: its API name; the CLI gives its flags). */
  optionName?: OptionNamer;
}

const RENDERERS: Record<Format, (report: Report, options: RenderOptions) => string> = {
  human: renderHuman,
  json: (report) => renderJson(report),
  junit: (report) => renderJunit(report),
  markdown: (report, options) => renderMarkdown(report, options.optionName),
};

export function render(report: Report, format: Format, options: RenderOptions): string {
  return RENDERERS[format](report, options);
}
