import type { IceServerTarget } from "../../config/types.js";
import type { ConnectivityFact } from "../../facts/connectivity.js";
import type { ServerFact } from "../../facts/servers.js";
import { connectLoopback, type LoopbackOptions, type LoopbackPath } from "./loopback.js";

/**
 * The paths worth trying: host always; server-reflexive through the first STUN URL over UDP that
 * answered (werift speaks STUN over UDP only); relay through every TURN URL whose probe allocated.
 * Paths through servers the probes showed broken would only wait out the timeout.
 */
export function loopbackPaths(targets: readonly IceServerTarget[], servers: readonly ServerFact[]): LoopbackPath[] {
  const working = targets.filter((_, i) => servers[i]?.ok === true);
  const paths: LoopbackPath[] = [{ mode: "loopback-host" }];
  const stun = working.find((t) => t.url.scheme === "stun" && t.url.transport === "udp");
  if (stun) paths.push({ mode: "loopback-srflx", stun });
  for (const turn of working.filter((t) => t.url.isTurn)) paths.push({ mode: "loopback-relay", turn });
  return paths;
}

/** One attempt after another: parallel attempts would share the CPU and blur each other's timings. */
export async function connectLoopbackPaths(paths: readonly LoopbackPath[], options: LoopbackOptions): Promise<ConnectivityFact[]> {
  const facts: ConnectivityFact[] = [];
  for (const path of paths) facts.push(await connectLoopback(path, options));
  return facts;
}
