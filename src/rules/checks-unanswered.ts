import type { CandidateFact, CandidatePairFact, SessionFact } from "../facts/index.js";
import type { Evidence } from "./types.js";
import { defineRule } from "./define-rule.js";
import { plural } from "./helpers.js";
import { anyPairSucceeded, candidatesOf, describeCandidate, isReachableFromAnywhere } from "./session-helpers.js";

/**
 * Fewer checks than this may be a capture taken while the first ones were still in flight. Browsers
 * retransmit an unanswered check within the first second, so a stalled pair passes this at once.
 */
const MIN_CHECKS = 5;

type Message = "far-side-silent" | "far-side-cannot-hear-us";

function unique(list: readonly CandidateFact[]): CandidateFact[] {
  const seen = new Map<string, CandidateFact>();
  for (const c of list) seen.set(describeCandidate(c), c);
  return [...seen.values()];
}

function sum(pairs: readonly CandidatePairFact[], key: "requestsSent" | "requestsReceived" | "responsesSent"): number {
  return pairs.reduce((n, p) => n + (p[key] ?? 0), 0);
}

function pairLine(p: CandidatePairFact): Evidence {
  const theirs = (p.requestsReceived ?? 0) > 0 ? `; ${plural(p.requestsReceived ?? 0, "check")} received from the far side, ${p.responsesSent ?? 0} answered by us` : "";
  return { path: "/session/pairs", fact: `${describeCandidate(p.local)} -> ${describeCandidate(p.remote)}: ${p.state}, ${plural(p.requestsSent ?? 0, "check")} sent, 0 answered${theirs}` };
}

function candidateList(list: readonly CandidateFact[], max = 4): string {
  const shown = list.slice(0, max).map(describeCandidate).join(", ");
  return list.length > max ? `${shown} and ${list.length - max} more` : shown;
}

/** Why the far side may not have had an address of ours, from what the session shows of our side. */
function whyNoAddressOfOurs(session: SessionFact): string[] {
  const reasons: string[] = [];
  const ours = [...candidatesOf(session, "local"), ...(session.gathered ?? [])];
  if ((session.local?.candidates.length ?? 0) === 0 && (session.trickled?.local?.length ?? 0) === 0) {
    reasons.push(
      session.trickled?.local === undefined
        ? "our description carried no candidate and nothing in the capture shows ours were sent afterwards (an offer sent before gathering completed, without trickling: see sdp-without-candidates)"
        : "our description carried no candidate and none was trickled after it",
    );
  }
  if (ours.length > 0 && ours.every((c) => c.addressClass === "mdns" || c.addressClass === "hidden")) {
    reasons.push("every candidate of ours is an mDNS (.local) name, which a peer resolves only by multicast DNS on the same link: a server elsewhere cannot");
  }
  return reasons;
}

/**
 * A capture's candidate pairs (an explained dump) on which checks went out and not one was answered,
 * and no pair succeeded. What the far
 * side did tells the causes apart: its own checks reaching us mean it has our addresses and our
 * packets do not reach it (inbound UDP filtered on its side); no check from it at all means it also
 * had no usable address of ours, or its checks are dropped before they reach us.
 */
export const checksUnanswered = defineRule<Message>({
  id: "checks-unanswered",
  docs: "docs/rules/checks-unanswered.md",
  requires: ["session"],
  messages: {
    "far-side-cannot-hear-us": { severity: "error", title: "The far side's checks reach us, but not one of ours reaches it (inbound UDP filtered at the far side)" },
    "far-side-silent": { severity: "error", title: "The far side never answered a check, and never sent one" },
  },
  supersedes: [],
  check(facts) {
    const session = facts.session;
    const pairs = session?.pairs ?? [];
    if (!session || pairs.length === 0 || anyPairSucceeded(session)) return [];
    // rtc-doctor's own attempt: far-side-udp-filtered and connection-stalled judge its pairs, with the probes' evidence beside them.
    if (session.source === "connectivity") return [];
    const checked = pairs.filter((p) => (p.requestsSent ?? 0) > 0);
    if (checked.length === 0 || checked.some((p) => (p.responsesReceived ?? 0) > 0)) return [];
    const sent = sum(checked, "requestsSent");
    if (sent < MIN_CHECKS) return [];
    // Checks to private or mDNS far-side addresses lead nowhere from another network: far-side-private-candidates and far-side-mdns-only say why.
    const targets = unique(checked.map((p) => p.remote));
    if (!targets.some(isReachableFromAnywhere)) return [];
    const heardFrom = pairs.filter((p) => (p.requestsReceived ?? 0) > 0);
    const evidence: Evidence[] = [
      ...checked.slice(0, 4).map(pairLine),
      ...(checked.length > 4 ? [{ path: "/session/pairs", fact: `and ${checked.length - 4} more pairs, none answered` }] : []),
      { path: "/session/pairs", fact: `${plural(sent, "check")} sent to ${plural(targets.length, "far-side candidate")} (${candidateList(targets)}), not one answered` },
    ];
    if (heardFrom.length > 0) {
      const received = sum(heardFrom, "requestsReceived");
      const answered = sum(heardFrom, "responsesSent");
      const where = unique(heardFrom.map((p) => p.local));
      evidence.push({ path: "/session/pairs", fact: `the far side's checks arrived: ${plural(received, "check")} on ${candidateList(where)}, ${answered} answered by us` });
      return [
        {
          message: "far-side-cannot-hear-us",
          explanation:
            `The far side has our addresses and its connectivity checks reach us (${plural(received, "check")}), but of the ${plural(sent, "check")} we sent to its candidates ${candidateList(targets)} not one was answered: ` +
            "packets from it reach us, and nothing shows that anything from us reaches it. The usual cause is the far side's inbound filtering: a cloud security group or host firewall that opens only the signalling port (TCP 443/80) and not the UDP media ports, or a container whose UDP ports are not published. " +
            "An egress filter on our side that drops UDP to those addresses gives the same picture; a `check` from this network shows whether UDP leaves it.",
          fix:
            "On the far side, allow inbound UDP to its media port range from anywhere (security group / firewall rule; Docker: publish the range with /udp), and restrict the range in its WebRTC settings if needed. " +
            "Or give both sides a TURN server: with a relay on each end, the far side only needs to reach its own TURN server.",
          evidence,
          subjects: ["/session/pairs"],
        },
      ];
    }
    const reasons = whyNoAddressOfOurs(session);
    evidence.push({ path: "/session/pairs", fact: `no check from the far side arrived on any of the ${plural(pairs.length, "pair")}` });
    return [
      {
        message: "far-side-silent",
        explanation:
          `We sent ${plural(sent, "check")} to the far side's candidates ${candidateList(targets)} and not one was answered, and the far side never sent a check of its own to us. Two things are wrong at once: ` +
          "our checks do not reach it (its firewall or security group drops inbound UDP, its candidates are stale, or nothing listens on those ports), and it has no address of ours it can reach" +
          (reasons.length > 0 ? `: ${reasons.join("; ")}.` : " (its checks may also be dropped on the way: our NAT or firewall admits nothing it did not send to first).") +
          " Either one fixed alone would let ICE connect: a check answered in one direction is enough. The far side's own log or stats tell them apart: whether it received our candidates, and whether it sent checks.",
        fix:
          "Make sure the far side gets our candidates: send the offer after ICE gathering completed (pc.localDescription once iceGatheringState is 'complete'), or trickle every icecandidate through signalling. " +
          "Give the browser STUN and TURN servers so it offers server-reflexive and relay candidates, not only .local names. " +
          "On the far side, allow inbound UDP to its media ports, or give both sides a TURN server.",
        evidence,
        subjects: ["/session/pairs"],
      },
    ];
  },
});
