import type { IceServerTarget } from "../config/types.js";
import type { ServerFact } from "../facts/servers.js";
import { definePhase } from "../pipeline/phase.js";
import { pendingServerFact } from "../probes/server-fact.js";
import { probeError } from "../facts/probe-error.js";
import type { PhaseSettings } from "./settings.js";

export const plural = (n: number) => `${n} ICE server URL${n === 1 ? "" : "s"}`;

/**
 * Every target probed on its own, all at once (DNS, then Binding or Allocate over its transport),
 * with one first-contact wait shared by all: a TCP/TLS answer bounds how long UDP probes of the
 * same address wait. On interruption the finished probes keep their facts, the rest say so.
 */
export async function probeTargets(
  targets: readonly IceServerTarget[],
  settings: PhaseSettings,
  indexOffset: number,
  done: Map<string, ServerFact>,
): Promise<ServerFact[]> {
  const [{ probeServer }, { FirstContactBound }, { restCredentialFact }] = await Promise.all([
    import("../probes/server-probe.js"),
    import("../probes/first-contact.js"),
    import("../probes/rest-credential.js"),
  ]);
  const firstContact = new FirstContactBound();
  return Promise.all(
    targets.map(async (target, i) => {
      const fact = await probeServer(target, indexOffset + i, { timeoutMs: settings.timeoutMs, tlsCa: settings.tlsCa, firstContact });
      const rest = restCredentialFact(target, settings.startedAt);
      if (rest) fact.restCredential = rest;
      done.set(target.id, fact);
      return fact;
    }),
  );
}

/** What is known of targets whose probe the interruption cut short. */
export function interruptedFacts(targets: readonly IceServerTarget[], indexOffset: number, done: ReadonlyMap<string, ServerFact>): ServerFact[] {
  return targets.map((target, i) => done.get(target.id) ?? interruptedServerFact(target, indexOffset + i));
}

function interruptedServerFact(target: IceServerTarget, index: number): ServerFact {
  return { ...pendingServerFact(target, index), error: probeError("interrupted", "the run was interrupted before this probe finished") };
}

export function serversPhase(settings: PhaseSettings) {
  const done = new Map<string, ServerFact>();
  return definePhase({
    name: "servers",
    needs: ["targets"],
    produces: ["servers"],
    describe: ({ targets }) => `probing ${plural(targets.length)}`,
    run: async ({ targets }) => ({ servers: await probeTargets(targets, settings, 0, done) }),
    interrupted: ({ targets }) => ({ servers: interruptedFacts(targets, 0, done) }),
  });
}
