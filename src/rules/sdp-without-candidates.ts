import type { SdpFact, SessionFact } from "../facts/index.js";
import type { RuleHit } from "./types.js";
import { defineRule } from "./define-rule.js";
import { plural } from "./helpers.js";
import { anyPairSucceeded, describeCandidate, isReachableFromAnywhere, sideName, type Side, capitalise } from "./session-helpers.js";

/**
 * A description with no candidate line, and no candidate trickled after it: the peer that reads
 * it has no address to send a single check to. The usual cause is sending the SDP from
 * createOffer()/createAnswer() (or right after setLocalDescription) before gathering completed, to a
 * signalling that does not trickle (WHIP without PATCH, Pipecat's /offer, most REST signalling).
 */
const TITLE = "A session description carries no candidates (sent before ICE gathering completed)";
type Message = "taken-before-gathering" | "gathered-nothing" | "far-side-never-checked";

const FIX_SEND_LATER =
  "Send the description only after gathering completed: await iceGatheringState === 'complete' (or the null icecandidate event) and send pc.localDescription, not the createOffer()/createAnswer() result. " +
  "Or trickle: send every icecandidate through signalling (WHIP: PATCH with application/trickle-ice-sdpfrag).";

/**
 * A browser's dump shows our description as it was set (Chrome logs it before any candidate) and
 * every candidate found afterwards, but not what the page sent: an offer sent once gathering completed
 * looks the same. The pairs decide: a far side that has our candidates sends checks to them. Only
 * when it never sent one is the early description named, with the other reading the dump allows.
 */
function neverChecked(session: SessionFact, sdp: SdpFact): RuleHit<Message> | undefined {
  const pairs = session.pairs ?? [];
  const gathered = session.gathered ?? [];
  const sent = pairs.reduce((n, p) => n + (p.requestsSent ?? 0), 0);
  if (pairs.length === 0 || sent === 0 || anyPairSucceeded(session) || pairs.some((p) => (p.requestsReceived ?? 0) > 0)) return undefined;
  // Its silence says something only if our checks went where its own NAT or firewall could see them:
  // toward private or mDNS addresses they did not, and its checks may simply have been dropped by ours.
  if (!pairs.some((p) => (p.requestsSent ?? 0) > 0 && isReachableFromAnywhere(p.remote))) return undefined;
  const name = sideName(session, "local");
  const onlyNames = gathered.every((c) => c.addressClass === "mdns");
  const shown = gathered.slice(0, 4).map(describeCandidate).join(", ") + (gathered.length > 4 ? ` and ${gathered.length - 4} more` : "");
  return {
    message: "far-side-never-checked",
    explanation:
      `${capitalise(name)}, as it was set, has no candidate, and the browser found ${plural(gathered.length, "candidate")} only afterwards. ` +
      "The capture cannot show what the page then sent; it shows that the far side never sent a single check to any of them, which is what happens when the description leaves before gathering completed and the candidates are not trickled: the far side has no address of ours. " +
      (onlyNames
        ? "It also happens when they were sent but are only mDNS (.local) names, which a far side on another network cannot resolve. "
        : "") +
      `What the signalling carried tells them apart: an offer with no a=candidate line is this${onlyNames ? "; one with only .local candidates, the names" : ""}.`,
    fix: FIX_SEND_LATER + (onlyNames ? " Give the browser a STUN (and TURN) server too, so it offers candidates with addresses besides the .local names." : ""),
    evidence: [
      { path: "/session/local/candidates", fact: `${name} has 0 a=candidate lines` },
      {
        path: "/session/local/endOfCandidates",
        fact: sdp.endOfCandidates ? "a=end-of-candidates is present" : "no a=end-of-candidates: gathering had not finished when it was set",
      },
      { path: "/session/gathered", fact: `the browser found afterwards: ${shown}` },
      { path: "/session/pairs", fact: `the far side sent no check to any of them: 0 received on ${plural(pairs.length, "pair")}, while we sent ${plural(sent, "check")}` },
    ],
    subjects: ["/session/local"],
  };
}

export const sdpWithoutCandidates = defineRule<Message>({
  id: "sdp-without-candidates",
  docs: "docs/rules/sdp-without-candidates.md",
  requires: ["session"],
  messages: {
    "taken-before-gathering": { severity: "error", title: TITLE },
    "gathered-nothing": { severity: "error", title: TITLE },
    "far-side-never-checked": { severity: "error", title: "Our description carried no candidates and the far side never sent a check (sent before ICE gathering completed)" },
  },
  supersedes: [],
  check(facts) {
    const session = facts.session;
    if (!session) return [];
    const hits: RuleHit<Message>[] = [];
    for (const side of ["remote", "local"] as Side[]) {
      const sdp = session[side];
      if (!sdp || sdp.candidates.length > 0) continue;
      const trickled = session.trickled?.[side];
      if (trickled && trickled.length > 0) continue;
      if (side === "local" && trickled === undefined && (session.gathered?.length ?? 0) > 0) {
        const hit = neverChecked(session, sdp);
        if (hit) hits.push(hit);
        continue;
      }
      const name = sideName(session, side);
      const evidence = [{ path: `/session/${side}/candidates`, fact: `${name} has 0 a=candidate lines` }];
      if (sdp.endOfCandidates) {
        evidence.push({ path: `/session/${side}/endOfCandidates`, fact: "a=end-of-candidates is present: gathering finished and found nothing" });
      } else {
        evidence.push({ path: `/session/${side}/endOfCandidates`, fact: "no a=end-of-candidates: gathering had not finished when this SDP was taken" });
      }
      evidence.push(
        trickled
          ? { path: `/session/trickled/${side}`, fact: "no candidate was trickled after it either" }
          : { path: `/session/${side}/trickle`, fact: sdp.trickle ? "a=ice-options:trickle: candidates would have to follow through signalling" : "no a=ice-options:trickle: the sender does not announce trickling" },
      );
      const gatheredNothing = sdp.endOfCandidates;
      hits.push({
        message: gatheredNothing ? "gathered-nothing" : "taken-before-gathering",
        explanation: gatheredNothing
          ? `${capitalise(name)} says gathering completed (a=end-of-candidates) but lists no candidate at all: the peer has no network interface ICE may use (none up, or all filtered), so the other side has nothing to check and ICE stays in checking until it times out.`
          : `${capitalise(name)} has no candidate: it was taken before ICE gathering completed${trickled ? " and no candidate was trickled afterwards" : ""}. ` +
            "Unless the signalling carries candidates separately (trickle ICE), the other side never learns an address to send checks to, and ICE stays in checking.",
        fix: gatheredNothing
          ? "Check that the peer has an interface that is up with an address, and that its ICE configuration does not filter every candidate (e.g. relay-only without a working TURN server)."
          : FIX_SEND_LATER,
        evidence,
        subjects: [`/session/${side}`],
      });
    }
    return hits;
  },
});
