import { definePhase } from "../pipeline/phase.js";
import type { IceServerTarget } from "../config/types.js";
import type { ServerFact } from "../facts/servers.js";
import { serverOfPath, serverPaths, workingTargets } from "../probes/connect/server-paths.js";
import type { PhaseSettings } from "./settings.js";

/**
 * A browser-like stack (werift) gathers through each server the probes showed working: it only
 * confirms what the raw probe found, and through a broken server werift would wait out the timeout
 * (it reports a 401 as silence).
 */
export function gatherPhase(settings: PhaseSettings) {
  const toGather = (targets: readonly IceServerTarget[], servers: readonly ServerFact[]) => {
    // A loopback relay attempt's offering peer gathers through its TURN server just as this phase
    // would; that gathering is reported from there (pathGathered), not done twice. The srflx attempt
    // waits for NAT discovery and may not be made at all, so its STUN server is gathered through here.
    const covered = new Set(settings.loopback ? serverPaths(targets, servers).filter((p) => p.mode === "loopback-relay").map((p) => serverOfPath(p)?.id) : []);
    return workingTargets(targets, servers).filter((t) => !covered.has(t.id));
  };
  return definePhase({
    name: "gather",
    needs: ["targets", "servers"],
    produces: ["gathered"],
    applies: ({ targets, servers }) => toGather(targets, servers).length > 0,
    describe: () => "gathering candidates with werift",
    run: async ({ targets, servers }) => {
      const { gatherThroughServer } = await import("../probes/gather.js");
      const options = { timeoutMs: settings.timeoutMs, tlsCa: settings.tlsCa };
      return { gathered: await Promise.all(toGather(targets, servers).map((t) => gatherThroughServer(t, options))) };
    },
  });
}
