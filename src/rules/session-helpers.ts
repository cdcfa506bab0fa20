import type { CandidateFact, SessionFact } from "../facts/index.js";
import { isLocalOnly } from "../net/address-class.js";
import type { Evidence } from "./types.js";

export type Side = "local" | "remote";

/** Every candidate one side announced: in its description and trickled after it. */
export function candidatesOf(session: SessionFact, side: Side): CandidateFact[] {
  return [...(session[side]?.candidates ?? []), ...(session.trickled?.[side] ?? [])];
}

/** True when the side's description is known (an SDP or a dump carried it). */
export function hasSide(session: SessionFact, side: Side): boolean {
  return session[side] !== undefined || (session.trickled?.[side]?.length ?? 0) > 0;
}

export function describeCandidate(c: CandidateFact): string {
  // An address the input left out (Chrome's stats under mDNS, when the log named no such candidate).
  const address = c.address === "" ? "(address hidden)" : c.address;
  const where = c.family === 6 ? `[${address}]:${c.port}` : `${address}:${c.port}`;
  return `${c.type} ${c.protocol}${c.tcpType ? ` ${c.tcpType}` : ""} ${where} (${c.addressClass})`;
}

export function sideName(session: SessionFact, side: Side): string {
  const type = session[side]?.type;
  if (side === "remote") return type ? `the far side's ${type}` : "the far side";
  return type ? `our ${type}` : "our side";
}

/** Evidence lines for a side's candidates; long lists are cut, the pointer leads to the rest. */
export function candidateEvidence(session: SessionFact, side: Side, max = 4): Evidence[] {
  const all = candidatesOf(session, side);
  const shown = all.slice(0, max).map((c) => ({ path: `/session/${side}/candidates`, fact: describeCandidate(c) }));
  if (all.length > max) shown.push({ path: `/session/${side}/candidates`, fact: `and ${all.length - max} more` });
  return shown;
}

/** A candidate someone outside its own network can send to. */
export function isReachableFromAnywhere(c: CandidateFact): boolean {
  return !isLocalOnly(c.addressClass) && c.addressClass !== "mdns" && c.addressClass !== "hidden";
}

/** A candidate pair got through: whatever a description predicted, this session connected. */
export function anyPairSucceeded(session: SessionFact): boolean {
  return (session.pairs ?? []).some((p) => p.state === "succeeded");
}

/** RFC 8445/6544 pairing: same component family; UDP with UDP; TCP active with passive, so with so. */
export function canPair(a: CandidateFact, b: CandidateFact): boolean {
  if (a.family !== undefined && b.family !== undefined && a.family !== b.family) return false;
  if (a.protocol !== b.protocol) return false;
  if (a.protocol === "udp") return true;
  const t = [a.tcpType, b.tcpType].sort().join("/");
  return t === "active/passive" || t === "so/so";
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
