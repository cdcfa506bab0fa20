import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/report/build.js";
import { render } from "../../src/report/index.js";
import { REDACTED, scrubbedErrorText, scrubSecrets } from "../../src/secrets/scrub.js";
import { rules, runRules } from "../../src/rules/index.js";
import type { Rule } from "../../src/rules/types.js";
import { healthyFacts, withServer } from "../helpers/facts.js";
import { expectValidReport } from "../helpers/schema.js";
import { ANSI } from "../helpers/cli.js";

const meta = { startedAt: new Date("2026-11-23T10:00:00Z"), durationMs: 812, failOn: "error" as const };

function brokenReport() {
  const facts = withServer(healthyFacts(), 1, {
    ok: false,
    relayedAddress: undefined,
    error: { code: "wrong-credentials", stunErrorCode: 401, stunReason: "Unauthorized", message: "the TURN server rejected the username or password" },
  });
  return buildReport(facts, runRules(rules, facts), meta);
}

describe("report", () => {
  it("a healthy report validates against the schema and passes", () => {
    const report = buildReport(healthyFacts(), [], meta);
    expectValidReport(report);
    expect(report.summary).toEqual({ errors: 0, warnings: 0, infos: 0, failOn: "error", passed: true });
  });

  it("a report with findings validates and fails", () => {
    const report = brokenReport();
    expectValidReport(report);
    expect(report.summary.passed).toBe(false);
    expect(report.findings[0]?.id).toBe("turn-auth-failed");
  });

  it("human: a line per server with its error, then findings with fix and docs, then the verdict line", () => {
    const text = render(brokenReport(), "human", { color: false });
    expect(text).not.toMatch(ANSI);
    expect(text).toMatch(/✖ turn:198\.51\.100\.1:3478\?transport=udp\s+UDP\s+the TURN server rejected the username or password \(STUN 401 Unauthorized\)/);
    expect(text).toMatch(/✔ turns:turn\.example\.net:443\s+TLS/);
    expect(text).toMatch(/error The TURN server rejects the credentials \[turn-auth-failed\]/);
    expect(text).toMatch(/Fix: Check the username/);
    expect(text).toMatch(/Docs: docs\/rules\/turn-auth-failed\.md/);
    expect(text.trimEnd().split("\n").at(-1)).toMatch(/^FAIL {2}1 error, 0 warnings {2}\(exit 1, --fail-on error\)$/);
  });

  it("human: colour only when asked", () => {
    expect(render(brokenReport(), "human", { color: true })).toMatch(ANSI);
  });

  it("json is the report itself", () => {
    const report = brokenReport();
    expect(JSON.parse(render(report, "json", { color: false }))).toEqual(report);
  });
});

describe("rule engine", () => {
  it("turns a throwing rule into an internal finding and keeps the others", () => {
    const bad: Rule = { id: "bad", severity: "error", title: "t", docs: "docs/rules/bad.md", check: () => { throw new Error("boom"); } };
    const findings = runRules([bad, ...rules], healthyFacts());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ id: "internal-rule-error", severity: "warning" });
    expect(findings[0]?.explanation).toContain("boom");
  });

  it("orders findings by severity, then by rule order", () => {
    const mk = (id: string, severity: "error" | "warning" | "info"): Rule => ({ id, severity, title: id, docs: "", check: () => [{ explanation: "", fix: "", evidence: [] }] });
    expect(runRules([mk("a", "info"), mk("b", "error"), mk("c", "warning"), mk("d", "error")], healthyFacts()).map((f) => f.id)).toEqual(["b", "d", "c", "a"]);
  });
});

describe("scrubSecrets", () => {
  it("replaces every occurrence, also JSON-escaped, longest secret first", () => {
    expect(scrubSecrets('a pa"ss b pa\\"ss c', ['pa"ss'])).toBe("a [redacted] b [redacted] c");
    expect(scrubSecrets("secret-long and secret", ["secret", "secret-long"])).toBe("[redacted] and [redacted]");
  });
  it("ignores secrets too short to be told apart from ordinary text", () => {
    expect(scrubSecrets("a b", ["a"])).toBe("a b");
  });
  it("gives probes the same placeholder for an error's message, and skips absent credentials", () => {
    expect(scrubbedErrorText(new Error("auth s3cr3t-pw failed"), [undefined, "s3cr3t-pw"])).toBe(`auth ${REDACTED} failed`);
    expect(scrubbedErrorText("plain", [])).toBe("plain");
  });
});
