import { describe, expect, it } from "vitest";
import { rules, runRules } from "../../../src/rules/index.js";
import { healthyFacts } from "../../helpers/facts.js";

describe("every rule on a healthy run", () => {
  it.each(rules.map((r) => [r.id, r] as const))("%s stays silent", (_id, rule) => {
    expect(rule.check(healthyFacts())).toEqual([]);
  });

  it("the engine produces no finding at all", () => {
    expect(runRules(rules, healthyFacts())).toEqual([]);
  });
});
