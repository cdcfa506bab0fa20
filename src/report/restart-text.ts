import type { RestartFact } from "../facts/restart.js";

const BY: Record<RestartFact["requestedBy"], string> = {
  "whip-patch": "WHIP PATCH If-Match *",
  "pipecat-restart-pc": "Pipecat restart_pc",
  none: "not asked",
};

/** The restart in one line, for every renderer: how it was asked, what came of it. */
export function restartSummary(r: RestartFact): string {
  const parts = [`ICE restart (${BY[r.requestedBy]})`];
  if (r.networkChange) {
    const n = r.networkChange;
    parts.push(`after ${n.what}: ${n.seenDead ? `path seen dead after ${n.seenDeadAfterMs ?? "?"} ms` : `path still alive after ${n.watchedMs} ms`}`);
  }
  if (!r.accepted) {
    parts.push(`refused: ${r.refusal?.detail ?? (r.status !== undefined ? `status ${r.status}` : "no answer")}`);
    return parts.join(", ");
  }
  parts.push(`accepted (${r.status ?? "?"})`);
  if (!r.reconnected) parts.push(`not reconnected within ${r.boundMs} ms`);
  else parts.push(`reconnected in ${r.timeToReconnectMs ?? "?"} ms${r.newPeer ? " (a new far-end peer)" : ""}${r.selectedPair ? ` over ${r.selectedPair.local.type} -> ${r.selectedPair.remote.type}` : ""}`);
  if (r.echo) parts.push(`${r.echo.received}/${r.echo.sent} echoes after it`);
  return parts.join(", ");
}

/** The call survived the restart: accepted, reconnected, and (when echoes were sent) something came back. */
export function restartOk(r: RestartFact): boolean {
  return r.accepted && r.reconnected && (r.echo === undefined || r.echo.received > 0);
}
