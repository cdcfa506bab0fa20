import type { Finding } from "../rules/types.js";
import { failsAt } from "../diagnose/pass-fail.js";
import type { Report } from "./types.js";
import { attachFindings } from "./attach-findings.js";
import { detailOf } from "../facts/probe-error.js";
import { notAttemptedWords } from "./connectivity-words.js";
import { dtlsLine, mediaLines } from "./media-lines.js";
import { restartOk, restartSummary } from "./restart-text.js";
import { qualityWords } from "./quality-words.js";

interface TestCase {
  name: string;
  timeMs: number;
  /** The tested thing itself failed (probe error, no connection, unmet expectation). */
  failed?: string;
  skipped?: string;
  findings: Finding[];
  out: string[];
}

interface Suite {
  name: string;
  cases: TestCase[];
}

/** XML 1.0 forbids most control characters even escaped; ANSI escapes would make the file unparsable. */
function xml(text: string): string {
  return text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

function describeFinding(f: Finding): string {
  const evidence = f.evidence.map((e) => `  - ${e.fact}${e.path ? ` (${e.path})` : ""}`);
  return [`[${f.severity}] ${f.title} (${f.id})`, f.explanation, ...(evidence.length ? ["Evidence:", ...evidence] : []), `Fix: ${f.fix}`, `Docs: ${f.docs}`].join("\n");
}

function suites(report: Report): Suite[] {
  const { byItem, unattached } = attachFindings(report.findings);
  const attached = (key: string) => byItem.get(key) ?? [];
  const out: Suite[] = [];

  out.push({
    name: "servers",
    cases: report.servers.map((s) => ({
      name: `${s.url} (${s.transport.toUpperCase()})`,
      timeMs: s.durationMs,
      ...(s.error?.code === "interrupted" ? { skipped: detailOf(s.error) } : !s.ok ? { failed: detailOf(s.error) ?? "failed" } : {}),
      findings: attached(`servers/${s.index}`),
      out: [s.ok ? `ok${s.rttMs !== undefined ? ` in ${s.rttMs} ms` : ""}` : `failed: ${detailOf(s.error) ?? "unknown"}`, ...s.exchanges.map((e) => `${e.request}: ${e.outcome}`)],
    })),
  });

  if (report.nat) {
    const nat = report.nat;
    out.push({
      name: "nat",
      cases: nat.tests.map((t, i) => ({
        name: t.name,
        timeMs: t.rttMs ?? 0,
        findings: attached(`nat/tests/${i}`),
        out: [`${t.result} (sent to ${t.sentTo.address}:${t.sentTo.port}, ${t.attempts} attempt${t.attempts === 1 ? "" : "s"})`, `NAT: ${nat.classic} (mapping ${nat.mapping}, filtering ${nat.filtering})`],
      })),
    });
  }

  const attempts = report.connectivity;
  if (attempts) {
    out.push({
      name: "connectivity",
      cases: attempts.map((a, i) => ({
        name: `${a.mode}${a.via ? ` via ${a.via}` : ""}`,
        timeMs: a.durationMs ?? 0,
        ...(a.notAttempted ? { skipped: notAttemptedWords(a.notAttempted) } : a.ok ? {} : { failed: detailOf(a.error) ?? (a.stalledIn ? `stalled in ${a.stalledIn}` : "did not connect") }),
        findings: attached(`connectivity/${i}`),
        out: [
          a.ok ? `connected${a.rttMs !== undefined ? `, echo RTT ${a.rttMs} ms` : ""}` : `not connected${a.stalledIn ? `: stalled in ${a.stalledIn}` : ""}`,
          ...(a.dtls ? [dtlsLine(a.dtls)] : []),
          ...(a.media ? mediaLines(a.media) : []),
          ...(a.quality ? [qualityWords(a.quality)] : []),
        ],
      })),
    });
    // The restart is its own testcase, so CI lists a call that would not survive a network change;
    // its findings stay with the attempt's testcase above.
    const restarts = attempts.flatMap((a) => (a.restart ? [{ a, r: a.restart }] : []));
    if (restarts.length > 0) {
      out.push({
        name: "restart",
        cases: restarts.map(({ a, r }) => ({
          name: `ICE restart${a.via ? ` via ${a.via}` : ""}`,
          timeMs: r.timeToReconnectMs ?? 0,
          ...(restartOk(r) ? {} : { failed: restartSummary(r) }),
          findings: [],
          out: [restartSummary(r)],
        })),
      });
    }
  }

  if (report.expectations) {
    out.push({
      name: "expectations",
      cases: report.expectations.map((e, i) => ({
        name: e.expectation,
        timeMs: 0,
        ...(e.met ? {} : { failed: `expected ${e.expectation}; actual: ${e.actual}` }),
        findings: attached(`expectations/${i}`),
        out: [e.actual],
      })),
    });
  }

  // Findings about the run as a whole (no TURN configured, NAT verdicts): one testcase each, so CI lists them.
  out.push({
    name: "diagnosis",
    cases: unattached.map((f) => ({ name: `${f.id}: ${f.title}`, timeMs: 0, findings: [f], out: [] })),
  });
  return out.filter((s) => s.cases.length > 0);
}

function renderCase(c: TestCase, suite: string, report: Report): { xml: string; failed: boolean; skipped: boolean } {
  const failing = c.findings.filter((f) => failsAt(f, report.summary.failOn));
  const failed = c.skipped === undefined && (c.failed !== undefined || failing.length > 0);
  const lines = [`    <testcase classname="rtc-doctor.${xml(suite)}" name="${xml(c.name)}" time="${seconds(c.timeMs)}">`];
  if (c.skipped !== undefined) {
    lines.push(`      <skipped message="${xml(c.skipped)}"/>`);
  } else if (failed) {
    const first = failing[0] ?? c.findings[0];
    const message = first ? first.title : (c.failed ?? "failed");
    const body = [c.failed, ...c.findings.map(describeFinding)].filter((x): x is string => x !== undefined).join("\n\n");
    lines.push(`      <failure message="${xml(message)}" type="${xml(first?.id ?? "failed")}">${xml(body)}</failure>`);
  }
  const notes = [...c.out, ...(failed ? [] : c.findings.map(describeFinding))];
  if (notes.length > 0) lines.push(`      <system-out>${xml(notes.join("\n"))}</system-out>`);
  lines.push("    </testcase>");
  return { xml: lines.join("\n"), failed, skipped: c.skipped !== undefined };
}

/**
 * JUnit XML as Jenkins, GitLab and the GitHub test reporters read it: a testsuite per kind of check,
 * a testcase per server probe, NAT test, connection attempt and expectation. A testcase fails when
 * the thing it tested failed, or when a finding about it reaches --fail-on.
 */
export function renderJunit(report: Report): string {
  const timestamp = report.startedAt.replace(/\.\d+Z$/, "Z");
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  const body: string[] = [];
  for (const suite of suites(report)) {
    const rendered = suite.cases.map((c) => renderCase(c, suite.name, report));
    const f = rendered.filter((r) => r.failed).length;
    const s = rendered.filter((r) => r.skipped).length;
    const time = suite.cases.reduce((sum, c) => sum + c.timeMs, 0);
    tests += rendered.length;
    failures += f;
    skipped += s;
    body.push(
      `  <testsuite name="rtc-doctor.${xml(suite.name)}" tests="${rendered.length}" failures="${f}" errors="0" skipped="${s}" time="${seconds(time)}" timestamp="${xml(timestamp)}">`,
      ...rendered.map((r) => r.xml),
      "  </testsuite>",
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(`${report.tool.name} ${report.tool.version}`)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(report.durationMs)}">`,
    ...body,
    "</testsuites>",
    "",
  ].join("\n");
}
