import { describe, expect, it } from "vitest";
import { runRules } from "../../../src/rules/engine.js";
import { defineRule } from "../../../src/rules/define-rule.js";
import { covers, coversAll } from "../../../src/rules/subjects.js";
import type { FactKey, Rule, RuleHit, Severity } from "../../../src/rules/types.js";
import { healthyFacts } from "../../helpers/facts.js";
import { kinds, reported } from "../../helpers/rule-tester.js";

/** A rule that reports one hit per subject list given, with message "m". */
function rule(id: string, subjects: string[][], options: { severity?: Severity; supersedes?: string[]; requires?: FactKey[] } = {}): Rule {
  return defineRule({
    id,
    docs: `docs/rules/${id}.md`,
    requires: options.requires ?? [],
    messages: { m: { severity: options.severity ?? "error", title: `${id} title` } },
    supersedes: options.supersedes ?? [],
    check: () => subjects.map((s): RuleHit<"m"> => ({ message: "m", explanation: "e", fix: "f", evidence: [], subjects: s })),
  });
}

describe("subject pointers", () => {
  it("cover by JSON-pointer prefix, not by string prefix", () => {
    expect(covers("/servers/2", "/servers/2")).toBe(true);
    expect(covers("/servers/2", "/servers/2/error")).toBe(true);
    expect(covers("/servers/2", "/servers/20")).toBe(false);
    expect(covers("/nat", "/nat/tests/0")).toBe(true);
    expect(covers("", "/anything")).toBe(true);
  });

  it("a finding with no subject is never covered", () => {
    expect(coversAll([""], [])).toBe(false);
    expect(coversAll(["/servers/1"], ["/servers/1", "/servers/2"])).toBe(false);
    expect(coversAll(["/servers/1", "/servers/2"], ["/servers/2"])).toBe(true);
  });
});

describe("rule engine", () => {
  it("turns a throwing rule into an internal finding and keeps the others", () => {
    const bad: Rule = { ...rule("bad", []), check: () => { throw new Error("boom"); } };
    const findings = runRules([bad, rule("ok", [["/config"]], { severity: "info" })], healthyFacts());
    expect(findings.map((f) => [f.id, f.message, f.severity])).toEqual([["internal-rule-error", "rule-failed", "warning"], ["ok", "m", "info"]]);
    expect(findings[0]?.explanation).toContain("boom");
  });

  it("turns a hit naming an undeclared message into an internal finding", () => {
    const bad: Rule = { ...rule("bad", []), check: () => [{ message: "nope", explanation: "", fix: "", evidence: [], subjects: [] }] };
    const [finding] = runRules([bad], healthyFacts());
    expect([finding?.id, finding?.message]).toEqual(["internal-rule-error", "rule-failed"]);
    expect(finding?.explanation).toContain("'nope'");
  });

  it("takes severity and title from the message, filling the title's placeholders from the hit's data", () => {
    const titled = defineRule({
      id: "titled",
      docs: "docs/rules/titled.md",
      requires: [],
      messages: { low: { severity: "info", title: "About {{what}}" }, high: { severity: "error", title: "Broken {{what}} ({{missing}})" } },
      supersedes: [],
      check: () => [
        { message: "low" as const, data: { what: "x" }, explanation: "", fix: "", evidence: [], subjects: [] },
        { message: "high" as const, data: { what: "y" }, explanation: "", fix: "", evidence: [], subjects: [] },
      ],
    });
    expect(runRules([titled], healthyFacts()).map((f) => [f.message, f.severity, f.title])).toEqual([
      ["high", "error", "Broken y ({{missing}})"],
      ["low", "info", "About x"],
    ]);
  });

  it("orders findings by severity, then by rule order", () => {
    const list = [rule("a", [["/a"]], { severity: "info" }), rule("b", [["/b"]]), rule("c", [["/c"]], { severity: "warning" }), rule("d", [["/d"]])];
    expect(runRules(list, healthyFacts()).map((f) => f.id)).toEqual(["b", "d", "c", "a"]);
  });

  it("keeps the report's finding fields and adds the message id and subjects", () => {
    expect(runRules([rule("a", [["/servers/1"]])], healthyFacts())).toEqual([
      { id: "a", message: "m", severity: "error", title: "a title", explanation: "e", fix: "f", docs: "docs/rules/a.md", evidence: [], subjects: ["/servers/1"] },
    ]);
  });
});

describe("requires", () => {
  it("skips a rule whose required facts are absent or empty, and runs it once they are there", () => {
    const natRule = rule("needs-nat", [["/nat"]], { requires: ["nat"] });
    const connectRule = rule("needs-connectivity", [["/connectivity/0"]], { requires: ["connectivity"] });
    expect(runRules([natRule, connectRule], { ...healthyFacts(), connectivity: [] })).toEqual([]);
    const nat = { mapping: "unknown", filtering: "unknown", classic: "unknown", method: "none", servers: [], durationMs: 1, tests: [] } as const;
    expect(runRules([natRule, connectRule], { ...healthyFacts(), nat: { ...nat, servers: [], tests: [] } }).map((f) => f.id)).toEqual(["needs-nat"]);
  });

  it("does not even call a skipped rule", () => {
    const skipped: Rule = { ...rule("s", [], { requires: ["session"] }), check: () => { throw new Error("called"); } };
    expect(runRules([skipped], healthyFacts())).toEqual([]);
  });
});

describe("supersedes and precedence", () => {
  it("a root cause hides the symptom findings whose subjects it covers, and only those", () => {
    const cause = rule("cause", [["/nat", "/servers/0", "/servers/1"]], { supersedes: ["symptom"], severity: "info" });
    const symptom = rule("symptom", [["/servers/0"], ["/servers/1/error"], ["/servers/2"]]);
    expect(reported(runRules([cause, symptom], healthyFacts())).map((f) => [f.rule, f.subjects])).toEqual([
      ["symptom", ["/servers/2"]],
      ["cause", ["/nat", "/servers/0", "/servers/1"]],
    ]);
  });

  it("hides a finding only when all of its subjects are covered", () => {
    const cause = rule("cause", [["/servers/0"]], { supersedes: ["symptom"] });
    const symptom = rule("symptom", [["/servers/0", "/servers/1"]]);
    expect(kinds(reported(runRules([cause, symptom], healthyFacts())))).toEqual(["cause/m", "symptom/m"]);
  });

  it("hides nothing of a rule it does not supersede, whatever the subjects", () => {
    const cause = rule("cause", [[""]], { supersedes: ["other"] });
    const symptom = rule("symptom", [["/servers/0"]]);
    expect(kinds(reported(runRules([cause, symptom], healthyFacts())))).toEqual(["cause/m", "symptom/m"]);
  });

  it("the whole-document subject makes a supersede rule-wide", () => {
    const cause = rule("cause", [[""]], { supersedes: ["symptom"] });
    const symptom = rule("symptom", [["/servers/0"], ["/session/remote"]]);
    expect(kinds(reported(runRules([cause, symptom], healthyFacts())))).toEqual(["cause/m"]);
  });

  it("never hides a finding that names no subject", () => {
    const cause = rule("cause", [[""]], { supersedes: ["symptom"] });
    const symptom = rule("symptom", [[]]);
    expect(kinds(reported(runRules([cause, symptom], healthyFacts())))).toEqual(["cause/m", "symptom/m"]);
  });

  it("does not depend on registry order: a later rule can hide an earlier one", () => {
    const symptom = rule("symptom", [["/nat"]]);
    const cause = rule("cause", [["/nat"]], { supersedes: ["symptom"], severity: "warning" });
    expect(kinds(reported(runRules([symptom, cause], healthyFacts())))).toEqual(["cause/m"]);
  });

  it("a hidden finding still hides its own symptoms (a cause of a cause explains them too)", () => {
    const root = rule("root", [["/nat"]], { supersedes: ["middle"] });
    const middle = rule("middle", [["/nat"]], { supersedes: ["leaf"] });
    const leaf = rule("leaf", [["/nat/tests/0"]]);
    expect(kinds(reported(runRules([root, middle, leaf], healthyFacts())))).toEqual(["root/m"]);
  });
});
