import { describe, expect, it } from "vitest";
import { CLASSIC_NAT_LABEL, CLASSIC_NAT_TYPES } from "../../../src/labels/nat.js";
import { EXPECTATION_SYNTAX } from "../../../src/config/expectations.js";
import { runRules } from "../../../src/rules/engine.js";
import { natBehaviour } from "../../../src/rules/nat-behaviour.js";
import { renderNat } from "../../../src/report/human/nat.js";
import { Chalk } from "chalk";
import type { Facts, NatFact } from "../../../src/facts/index.js";
import type { Report } from "../../../src/report/types.js";

const nat: NatFact = {
  mapping: "endpoint-independent",
  filtering: "address-and-port-dependent",
  classic: "port-restricted-cone",
  method: "rfc5780",
  servers: ["stun:192.0.2.1:3478"],
  durationMs: 1,
  tests: [],
};

describe("NAT labels", () => {
  it("every type a run can settle is an expectation value; unknown is not", () => {
    expect(CLASSIC_NAT_TYPES).not.toContain("unknown");
    for (const t of CLASSIC_NAT_TYPES) expect(EXPECTATION_SYNTAX).toContain(t);
  });
  it("the rule title and the human report call a NAT by the same name", () => {
    const facts = { config: { usedDefaultServers: false, timeoutMs: 1, stunCount: 1, turnCount: 0 }, servers: [], gathering: [], candidates: [], nat } as Facts;
    const [finding] = runRules([natBehaviour], facts);
    const label = CLASSIC_NAT_LABEL["port-restricted-cone"];
    expect(finding?.title).toContain(label);
    expect(renderNat({ nat } as unknown as Report, new Chalk({ level: 0 })).join("\n")).toContain(label);
  });
});
