import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { rules } from "../../../src/rules/index.js";

// explain gives the rules a session (and, from a dump, the page's ICE server counts) and nothing
// probed: the rules that need no other fact are the ones that can fire on an SDP or a dump.
const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

describe("the README's list of what explain recognises", () => {
  it("names exactly the rules that can fire on an SDP or a dump, in the registry's order", () => {
    const section = readme.slice(readme.indexOf("## Captures you already have: `explain`"), readme.indexOf("## Options"));
    const listed = [...section.matchAll(/^- `([a-z0-9-]+)`:/gm)].map((m) => m[1]);
    const possible = rules.filter((r) => r.requires.every((k) => k === "session")).map((r) => r.id);
    expect(listed).toEqual(possible);
  });
});
