import type { AnyPhase } from "../pipeline/phase.js";
import { connectPhase, hostConnectPhase, srflxConnectPhase } from "./connect.js";
import { farSidePermissionsPhase } from "./far-side-permissions.js";
import { gatherPhase } from "./gather.js";
import { handedOutServersPhase } from "./handed-out-servers.js";
import { natPhase } from "./nat.js";
import { serversPhase } from "./servers.js";
import type { PhaseSettings } from "./settings.js";

/**
 * The phases of `check`, in the order a person reads them; the runner derives what runs when from
 * their needs. A new phase goes here (and its facts into Artifacts, src/pipeline/artifacts.ts).
 */
export function defaultPhases(settings: PhaseSettings): AnyPhase[] {
  return [
    serversPhase(settings),
    ...(settings.loopback ? [hostConnectPhase(settings)] : []),
    ...(settings.gather ? [gatherPhase(settings)] : []),
    ...(settings.nat ? [natPhase(settings)] : []),
    ...(settings.loopback ? [srflxConnectPhase(settings)] : []),
    ...(settings.loopback || settings.remote ? [connectPhase(settings), handedOutServersPhase(settings)] : []),
    ...(settings.remote ? [farSidePermissionsPhase(settings)] : []),
  ];
}
