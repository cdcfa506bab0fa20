import type { CandidateFact } from "../facts/index.js";
import { defineRule } from "./define-rule.js";
import { candidateEvidence, candidatesOf, sideName, capitalise } from "./session-helpers.js";

function families(list: readonly CandidateFact[]): Set<4 | 6> {
  return new Set(list.flatMap((c) => (c.family ? [c.family] : [])));
}

/** ICE pairs only candidates of the same address family: an IPv6-only side and an IPv4-only side have no pair. */
export const ipFamilyMismatch = defineRule({
  id: "ip-family-mismatch",
  docs: "docs/rules/ip-family-mismatch.md",
  requires: ["session"],
  messages: {
    "no-common-family": { severity: "error", title: "The two sides have no IP family in common (IPv4 vs IPv6)" },
  },
  supersedes: [],
  check(facts) {
    const session = facts.session;
    if (!session) return [];
    const local = candidatesOf(session, "local");
    const remote = candidatesOf(session, "remote");
    // mDNS names resolve to either family: with one on a side the mismatch is not proven.
    if (local.some((c) => c.family === undefined) || remote.some((c) => c.family === undefined)) return [];
    const l = families(local);
    const r = families(remote);
    if (l.size === 0 || r.size === 0 || [...l].some((f) => r.has(f))) return [];
    const name = (set: Set<4 | 6>) => [...set].map((f) => `IPv${f}`).join("+");
    return [
      {
        message: "no-common-family",
        explanation:
          `${capitalise(sideName(session, "local"))} has only ${name(l)} candidates and ${sideName(session, "remote")} only ${name(r)}. ` +
          "ICE pairs a candidate only with candidates of the same family, so not one pair forms and ICE stays in checking (or fails at once).",
        fix:
          "Give the IPv6-only side an IPv4 path: a TURN server reachable over IPv6 that allocates IPv4 relays (RFC 6156 REQUESTED-ADDRESS-FAMILY; coturn listens on both), or NAT64/dual-stack on that network. " +
          "Check that ICE servers are reachable over both families (a DNS name with A and AAAA records).",
        evidence: [...candidateEvidence(session, "local", 2), ...candidateEvidence(session, "remote", 2)],
        subjects: ["/session/local", "/session/remote"],
      },
    ];
  },
});
