import { describe, expect, it } from "vitest";
import { definePhase, type AnyPhase } from "../../../src/pipeline/phase.js";
import { PhaseGraphError, runPhases, type PhaseEvent } from "../../../src/pipeline/run-phases.js";
import { serverFact } from "../../helpers/facts.js";
import type { NatFact } from "../../../src/facts/nat.js";

const nat: NatFact = { mapping: "endpoint-independent", filtering: "endpoint-independent", classic: "full-cone", method: "rfc5780", servers: [], durationMs: 1, tests: [] };

/** A promise the test settles by hand: phases finish exactly when the test says so. */
function gate<T>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

describe("runPhases", () => {
  it("starts independent phases together and a dependent one only after its producer", async () => {
    const servers = gate<void>();
    const started: string[] = [];
    const phases: AnyPhase[] = [
      definePhase({
        name: "servers",
        needs: ["targets"],
        produces: ["servers"],
        describe: () => "s",
        run: async () => {
          started.push("servers");
          await servers.promise;
          return { servers: [serverFact({ url: "stun:198.51.100.1:3478" })] };
        },
      }),
      definePhase({ name: "nat", needs: ["servers"], produces: ["nat"], describe: () => "n", run: async () => (started.push("nat"), { nat }) }),
      definePhase({ name: "gather", needs: ["servers"], produces: ["gathered"], describe: () => "g", run: async () => (started.push("gather"), { gathered: [] }) }),
      definePhase({ name: "early", needs: ["targets"], produces: ["connectivity"], describe: () => "e", run: async () => (started.push("early"), { connectivity: [] }) }),
    ];
    const run = runPhases(phases, { targets: [] });
    await Promise.resolve();
    expect(started).toEqual(["servers", "early"]);
    servers.open();
    const { artifacts, outcomes } = await run;
    expect(started.slice(2).sort()).toEqual(["gather", "nat"]);
    expect(artifacts.nat).toBe(nat);
    expect(outcomes.map((o) => o.state)).toEqual(["ran", "ran", "ran", "ran"]);
  });

  it("skips a phase whose needs were not produced, and one that does not apply", async () => {
    const ran: string[] = [];
    const { outcomes, artifacts } = await runPhases(
      [
        definePhase({ name: "connect", needs: ["targets"], produces: ["handedOutTargets"], describe: () => "", run: async () => ({}) }),
        definePhase({ name: "handed-out", needs: ["handedOutTargets"], produces: ["handedOutServers"], describe: () => "", run: async () => (ran.push("handed-out"), { handedOutServers: [] }) }),
        definePhase({ name: "off", needs: ["targets"], produces: ["nat"], applies: () => false, describe: () => "", run: async () => (ran.push("off"), { nat }) }),
      ],
      { targets: [] },
    );
    expect(ran).toEqual([]);
    expect(outcomes).toEqual([
      { phase: "connect", state: "ran" },
      { phase: "handed-out", state: "skipped" },
      { phase: "off", state: "skipped" },
    ]);
    expect(artifacts.nat).toBeUndefined();
  });

  it("reports progress once per phase, start before done, with the phase's own text", async () => {
    const events: PhaseEvent[] = [];
    await runPhases([definePhase({ name: "nat", needs: ["targets"], produces: ["nat"], describe: () => "classifying", run: async () => ({ nat }) })], { targets: [] }, { onProgress: (e) => events.push(e) });
    expect(events).toEqual([
      { phase: "nat", state: "start", text: "classifying" },
      { phase: "nat", state: "done", text: "classifying" },
    ]);
  });

  it("on abort stops waiting at once, keeps what running phases had, and starts nothing more", async () => {
    const controller = new AbortController();
    const never = gate<void>();
    let laterRan = false;
    const run = runPhases(
      [
        definePhase({
          name: "servers",
          needs: ["targets"],
          produces: ["servers"],
          describe: () => "",
          run: async () => (await never.promise, { servers: [] }),
          interrupted: () => ({ servers: [serverFact({ url: "stun:198.51.100.1:3478", ok: false })] }),
        }),
        definePhase({ name: "nat", needs: ["servers"], produces: ["nat"], describe: () => "", run: async () => ((laterRan = true), { nat }), interrupted: () => ({}) }),
      ],
      { targets: [] },
      { signal: controller.signal },
    );
    controller.abort();
    const { artifacts, outcomes } = await run;
    expect(artifacts.servers?.[0]?.ok).toBe(false);
    expect(laterRan).toBe(false);
    expect(outcomes).toEqual([
      { phase: "servers", state: "interrupted" },
      { phase: "nat", state: "interrupted" },
    ]);
  });

  it("with a signal aborted before the start, still reports what each phase would have covered", async () => {
    const controller = new AbortController();
    controller.abort();
    let ran = false;
    const { artifacts } = await runPhases(
      [definePhase({ name: "servers", needs: ["targets"], produces: ["servers"], describe: () => "", run: async () => ((ran = true), { servers: [] }), interrupted: () => ({ servers: [serverFact({ url: "stun:a.example" })] }) })],
      { targets: [] },
      { signal: controller.signal },
    );
    expect(ran).toBe(false);
    expect(artifacts.servers).toHaveLength(1);
  });

  it("rejects a list that cannot run: an unproduced need, two producers, a cycle", async () => {
    const p = (name: string, needs: AnyPhase["needs"], produces: AnyPhase["produces"]) => definePhase({ name, needs, produces, describe: () => "", run: async () => ({}) });
    await expect(runPhases([p("nat", ["servers"], ["nat"])], { targets: [] })).rejects.toThrow(new PhaseGraphError("phase 'nat' needs 'servers', which no phase produces"));
    await expect(runPhases([p("a", ["targets"], ["nat"]), p("b", ["targets"], ["nat"])], { targets: [] })).rejects.toThrow(/'nat' is produced by both 'a' and 'b'/);
    await expect(runPhases([p("a", ["nat"], ["servers"]), p("b", ["servers"], ["nat"])], { targets: [] })).rejects.toThrow(/cycle: a -> b -> a/);
  });

  it("passes a phase's failure on (a bug, not a network fact)", async () => {
    await expect(
      runPhases([definePhase({ name: "nat", needs: ["targets"], produces: ["nat"], describe: () => "", run: async () => Promise.reject(new Error("bug")) })], { targets: [] }),
    ).rejects.toThrow("bug");
  });
});
