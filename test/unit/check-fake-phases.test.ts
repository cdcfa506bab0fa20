import { describe, expect, it } from "vitest";
import { check } from "../../src/check.js";
import { definePhase } from "../../src/pipeline/phase.js";
import type { PhaseSettings } from "../../src/phases/settings.js";
import { serverFact } from "../helpers/facts.js";

// check() with fake phases: the whole flow (configuration, runner, facts, rules, report) without a
// single packet, so diagnosis can be tested from any facts a phase could produce.
describe("check() with injected phases", () => {
  it("turns the phases' artifacts into the report's facts and diagnoses them", async () => {
    let settings: PhaseSettings | undefined;
    let seenTargets: string[] = [];
    const report = await check({
      stun: ["stun:198.51.100.1:3478"],
      timeoutMs: 1234,
      nat: false,
      phases: (s) => {
        settings = s;
        return [
          definePhase({
            name: "servers",
            needs: ["targets"],
            produces: ["servers"],
            describe: () => "fake",
            run: async ({ targets }) => {
              seenTargets = targets.map((t) => t.id);
              return { servers: [serverFact({ id: targets[0]!.id, url: targets[0]!.url.raw, ok: false, error: { code: "timeout", detail: "no answer after 7 tries in 1234 ms", message: "no answer after 7 tries in 1234 ms" } })] };
            },
          }),
        ];
      },
    });
    expect(settings).toMatchObject({ timeoutMs: 1234, nat: false, gather: true, loopback: true });
    expect(seenTargets).toEqual(["stun:198.51.100.1:3478?transport=udp"]);
    expect(report.servers).toHaveLength(1);
    expect(report.servers[0]?.id).toBe("stun:198.51.100.1:3478?transport=udp");
    expect(report.findings.map((f) => f.id)).toContain("stun-server-unreachable");
    expect(report.summary.passed).toBe(false);
  });

  it("appends handed-out servers after the configured ones", async () => {
    const report = await check({
      stun: ["stun:198.51.100.1:3478"],
      phases: () => [
        definePhase({ name: "servers", needs: ["targets"], produces: ["servers"], describe: () => "", run: async () => ({ servers: [serverFact({ url: "stun:198.51.100.1:3478" })] }) }),
        definePhase({
          name: "handed-out",
          needs: ["servers"],
          produces: ["handedOutServers"],
          describe: () => "",
          run: async () => ({ handedOutServers: [serverFact({ url: "stun:198.51.100.2:3478", index: 1, source: "signalling" })] }),
        }),
      ],
    });
    expect(report.servers.map((s) => [s.index, s.url])).toEqual([
      [0, "stun:198.51.100.1:3478"],
      [1, "stun:198.51.100.2:3478"],
    ]);
  });
});
