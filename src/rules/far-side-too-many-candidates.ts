import { defineRule } from "./define-rule.js";

/**
 * A far side that lists thousands of candidates (an interface per container, VPN or bridge, or a
 * bug) makes every client check pairs it will never need; browsers give up on most of them.
 */
export const farSideTooManyCandidates = defineRule({
  id: "far-side-too-many-candidates",
  docs: "docs/rules/far-side-too-many-candidates.md",
  requires: ["connectivity"],
  messages: {
    "answer-capped": { severity: "warning", title: "The far side's answer carries far more candidates than a connection can use" },
  },
  supersedes: [],
  check(facts) {
    return (facts.connectivity ?? []).flatMap((c, i) => {
      const capped = c.signalling?.answerCandidatesCapped;
      if (c.mode !== "remote" || !capped) return [];
      const path = `/connectivity/${i}/signalling/answerCandidatesCapped`;
      return [
        {
          message: "answer-capped" as const,
          explanation:
            `The answer from ${c.via ?? "the signalling URL"} lists ${capped.received} ICE candidates. rtc-doctor tried the first ${capped.kept} (by type, in the order listed); ` +
            "a browser builds a pair for each against each of its own and paces its checks, so with this many the pairs that could work are reached late or never, and the answer itself takes time to parse.",
          fix:
            "Make the far side gather on the interfaces that can reach clients only: exclude container bridges, VPN and link-local interfaces from ICE gathering (aiortc/Pipecat: limit the host's interfaces or run with host networking; " +
            "libwebrtc: a network filter; coturn-fronted servers: rely on the relay candidate), and do not repeat candidates per media section when the sections are bundled.",
          evidence: [{ path, fact: `${capped.received} candidates in the answer, ${capped.kept} handed to the ICE agent` }],
          subjects: [`/connectivity/${i}`],
        },
      ];
    });
  },
});
