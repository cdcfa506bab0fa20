import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/report/build.js";
import { render } from "../../src/report/index.js";
import { REDACTED, scrubbedErrorText, scrubSecrets } from "../../src/secrets/scrub.js";
import { diagnose } from "../../src/diagnose/index.js";
import { healthyFacts, withServer } from "../helpers/facts.js";
import { expectValidReport } from "../helpers/schema.js";
import { ANSI } from "../helpers/cli.js";
import { cliOptionName } from "../../src/cli/option-flags.js";

const meta = { startedAt: new Date("2026-11-23T10:00:00Z"), durationMs: 812 };

function brokenReport() {
  const facts = withServer(healthyFacts(), 1, {
    ok: false,
    relayedAddress: undefined,
    error: { code: "wrong-credentials", stunErrorCode: 401, stunReason: "Unauthorized", detail: "the TURN server rejected the username or password", message: "the TURN server rejected the username or password" },
  });
  return buildReport(facts, diagnose(facts), meta);
}

describe("report", () => {
  it("a healthy report validates against the schema and passes", () => {
    const report = buildReport(healthyFacts(), diagnose(healthyFacts(), { rules: [] }), meta);
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
    expect(text.trimEnd().split("\n").at(-1)).toMatch(/^FAIL {2}1 error, 0 warnings {2}\(exit 1, `failOn` error\)$/);
    // The CLI renders the same words with its flag names.
    const cli = render(brokenReport(), "human", { color: false, optionName: cliOptionName });
    expect(cli.trimEnd().split("\n").at(-1)).toMatch(/^FAIL {2}1 error, 0 warnings {2}\(exit 1, --fail-on error\)$/);
  });

  it("human: colour only when asked", () => {
    expect(render(brokenReport(), "human", { color: true })).toMatch(ANSI);
  });

  it("json is the report itself", () => {
    const report = brokenReport();
    expect(JSON.parse(render(report, "json", { color: false }))).toEqual(report);
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
