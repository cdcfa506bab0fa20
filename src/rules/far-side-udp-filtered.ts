import type { CandidateFact, CandidatePairFact, ConnectivityFact, Facts, NatFact } from "../facts/index.js";
import { defineRule } from "./define-rule.js";
import { plural } from "./helpers.js";
import { remoteAttempt, seconds, SLOW_ANSWER_MS } from "./remote-helpers.js";
import { describeCandidate, isReachableFromAnywhere } from "./session-helpers.js";
import type { Evidence, RuleHit } from "./types.js";

type Message = "replies-dropped" | "public-unanswered" | "reflexive-unanswered";

const FIX =
  "On the far side (the server operator): allow inbound UDP to its WebRTC media ports in its cloud security group, network ACL and host firewall (ufw, firewalld, nftables/iptables). " +
  "Opening the signalling port is not enough: media never uses it. aiortc (Pipecat) and most stacks pick random ephemeral UDP ports, so either open that range (e.g. 1024-65535/udp, or the range the stack is pinned to) " +
  "from anywhere, or pin the stack to a small range and open that. " +
  "Or give both sides a TURN server (the same one, in both iceServers) so the media meet at the relay; if the far side's firewall admits no UDP at all, " +
  "the far side must reach it over TCP or TLS (turn:HOST:3478?transport=tcp, turns:HOST:443?transport=tcp).";

function isPublicUdp(c: CandidateFact): boolean {
  return c.protocol === "udp" && isReachableFromAnywhere(c);
}

function hasRelay(fact: ConnectivityFact): boolean {
  const answer = fact.signalling?.answer?.candidates ?? fact.remoteCandidates;
  return [...fact.localCandidates, ...answer].some((c) => c.type === "relay") || fact.pairs.some((p) => p.local.type === "relay" || p.remote.type === "relay");
}

/**
 * What shows that UDP answers reach this side: the far side's own checks arriving, or a STUN
 * server's reply through the very socket the checks leave from (our srflx candidate), or a STUN
 * probe over UDP from this network. Without one of them our own network may be what drops UDP.
 */
function ourUdpWorks(facts: Facts, fact: ConnectivityFact, base: string): Evidence | undefined {
  const received = fact.pairs.reduce((n, p) => n + (p.requestsReceived ?? 0), 0);
  if (received > 0) return { path: `${base}/pairs`, fact: `${plural(received, "check")} from the far side arrived here: UDP from it reaches this side` };
  const srflx = fact.localCandidates.find((c) => c.type === "srflx" && c.protocol === "udp");
  if (srflx) {
    return { path: `${base}/localCandidates`, fact: `our offer has ${describeCandidate(srflx)}: a STUN server's reply came back through our NAT to the socket the checks leave from` };
  }
  const stun = facts.servers.find((s) => s.kind === "stun" && s.transport === "udp" && s.ok);
  if (stun) return { path: `/servers/${stun.index}`, fact: `${stun.url} answered over UDP: replies reach this network` };
  return undefined;
}

/**
 * Our NAT passes unsolicited UDP to a mapping (full cone) or there is none: the far side's checks
 * would arrive. A filtering NAT drops the far side's first checks, and Linux conntrack then gives
 * our own checks another port, so with one nothing can be concluded from silence.
 */
function admitsAnyone(nat: NatFact): boolean {
  return nat.classic === "open-internet" || (nat.mapping === "endpoint-independent" && nat.filtering === "endpoint-independent");
}

function pairLine(p: CandidatePairFact): string {
  return `${describeCandidate(p.local)} -> ${describeCandidate(p.remote)}: ${plural(p.requestsSent ?? 0, "check")} sent, ${p.responsesReceived ?? 0} answered, ${p.requestsReceived ?? 0} received`;
}

/** The far side answered late without a srflx candidate: its own STUN requests got nothing back either, which inbound filtering explains. */
function farGatheringEvidence(fact: ConnectivityFact, base: string): Evidence[] {
  const sig = fact.signalling;
  const answer = sig?.answer;
  if (!sig || !answer || sig.answerMs === undefined || sig.answerMs < SLOW_ANSWER_MS || answer.counts.srflx > 0 || answer.counts.relay > 0) return [];
  return [
    {
      path: `${base}/signalling/answerMs`,
      fact: `the far side answered after ${seconds(sig.answerMs)} with no srflx or relay candidate: a STUN/TURN server it was given sent nothing back either`,
    },
  ];
}

/**
 * The far side does not receive UDP. Its candidates include public ones, checks to them go out and
 * nothing comes back, our side demonstrably receives UDP answers, and no relay pair exists: what
 * drops the checks is the far side's inbound filtering (a security group or firewall that opens only
 * the signalling port), not our NAT. With a relay involved, far-side-unreachable-via-relay speaks.
 */
export const farSideUdpFiltered = defineRule<Message>({
  id: "far-side-udp-filtered",
  docs: "docs/rules/far-side-udp-filtered.md",
  requires: ["connectivity"],
  messages: {
    "replies-dropped": { severity: "error", title: "The far side receives no UDP: its checks reach us, nothing we send reaches it (firewall on the far side)" },
    "public-unanswered": { severity: "error", title: "The far side's public address answers no UDP: its firewall or security group drops the media ports" },
    "reflexive-unanswered": { severity: "error", title: "No UDP passes between us and the far side's public address: a firewall on the far side" },
  },
  // The stall is the symptom this names the cause of.
  supersedes: ["connection-stalled"],
  check(facts) {
    const found = remoteAttempt(facts);
    if (!found) return [];
    const { fact, base } = found;
    if (fact.ok || fact.stalledIn !== "checking" || fact.pairs.length === 0) return [];
    if (fact.pairs.some((p) => p.state === "succeeded") || hasRelay(fact)) return [];
    const toPublic = fact.pairs.filter((p) => isPublicUdp(p.remote));
    if (toPublic.length === 0 || !toPublic.some((p) => (p.requestsSent ?? 0) > 0) || toPublic.some((p) => (p.responsesReceived ?? 0) > 0)) return [];
    const udp = ourUdpWorks(facts, fact, base);
    if (!udp) return [];

    const sent = toPublic.reduce((n, p) => n + (p.requestsSent ?? 0), 0);
    const received = fact.pairs.reduce((n, p) => n + (p.requestsReceived ?? 0), 0);
    const publicHost = toPublic.filter((p) => p.remote.type === "host");
    const evidence: Evidence[] = [
      ...toPublic.slice(0, 4).map((p) => ({ path: `${base}/pairs`, fact: pairLine(p) })),
      udp,
      { path: `${base}/signalling/answer/counts`, fact: "no relay candidate on either side: there is no TURN path around the far side's filter" },
      ...farGatheringEvidence(fact, base),
    ];
    const subjects = [base];
    const checks = `${plural(sent, "connectivity check")} to ${plural(toPublic.length, "public candidate")} of the far side (${toPublic.slice(0, 2).map((p) => describeCandidate(p.remote)).join(", ")})`;

    let hit: RuleHit<Message> | undefined;
    if (received > 0) {
      hit = {
        message: "replies-dropped",
        explanation:
          `The far side's own checks arrived here (${plural(received, "check")}), so UDP leaves its network and our side lets it in; rtc-doctor answered each one, and sent ${checks}. ` +
          "Not one answer or check came back: what we send never reaches the far side. Its network drops inbound UDP, even the answers to its own checks: " +
          "a stateless filter (a cloud network ACL, or a host firewall without an ESTABLISHED rule) that admits only the signalling port (TCP). Our NAT is not the cause: it admitted the far side's packets.",
        fix: FIX,
        evidence,
        subjects,
      };
    } else if (publicHost.length > 0) {
      hit = {
        message: "public-unanswered",
        explanation:
          `The far side offers a public host candidate (it sits on a public address, no NAT in front of its media), and rtc-doctor sent ${checks}: not one was answered, and no check of the far side arrived here. ` +
          "Our side receives UDP answers (see the evidence), and no relay path exists, so the checks are dropped on the far side's way in: a security group or firewall that opens only the signalling port. " +
          "Causes that remain: nothing listens on those ports any more (the far side closed the session or crashed), or our own network lets UDP out only to some ports (an egress filter that passes the STUN port). " +
          "What tells them apart: a capture on the far host (tcpdump -n udp port PORT) shows whether our checks arrive; its security group's inbound rules show what it admits.",
        fix: FIX,
        evidence,
        subjects,
      };
    } else if (facts.nat && admitsAnyone(facts.nat)) {
      hit = {
        message: "reflexive-unanswered",
        explanation:
          `The far side offers public server-reflexive candidates (it is behind a NAT), and rtc-doctor sent ${checks}: not one was answered, and no check of the far side arrived here. ` +
          `Our side admits UDP from anywhere (${facts.nat.mapping} mapping, ${facts.nat.filtering} filtering), so any check the far side sent to our srflx address would have arrived, and answers to ours would too. ` +
          "What drops the packets is on the far side: a firewall that lets no UDP in (and none of its checks out), or a far side that never started its checks. " +
          "What tells them apart: the far side's ICE stats (does it send checks, do its STUN requests get answers?) or a capture on its host.",
        fix: FIX,
        evidence: [...evidence, { path: "/nat/mapping", fact: `our NAT: ${facts.nat.mapping} mapping, ${facts.nat.filtering} filtering` }],
        subjects,
      };
    }
    return hit ? [hit] : [];
  },
});
