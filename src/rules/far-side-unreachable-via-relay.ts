import type { CandidatePairFact } from "../facts/index.js";
import { defineRule } from "./define-rule.js";
import { candidatesOf, describeCandidate, isReachableFromAnywhere } from "./session-helpers.js";

function unanswered(p: CandidatePairFact): boolean {
  return (p.requestsSent ?? 0) > 0 && (p.responsesReceived ?? 0) === 0;
}

/**
 * Our side has a working relay (a relay candidate, and checks leave through it) but not one check
 * to the far side's public candidates is answered: the far side's firewall admits nothing from the
 * relay, or its candidates are stale. The far side's own view would show the mirror image.
 */
export const farSideUnreachableViaRelay = defineRule({
  id: "far-side-unreachable-via-relay",
  docs: "docs/rules/far-side-unreachable-via-relay.md",
  requires: ["session"],
  messages: {
    "relay-checks-unanswered": { severity: "error", title: "Our relay works, but the far side's candidates never answer (firewall on the far side)" },
  },
  // The same unanswered checks, with the relay that shows our side's path works.
  supersedes: ["checks-unanswered"],
  check(facts) {
    const session = facts.session;
    const pairs = session?.pairs ?? [];
    if (!session || pairs.length === 0 || pairs.some((p) => p.state === "succeeded")) return [];
    const viaRelay = pairs.filter((p) => p.local.type === "relay");
    if (viaRelay.length === 0 || !viaRelay.every(unanswered)) return [];
    // Checks to private far-side addresses lead nowhere from here: that shows no firewall, so there is nothing to say.
    if (!candidatesOf(session, "remote").some(isReachableFromAnywhere) && !viaRelay.some((p) => isReachableFromAnywhere(p.remote))) return [];
    const sent = viaRelay.reduce((n, p) => n + (p.requestsSent ?? 0), 0);
    return [
      {
        message: "relay-checks-unanswered",
        explanation:
          `Our side reached its TURN relay (relay candidate ${viaRelay[0] ? describeCandidate(viaRelay[0].local) : ""}) and sent ${sent} connectivity checks through it to ${viaRelay.length} far-side candidate pair${viaRelay.length === 1 ? "" : "s"}, ` +
          "and not one was answered, while no pair succeeded at all. The relay path on our side works; what drops the checks is between the relay and the far side: " +
          "its firewall or security group admits no UDP from the relay's address, its candidates are stale (the far side restarted or changed network), or it is not listening on those ports.",
        fix:
          "On the far side: allow inbound UDP from the TURN server's relay addresses to its media port range (cloud security group / firewall), or give the far side the same TURN server so both ends meet at the relay. " +
          "Check that the far side's candidates in the answer are current and that its media ports are the ones published (Docker: -p with /udp).",
        evidence: viaRelay.slice(0, 4).map((p) => ({
          path: "/session/pairs",
          fact: `${describeCandidate(p.local)} -> ${describeCandidate(p.remote)}: ${p.state}, ${p.requestsSent ?? 0} requests sent, ${p.responsesReceived ?? 0} responses`,
        })),
        subjects: ["/session/pairs"],
      },
    ];
  },
});
