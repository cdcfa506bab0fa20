import type { ChalkInstance } from "chalk";
import type { Report } from "../types.js";
import { marks, ms } from "./style.js";
import { detailOf } from "../../facts/probe-error.js";

export function renderCandidates(report: Report, c: ChalkInstance): string[] {
  if (report.gathering.length === 0 && report.candidates.length === 0) return [];
  const m = marks(c);
  const out = [c.bold("Gathering with a browser-like stack (werift)")];
  for (const g of report.gathering) {
    const got = [g.srflx ? `${g.srflx} srflx` : "", g.relay ? `${g.relay} relay` : ""].filter(Boolean).join(", ") || "no candidate";
    const why = g.error ? c.gray(` (${detailOf(g.error)})`) : g.timedOut ? c.gray(" (timed out)") : "";
    out.push(`  ${g.ok ? m.ok : m.fail} ${g.url}  ${got}  ${ms(g.durationMs)}${why}`);
  }
  const shown = report.candidates.filter((k) => k.type !== "host");
  for (const k of shown) {
    const related = k.relatedAddress ? c.gray(` from ${k.relatedAddress}:${k.relatedPort ?? ""}`) : "";
    out.push(c.gray(`      ${k.type.padEnd(5)} ${k.protocol} ${k.address}:${k.port}${related}${k.url ? `  via ${k.url}` : ""}`));
  }
  const hosts = report.candidates.filter((k) => k.type === "host").length;
  if (hosts > 0) out.push(c.gray(`      + ${hosts} host candidate${hosts > 1 ? "s" : ""}`));
  return out;
}
