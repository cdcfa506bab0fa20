import type { IceServerTarget } from "../../config/types.js";
import type { ServerFact } from "../../facts/servers.js";
import type { LoopbackPath } from "./types.js";

// Which paths a check tries, from the probes' facts alone: no werift, no SDP parser, so the phases
// that only need to know (gather) load nothing heavy.

/**
 * The paths through servers worth trying: server-reflexive through the first STUN URL over UDP that
 * answered (werift speaks STUN over UDP only); relay through every TURN URL whose probe allocated.
 * Paths through servers the probes showed broken would only wait out the timeout. The host path
 * needs no server and is tried on its own, from the start of the run.
 */
export function serverPaths(targets: readonly IceServerTarget[], servers: readonly ServerFact[]): LoopbackPath[] {
  const working = workingTargets(targets, servers);
  const paths: LoopbackPath[] = [];
  const stun = working.find((t) => t.url.scheme === "stun" && t.url.transport === "udp");
  if (stun) paths.push({ mode: "loopback-srflx", stun });
  for (const turn of working.filter((t) => t.url.isTurn)) paths.push({ mode: "loopback-relay", turn });
  return paths;
}

/** The STUN or TURN target a path goes through; none for the host path. */
export function serverOfPath(path: LoopbackPath): IceServerTarget | undefined {
  return path.mode === "loopback-srflx" ? path.stun : path.mode === "loopback-relay" ? path.turn : undefined;
}

/** The TURN target a browser-like client here relays through: the first TURN URL that allocated (werift uses only one). */
export function clientRelayTarget(targets: readonly IceServerTarget[], servers: readonly ServerFact[]): IceServerTarget | undefined {
  return workingTargets(targets, servers).find((t) => t.url.isTurn);
}

/** The targets whose own probe succeeded, in configuration order, matched by id. */
export function workingTargets(targets: readonly IceServerTarget[], servers: readonly ServerFact[]): IceServerTarget[] {
  const ok = new Set(servers.filter((s) => s.ok).map((s) => s.id));
  return targets.filter((t) => ok.has(t.id));
}

