import type { RuleHit } from "./types.js";
import { defineRule } from "./define-rule.js";
import { sideName, type Side, capitalise } from "./session-helpers.js";

/**
 * A description with no candidate line, and no candidate trickled after it: the peer that reads
 * it has no address to send a single check to. The usual cause is sending the SDP from
 * createOffer()/createAnswer() (or right after setLocalDescription) before gathering completed, to a
 * signalling that does not trickle (WHIP without PATCH, Pipecat's /offer, most REST signalling).
 */
const TITLE = "A session description carries no candidates (sent before ICE gathering completed)";
type Message = "taken-before-gathering" | "gathered-nothing";

export const sdpWithoutCandidates = defineRule<Message>({
  id: "sdp-without-candidates",
  docs: "docs/rules/sdp-without-candidates.md",
  requires: ["session"],
  messages: {
    "taken-before-gathering": { severity: "error", title: TITLE },
    "gathered-nothing": { severity: "error", title: TITLE },
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
          : "Send the description only after gathering completed: await iceGatheringState === 'complete' (or the null icecandidate event) and send pc.localDescription, not the createOffer()/createAnswer() result. " +
            "Or trickle: send every icecandidate through signalling (WHIP: PATCH with application/trickle-ice-sdpfrag).",
        evidence,
        subjects: [`/session/${side}`],
      });
    }
    return hits;
  },
});
