import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { rules } from "../../../src/rules/index.js";

const root = new URL("../../../", import.meta.url);

describe("docs pages", () => {
  it.each(rules.map((r) => [r.id, r.docs] as const))("%s has its page with the three parts", (_id, docs) => {
    const path = new URL(docs, root);
    expect(existsSync(path), `${docs} is missing`).toBe(true);
    const text = readFileSync(path, "utf8");
    expect(text).toMatch(/^# /m);
    expect(text).toMatch(/## What it means/);
    expect(text).toMatch(/## Why ICE stalls/);
    expect(text).toMatch(/## How to fix it/);
  });
});
