import type { IceServerTarget } from "../config/types.js";
import type { ConnectivityFact } from "../facts/connectivity.js";
import type { ServerFact } from "../facts/servers.js";
import { definePhase } from "../pipeline/phase.js";
import { farSideAddresses, type FarSideAddress } from "../probes/far-side-addresses.js";
import { clientRelayTarget } from "../probes/connect/server-paths.js";
import type { PhaseSettings } from "./settings.js";

interface Plan {
  target: IceServerTarget;
  server: ServerFact;
  addresses: FarSideAddress[];
}

/** The relay our side's peer used for the remote attempt, and the far side's addresses once its answer is known. */
function plan(targets: readonly IceServerTarget[], servers: readonly ServerFact[], connectivity: readonly ConnectivityFact[]): Plan | undefined {
  const remote = connectivity.find((c) => c.mode === "remote");
  const target = clientRelayTarget(targets, servers);
  const server = target && servers.find((s) => s.id === target.id);
  if (!remote?.signalling?.answer || !target || !server) return undefined;
  const addresses = farSideAddresses(remote);
  return addresses.length > 0 ? { target, server, addresses } : undefined;
}

/**
 * Once the far side's candidates are known: does our TURN server let its relay reach them? A fresh
 * allocation asks a permission for each far-side address (nothing is sent to the far side), so a
 * 403 (coturn denied-peer-ip, loopback peers) can be told apart from a far side that drops relayed
 * traffic. Runs after the attempt, so it never competes with it for the relay.
 */
export function farSidePermissionsPhase(settings: PhaseSettings) {
  return definePhase({
    name: "far-side permissions",
    needs: ["targets", "servers", "connectivity"],
    produces: ["farSidePermissions"],
    applies: ({ targets, servers, connectivity }) => plan(targets, servers, connectivity) !== undefined,
    describe: ({ targets, servers, connectivity }) => {
      const n = plan(targets, servers, connectivity)?.addresses.length ?? 0;
      return `asking the TURN server whether it relays to the far side's ${n === 1 ? "address" : `${n} addresses`}`;
    },
    run: async ({ targets, servers, connectivity }) => {
      const p = plan(targets, servers, connectivity);
      if (!p) return {};
      const { probeFarSidePermissions } = await import("../probes/far-side-permissions.js");
      return { farSidePermissions: [await probeFarSidePermissions(p.target, p.server, p.addresses, { timeoutMs: settings.timeoutMs, tlsCa: settings.tlsCa })] };
    },
  });
}
