import { definePhase } from "../pipeline/phase.js";
import { workingTargets } from "../probes/connect/loopback-paths.js";
import type { PhaseSettings } from "./settings.js";

/**
 * A browser-like stack (werift) gathers through each server the probes showed working: it only
 * confirms what the raw probe found, and through a broken server werift would wait out the timeout
 * (it reports a 401 as silence).
 */
export function gatherPhase(settings: PhaseSettings) {
  return definePhase({
    name: "gather",
    needs: ["targets", "servers"],
    produces: ["gathering", "candidates"],
    applies: ({ targets, servers }) => workingTargets(targets, servers).length > 0,
    describe: () => "gathering candidates with werift",
    run: async ({ targets, servers }) => {
      const { gatherThroughServers } = await import("../probes/gather.js");
      return gatherThroughServers(workingTargets(targets, servers), { timeoutMs: settings.timeoutMs, tlsCa: settings.tlsCa });
    },
  });
}
