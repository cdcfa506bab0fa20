import { secretsOf } from "../config/ice-servers.js";
import { signallingTargets } from "../config/signalling-servers.js";
import type { ServerFact } from "../facts/servers.js";
import { definePhase } from "../pipeline/phase.js";
import { interruptedFacts, probeTargets } from "./servers.js";
import type { PhaseSettings } from "./settings.js";

/**
 * The servers a signalling server handed out are what its clients will use: they get the same
 * per-server facts as configured ones, listed after them so that /servers/<index> keeps its meaning.
 */
export function handedOutServersPhase(settings: PhaseSettings) {
  const done = new Map<string, ServerFact>();
  const targetsOf = (input: { handedOutIceServers: Parameters<typeof signallingTargets>[0]; targets: Parameters<typeof signallingTargets>[1] }) =>
    signallingTargets(input.handedOutIceServers, input.targets);
  return definePhase({
    name: "handed-out servers",
    needs: ["handedOutIceServers", "targets"],
    produces: ["handedOutServers"],
    applies: (input) => targetsOf(input).length > 0,
    describe: (input) => {
      const n = targetsOf(input).length;
      return `probing ${n} ICE server URL${n === 1 ? "" : "s"} from the signalling server`;
    },
    run: async (input, context) => {
      const handedOut = targetsOf(input);
      context.secrets(secretsOf(handedOut));
      return { handedOutServers: await probeTargets(handedOut, settings, input.targets.length, done) };
    },
    interrupted: (input) => ({ handedOutServers: interruptedFacts(targetsOf(input), input.targets.length, done) }),
  });
}
