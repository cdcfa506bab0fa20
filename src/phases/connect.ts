import type { ConnectivityFact } from "../facts/connectivity.js";
import type { SessionFact } from "../facts/session.js";
import type { GatherOutcome } from "../facts/merge-gathering.js";
import { signallingTargets } from "../config/signalling-servers.js";
import { definePhase } from "../pipeline/phase.js";
import { serverPaths } from "../probes/connect/server-paths.js";
import type { PhaseSettings } from "./settings.js";

/** The remote attempt seen as a session, so the SDP and session rules judge it like an explained one. */
export function sessionFromRemote(fact: ConnectivityFact | undefined): SessionFact | undefined {
  const sig = fact?.signalling;
  if (!fact || !sig || !sig.offer) return undefined;
  return {
    source: "connectivity",
    local: sig.offer,
    ...(sig.answer ? { remote: sig.answer } : {}),
    trickled: { local: fact.localCandidates.slice(sig.offerCandidates), remote: [] },
    iceStates: fact.iceStates.map((s) => s.state),
    pairs: fact.pairs,
  };
}

/**
 * Two local peers over host candidates: the one path that needs no server, so it does not wait for
 * the server probes (behind a UDP-blocking firewall those wait longest).
 */
export function hostConnectPhase(settings: PhaseSettings) {
  return definePhase({
    name: "connect host",
    needs: ["targets"],
    produces: ["hostConnectivity"],
    describe: () => "connecting two peers over host candidates",
    run: async ({ targets }) => {
      const { connectHost } = await import("../probes/connect/phase.js");
      return { hostConnectivity: await connectHost(settings, targets) };
    },
  });
}

/**
 * The srflx loopback, once NAT discovery is done when it runs: behind a NAT that does not hairpin
 * the attempt cannot connect, and is not made (see connectSrflx). Runs beside the relay attempts.
 */
export function srflxConnectPhase(settings: PhaseSettings) {
  // Without NAT discovery there is no hairpinning test to wait for.
  const needs = (settings.nat ? ["targets", "servers", "nat"] : ["targets", "servers"]) as ("targets" | "servers" | "nat")[];
  return definePhase({
    name: "connect srflx",
    needs,
    produces: ["srflxConnectivity"],
    applies: ({ targets, servers }) => serverPaths(targets, servers).some((p) => p.mode === "loopback-srflx"),
    describe: () => "connecting two peers over their server-reflexive candidates",
    run: async ({ targets, servers, nat }) => {
      const { connectSrflx } = await import("../probes/connect/phase.js");
      const fact = await connectSrflx(targets, servers, nat, settings);
      return fact ? { srflxConnectivity: fact } : {};
    },
  });
}

/** Real connections through servers: two local peers over each relay path, and the far peer through the signalling URL. */
export function connectPhase(settings: PhaseSettings) {
  // What finished before an interruption: the report keeps those attempts and their gathering.
  const pathGathered: GatherOutcome[] = [];
  const finished: ConnectivityFact[] = [];
  return definePhase({
    name: "connect",
    needs: ["targets", "servers"],
    produces: ["connectivity", "session", "handedOutTargets", "pathGathered"],
    applies: () => settings.loopback || settings.remote !== undefined,
    describe: () => (settings.remote ? "connecting through the signalling URL" : "connecting two peers over each relay path"),
    run: async ({ targets, servers }) => {
      const { runConnectPhase } = await import("../probes/connect/phase.js");
      const { connectivity, signallingIceServers } = await runConnectPhase(targets, servers, {
        onServerGathering: (outcome) => pathGathered.push(outcome),
        onAttempt: (fact) => finished.push(fact),
        loopback: settings.loopback,
        remote: settings.remote,
        timeoutMs: settings.timeoutMs,
        connectTimeoutMs: settings.connectTimeoutMs,
        signalTimeoutMs: settings.signalTimeoutMs,
        tlsCa: settings.tlsCa,
        parallelism: settings.connectParallelism,
        qualityDurationMs: settings.qualityDurationMs,
        ...(settings.loopbackQuality ? { loopbackQuality: settings.loopbackQuality } : {}),
      });
      const session = sessionFromRemote(connectivity.find((c) => c.mode === "remote"));
      const handedOut = signallingTargets(signallingIceServers, targets);
      return {
        connectivity,
        pathGathered,
        ...(session ? { session } : {}),
        ...(handedOut.length > 0 ? { handedOutTargets: handedOut } : {}),
      };
    },
    interrupted: () => ({ connectivity: [...finished], pathGathered: [...pathGathered] }),
  });
}
