import type { Report } from "./types.js";
import type { Format } from "./formats.js";
import { renderHuman } from "./human.js";
import { renderJson } from "./json.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";

export type { Report, ReportSummary } from "./types.js";
export { SCHEMA_VERSION } from "./types.js";
export { buildReport, isFailing, type FailOn } from "./build.js";
export { exitCodeFor } from "./exit-code.js";
export { FORMATS, type Format } from "./formats.js";

export interface RenderOptions {
  color: boolean;
}

const RENDERERS: Record<Format, (report: Report, options: RenderOptions) => string> = {
  human: renderHuman,
  json: (report) => renderJson(report),
  junit: (report) => renderJunit(report),
  markdown: (report) => renderMarkdown(report),
};

export function render(report: Report, format: Format, options: RenderOptions): string {
  return RENDERERS[format](report, options);
}
