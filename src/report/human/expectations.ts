import type { ChalkInstance } from "chalk";
import type { Report } from "../types.js";
import { marks } from "./style.js";

export function renderExpectations(report: Report, c: ChalkInstance): string[] {
  const results = report.expectations ?? [];
  if (results.length === 0) return [];
  const m = marks(c);
  const width = Math.max(...results.map((r) => r.expectation.length));
  return [
    c.bold("Expectations"),
    ...results.map((r) => `  ${r.met ? m.ok : m.fail} ${r.expectation.padEnd(width)}  ${r.met ? r.actual : c.red(r.actual)}`),
  ];
}
