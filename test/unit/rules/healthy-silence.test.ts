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

  it("rule ids are unique slugs with a docs page path", () => {
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of rules) {
      expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(r.docs).toBe(`docs/rules/${r.id}.md`);
    }
  });
});
