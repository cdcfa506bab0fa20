import { secretsOf } from "../config/ice-servers.js";
import type { ServerFact } from "../facts/servers.js";
import { definePhase } from "../pipeline/phase.js";
import { interruptedFacts, plural, probeTargets } from "./servers.js";
import type { PhaseSettings } from "./settings.js";

/**
 * The servers a signalling server handed out are what its clients will use: they get the same
 * per-server facts as configured ones, listed after them so that /servers/<index> keeps its meaning.
 */
export function handedOutServersPhase(settings: PhaseSettings) {
  const done = new Map<string, ServerFact>();
  return definePhase({
    name: "handed-out servers",
    needs: ["handedOutTargets", "targets"],
    produces: ["handedOutServers"],
    describe: ({ handedOutTargets }) => `probing ${plural(handedOutTargets.length)} from the signalling server`,
    run: async ({ handedOutTargets, targets }, context) => {
      context.secrets(secretsOf(handedOutTargets));
      return { handedOutServers: await probeTargets(handedOutTargets, settings, targets.length, done) };
    },
    interrupted: ({ handedOutTargets, targets }) => ({ handedOutServers: interruptedFacts(handedOutTargets, targets.length, done) }),
  });
}
