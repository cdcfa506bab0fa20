import type { Finding } from "../rules/types.js";
import type { ServerFact, TransportAddress } from "../facts/index.js";
import type { Report } from "./types.js";
import { exitCodeFor } from "./exit-code.js";
import { resolveOptionWords, type OptionNamer } from "../config/option-words.js";
import { detailOf } from "../facts/probe-error.js";
import { notAttemptedWords } from "./connectivity-words.js";
import { dtlsLine, mediaLines } from "./media-lines.js";
import { restartOk, restartSummary } from "./restart-text.js";
import { qualityWords } from "./quality-words.js";

/** Prose: GitHub renders raw HTML, so angle brackets in messages ('<expiry>:<user>') must not vanish. */
function text(value: string): string {
  return value.replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function cell(value: string): string {
  return text(value).replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

/** A code span that survives backticks inside it. */
function code(value: string): string {
  const fence = value.includes("`") ? "``" : "`";
  return `${fence}${value.replace(/\r?\n/g, " ")}${fence}`;
}

const mark = (ok: boolean) => (ok ? "✅" : "❌");

function ms(value: number | undefined): string {
  if (value === undefined) return "";
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

function addr(a: TransportAddress | undefined): string {
  if (!a) return "";
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

function serverRow(s: ServerFact): string {
  const details = s.ok
    ? [ms(s.rttMs), s.relayedAddress ? `relay ${addr(s.relayedAddress)}` : "", s.mappedAddress ? `mapped ${addr(s.mappedAddress)}` : ""]
    : [`${detailOf(s.error) ?? "failed"}${s.error?.stunErrorCode !== undefined ? ` (STUN ${s.error.stunErrorCode})` : ""}`];
  const status = s.error?.code === "interrupted" ? "⏸️" : mark(s.ok);
  return `| ${code(s.url)} | ${s.transport.toUpperCase()} | ${status} | ${cell(details.filter(Boolean).join(", "))} |`;
}

function rows(report: Report): string[] {
  const out = ["| Check | Transport | Result | Details |", "|---|---|---|---|"];
  out.push(...report.servers.map(serverRow));
  if (report.nat) {
    const n = report.nat;
    const known = n.classic !== "unknown" && n.classic !== "udp-blocked";
    out.push(`| NAT (${n.method}) | UDP | ${known ? "✅" : "❔"} | ${cell(`${n.classic}: mapping ${n.mapping}, filtering ${n.filtering}${n.publicAddress ? `, public ${addr(n.publicAddress)}` : ""}`)} |`);
  }
  for (const a of report.connectivity ?? []) {
    if (a.notAttempted) {
      out.push(`| Connect ${a.mode}${a.via ? ` via ${code(a.via)}` : ""} | | ➖ | ${cell(notAttemptedWords(a.notAttempted))} |`);
      continue;
    }
    const details = a.ok
      ? [`connected in ${ms(a.timeToConnectedMs)}`, a.rttMs !== undefined ? `RTT ${ms(a.rttMs)}` : "", a.quality ? qualityWords(a.quality) : ""]
      : [a.stalledIn ? `stalled in ${a.stalledIn}` : "not connected", detailOf(a.error) ?? ""];
    out.push(`| Connect ${a.mode}${a.via ? ` via ${code(a.via)}` : ""} | | ${mark(a.ok)} | ${cell(details.filter(Boolean).join(", "))} |`);
    if (a.dtls && a.dtls.state !== "connected") out.push(`| DTLS${a.via ? ` via ${code(a.via)}` : ""} | | ${mark(false)} | ${cell(dtlsLine(a.dtls))} |`);
    if (a.media && a.media.sent.packets > 0) {
      const [head, ...ways] = mediaLines(a.media);
      out.push(`| Audio${a.via ? ` via ${code(a.via)}` : ""} | RTP | ${mark(audioFlows(a.media))} | ${cell([head, ...ways.map((w) => w.trim())].join("; "))} |`);
    }
    if (a.restart) out.push(`| ICE restart${a.via ? ` via ${code(a.via)}` : ""} | | ${mark(restartOk(a.restart))} | ${cell(restartSummary(a.restart))} |`);
  }
  for (const e of report.expectations ?? []) {
    out.push(`| Expect ${code(e.expectation)} | | ${mark(e.met)} | ${cell(e.actual)} |`);
  }
  return out;
}

/** Each direction the offer asked for carried audio: the far side's reports count ours, and theirs arrived. */
function audioFlows(m: NonNullable<NonNullable<Report["connectivity"]>[number]["media"]>): boolean {
  const sent = m.farSideReports.count > 0 && (m.farSideReports.packetsReceived ?? 0) > 0;
  return sent && (m.offeredDirection !== "sendrecv" || m.received.packets > 0);
}

function finding(f: Finding): string[] {
  const icon = f.severity === "error" ? "❌" : f.severity === "warning" ? "⚠️" : "ℹ️";
  return [
    `### ${icon} ${f.severity}: ${text(f.title)} ${code(f.id)}`,
    "",
    text(f.explanation),
    "",
    ...f.evidence.map((e) => `- ${text(e.fact)}${e.path ? ` (${code(e.path)})` : ""}`),
    ...(f.evidence.length > 0 ? [""] : []),
    `**Fix:** ${text(f.fix)}`,
    "",
    `Docs: ${code(f.docs)}`,
    "",
  ];
}

/** For a GitHub issue, a pull-request comment or $GITHUB_STEP_SUMMARY: verdict, a table of every check, then the findings. */
export function renderMarkdown(report: Report, optionName?: OptionNamer): string {
  const s = report.summary;
  const verdict = s.interrupted ? "⏸️ INTERRUPTED (partial report)" : s.passed ? "✅ PASS" : "❌ FAIL";
  const counts = `${s.errors} error${s.errors === 1 ? "" : "s"}, ${s.warnings} warning${s.warnings === 1 ? "" : "s"}`;
  const lines = [
    `## rtc-doctor: ${verdict}, ${counts}`,
    "",
    `${report.tool.name} ${report.tool.version} · ${report.startedAt} · ${ms(report.durationMs)} · exit ${exitCodeFor(report)} ({option:failOn} ${s.failOn})` +
      (report.config.usedDefaultServers ? " · built-in public STUN list" : ""),
    "",
    ...rows(report),
    "",
  ];
  if (report.findings.length === 0) lines.push("No problem found.", "");
  else lines.push(...report.findings.flatMap(finding));
  return resolveOptionWords(`${lines.join("\n").trimEnd()}\n`, optionName);
}
