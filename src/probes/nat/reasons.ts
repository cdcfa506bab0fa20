import type { NatBehaviour, NatReason } from "../../facts/nat.js";
import type { MultiServerResult } from "./multi-server.js";

/** Why an RFC 5780 classification is what it is; empty when it is complete. */
export function rfc5780Reasons(noNat: boolean, mapping: NatBehaviour, filtering: NatBehaviour): NatReason[] {
  const reasons: NatReason[] = [];
  if (noNat) reasons.push(filtering === "endpoint-independent" || filtering === "unknown" ? "no-nat" : "stateful-firewall");
  if (mapping === "unknown") reasons.push("mapping-tests-unanswered");
  if (filtering === "unknown") reasons.push("filtering-tests-unanswered");
  return reasons;
}

/** The multi-server method never sees the filtering, and sees port dependence only with two servers on one IP. */
export function multiServerReasons(noNat: boolean, m: MultiServerResult): NatReason[] {
  const reasons: NatReason[] = [];
  if (noNat) reasons.push("no-nat");
  else if (m.mapping === "unknown") reasons.push("mapping-inconclusive");
  else if (m.mapping !== "endpoint-independent" && !m.portDependenceTested) reasons.push("port-dependence-not-tested");
  reasons.push("filtering-not-tested");
  return reasons;
}

export function singleServerReasons(noNat: boolean): NatReason[] {
  return [...(noNat ? (["no-nat"] as const) : []), "single-server", "filtering-not-tested"];
}
