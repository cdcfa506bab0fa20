import { describe, expect, it } from "vitest";
import { rules } from "../../../src/rules/index.js";

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const FACT_KEYS = ["servers", "gathering", "candidates", "nat", "expectations", "session", "connectivity", "farSidePermissions"];

describe("every registered rule declares itself", () => {
  it.each(rules.map((r) => [r.id, r] as const))("%s: id, docs page, requires, messages with severity and title, supersedes", (id, rule) => {
    expect(id).toMatch(SLUG);
    expect(rule.docs).toBe(`docs/rules/${id}.md`);
    for (const key of rule.requires) expect(FACT_KEYS).toContain(key);
    const messages = Object.entries(rule.messages);
    expect(messages.length).toBeGreaterThan(0);
    for (const [messageId, message] of messages) {
      expect(messageId).toMatch(SLUG);
      expect(["error", "warning", "info"]).toContain(message.severity);
      expect(message.title.trim()).not.toBe("");
    }
    expect(Array.isArray(rule.supersedes)).toBe(true);
  });

  it("rule ids are unique", () => {
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("supersedes names only registered rules, never itself, and has no cycle", () => {
    const ids = new Set(rules.map((r) => r.id));
    const edges = new Map(rules.map((r) => [r.id, r.supersedes]));
    for (const r of rules) {
      for (const target of r.supersedes) {
        expect(ids.has(target), `${r.id} supersedes unknown ${target}`).toBe(true);
        expect(target).not.toBe(r.id);
      }
    }
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      (edges.get(from) ?? []).some((next) => next === to || (!seen.has(next) && (seen.add(next), reaches(next, to, seen))));
    for (const r of rules) expect(reaches(r.id, r.id), `${r.id} is in a supersedes cycle`).toBe(false);
  });
});
