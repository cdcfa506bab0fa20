import { fileURLToPath } from "node:url";
import { cruise, type IForbiddenRuleType, type IModule, type IViolation } from "dependency-cruiser";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Code that talks to the network, the disk or the terminal, or renders for people. */
const IO_LAYERS = "^src/(probes|cli|stun|webrtc|signalling|serve)/|^src/(check|interrupt)\\.ts$";

const forbidden: IForbiddenRuleType[] = [
  { name: "no-circular", severity: "error", from: { path: "^src/" }, to: { circular: true } },
  // Rules and diagnosis are pure functions of the facts: no I/O, and no knowledge of how a report is shown.
  { name: "diagnosis-is-pure", severity: "error", from: { path: "^src/(rules|diagnose)/" }, to: { path: `${IO_LAYERS}|^src/(report|explain)/` } },
  { name: "diagnosis-no-node-io", severity: "error", from: { path: "^src/(rules|diagnose)/" }, to: { dependencyTypes: ["core"] } },
  { name: "rules-below-diagnose", severity: "error", from: { path: "^src/rules/" }, to: { path: "^src/diagnose/" } },
  // The report's types and renderers show facts and a diagnosis; they never probe or parse flags.
  { name: "report-is-output-only", severity: "error", from: { path: "^src/report/" }, to: { path: IO_LAYERS } },
];

let modules: IModule[] = [];
let violations: IViolation[] = [];

beforeAll(async () => {
  const result = await cruise(
    ["src"],
    { baseDir: root, tsPreCompilationDeps: true, doNotFollow: { path: "node_modules" }, validate: true, ruleSet: { forbidden } },
    {},
    { tsConfig: { fileName: `${root}tsconfig.json` } },
  );
  if (typeof result.output === "string") throw new Error("dependency-cruiser returned text, not a result");
  modules = result.output.modules;
  violations = result.output.summary.violations;
}, 60_000);

const shown = (rule: string) =>
  violations.filter((v) => v.rule.name === rule).map((v) => (v.cycle ? [v.from, ...v.cycle.map((c) => c.name)].join(" -> ") : `${v.from} -> ${v.to}`));

describe("architecture", () => {
  it("reads the whole source tree and resolves every local import (else the checks below prove nothing)", () => {
    const sources = modules.filter((m) => m.source.startsWith("src/"));
    expect(sources.length).toBeGreaterThan(100);
    const check = sources.find((m) => m.source === "src/check.ts");
    expect(check?.dependencies.map((d) => d.resolved)).toContain("src/diagnose/index.ts");
    const unresolved = sources.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve).map((d) => `${m.source} -> ${d.module}`));
    expect(unresolved).toEqual([]);
  });

  it("has no import cycle in src/", () => {
    expect(shown("no-circular")).toEqual([]);
  });

  it("rules and diagnose import nothing that does I/O or renders, nor any Node built-in", () => {
    expect(shown("diagnosis-is-pure")).toEqual([]);
    expect(shown("diagnosis-no-node-io")).toEqual([]);
    expect(shown("rules-below-diagnose")).toEqual([]);
  });

  it("report imports nothing from the probes, the CLI or the network layers", () => {
    expect(shown("report-is-output-only")).toEqual([]);
  });
});
