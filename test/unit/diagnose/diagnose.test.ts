import { describe, expect, it } from "vitest";
import { diagnose } from "../../../src/diagnose/index.js";
import { parseExpectations } from "../../../src/config/expectations.js";
import { defineRule } from "../../../src/rules/define-rule.js";
import type { Facts } from "../../../src/facts/index.js";
import { healthyFacts, withServer } from "../../helpers/facts.js";

const timeout = { ok: false, error: { code: "timeout" as const, detail: "no answer", message: "no answer" }, relayedAddress: undefined, mappedAddress: undefined };

describe("diagnose", () => {
  it("a healthy run: no finding, a verdict, passed", () => {
    const d = diagnose(healthyFacts());
    expect(d.findings).toEqual([]);
    expect(d.verdict?.relays).toEqual(["udp", "tcp", "tls"]);
    expect(d.expectations).toBeUndefined();
    expect(d.summary).toEqual({ errors: 0, warnings: 0, infos: 0, failOn: "error", passed: true });
  });

  it("judges the expectations, and an unmet one is an error finding that fails the run", () => {
    const facts: Facts = { ...healthyFacts(), servers: healthyFacts().servers.slice(0, 1) };
    const d = diagnose(facts, { expectations: parseExpectations(["srflx", "relay"]) });
    expect(d.expectations?.map((e) => [e.expectation, e.met])).toEqual([["srflx", true], ["relay", false]]);
    expect(d.findings.map((f) => [f.id, f.message, f.subjects])).toContainEqual(["expectation-failed", "not-measured", ["/expectations/1"]]);
    expect(d.summary.passed).toBe(false);
    // The facts given are not changed: the judged expectations live in the diagnosis.
    expect(facts.expectations).toBeUndefined();
  });

  it("keeps expectations already judged in the facts (explain of a report) and judges them again by the rules", () => {
    const facts: Facts = { ...healthyFacts(), expectations: [{ expectation: "relay:tls", met: false, actual: "no relay over TLS" }] };
    const d = diagnose(facts);
    expect(d.expectations).toEqual(facts.expectations);
    expect(d.findings.map((f) => f.id)).toEqual(["expectation-failed"]);
  });

  it("counts by severity and fails at the failOn threshold", () => {
    const facts = withServer(healthyFacts(), 0, timeout);
    expect(diagnose(facts).summary).toEqual({ errors: 1, warnings: 0, infos: 0, failOn: "error", passed: false });
    expect(diagnose(facts, { failOn: "never" }).summary.passed).toBe(true);
    const stunOnly: Facts = { ...healthyFacts(), servers: healthyFacts().servers.slice(0, 1) };
    expect(diagnose(stunOnly).summary).toEqual({ errors: 0, warnings: 1, infos: 0, failOn: "error", passed: true });
    expect(diagnose(stunOnly, { failOn: "warning" }).summary.passed).toBe(false);
  });

  it("an interrupted run never passes", () => {
    expect(diagnose(healthyFacts(), { interrupted: true }).summary).toEqual({ errors: 0, warnings: 0, infos: 0, failOn: "error", passed: false, interrupted: true });
  });

  it("runs the rules given, not the registry", () => {
    const always = defineRule({
      id: "always",
      docs: "docs/rules/always.md",
      requires: [],
      messages: { m: { severity: "warning", title: "t" } },
      supersedes: [],
      check: () => [{ message: "m" as const, explanation: "", fix: "", evidence: [], subjects: [] }],
    });
    const d = diagnose(withServer(healthyFacts(), 0, timeout), { rules: [always], failOn: "warning" });
    expect(d.findings.map((f) => f.id)).toEqual(["always"]);
    expect(d.summary).toMatchObject({ warnings: 1, errors: 0, passed: false });
  });
});

describe("diagnose names options the caller's way", () => {
  const noNat: Facts = { ...healthyFacts(), servers: healthyFacts().servers.slice(0, 2) };
  const flags = (name: string) => `--flag-for-${name}`;

  it("in findings, verdict reasons and expectation results; API names by default", () => {
    const expectations = parseExpectations(["nat:!symmetric"]);
    const api = diagnose(noNat, { expectations });
    expect(api.expectations?.[0]?.actual).toBe("not measured: NAT discovery did not run (turned off with `nat`, or no STUN server to run it against)");
    expect(api.verdict?.cells[0]?.reason).toContain("turned off with `nat`");
    const cli = diagnose(noNat, { expectations, optionName: flags });
    expect(cli.expectations?.[0]?.actual).toContain("turned off with --flag-for-nat");
    expect(cli.verdict?.cells.every((c) => !c.reason.includes("{option:"))).toBe(true);
    expect(cli.verdict?.cells[0]?.reason).toContain("--flag-for-nat");
    const finding = cli.findings.find((f) => f.id === "expectation-failed");
    expect(finding?.explanation).toContain("--flag-for-nat");
    expect(JSON.stringify(cli)).not.toContain("{option:");
    expect(JSON.stringify(api)).not.toContain("{option:");
  });
});
