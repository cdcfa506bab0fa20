import { defineRule } from "./define-rule.js";
import { askedForAudioBack, audioCalls, farSideMaySend, inboundFlows, outboundOf, receivedWords, reportWords, sentWords, type AudioCall } from "./media-helpers.js";
import type { RuleHit } from "./types.js";

type Message = "to-far-side-only" | "to-far-side-only-declared" | "from-far-side-only";

function hit({ media, via, base, who }: AudioCall): RuleHit<Message> | undefined {
  if (!askedForAudioBack(media)) return undefined;
  const outbound = outboundOf(media);
  const inbound = inboundFlows(media);
  const evidence = [
    { path: `${base}/media/sent`, fact: sentWords(media, who) },
    { path: `${base}/media/farSideReports`, fact: reportWords(media, who) },
    { path: `${base}/media/received`, fact: receivedWords(media) },
  ];
  if (outbound === "reached" && !inbound) {
    if (!farSideMaySend(media)) {
      return {
        message: "to-far-side-only-declared",
        explanation:
          `Audio flows one way only: from ${who} to ${via}. The far side's receiver reports show ${who}'s audio arrives, and its description sets the audio m-line ${media.answeredDirection}: ` +
          "it never sends audio back. A voice bot answered this way cannot be heard: it has no output track on the connection.",
        fix: "Give the far side's peer connection an audio track to send (a bot: its output transport's audio track) before it creates the answer, so the answer says sendrecv.",
        evidence: [{ path: `${base}/media/answeredDirection`, fact: `the answer's audio m-line: ${media.answeredDirection}` }, ...evidence],
        subjects: [base],
      };
    }
    return {
      message: "to-far-side-only",
      explanation:
        `Audio flows one way only: from ${who} to ${via}. The far side's receiver reports show ${who}'s audio arrives, its description says ${media.answeredDirection ?? "it sends"}, ` +
        `yet no RTP came back in ${(media.durationMs / 1000).toFixed(1)} s. The far side sends nothing on its track (a bot that is silent until it hears speech, a track that is never fed), ` +
        "or its packets are lost on the way back (a firewall or NAT that lets the far side's RTCP through but not its RTP is rare; an SRTP key or SSRC the client cannot match is likelier).",
      fix: "Check that the far side's sending track produces audio (silence frames included) from the moment the call connects, and read its outbound-rtp stats (packetsSent).",
      evidence,
      subjects: [base],
    };
  }
  if (inbound && outbound === "not-reached") {
    return {
      message: "from-far-side-only",
      explanation:
        `Audio flows one way only: from ${via} to ${who}. The far side's audio arrives, but its own receiver reports say none of ${who}'s ${media.sent.packets} packets reached it: ` +
        "the far side does not receive or cannot decrypt the client's audio, so a caller talking to it is not heard.",
      fix: `Check the far side's inbound-rtp stats for ${who}'s SSRC, that its description accepts Opus with the offered payload type, and that nothing between the two drops the client's RTP.`,
      evidence,
      subjects: [base],
    };
  }
  return undefined;
}

/** Audio that goes one way and not the other, named by the direction that works. */
export const mediaOneWay = defineRule<Message>({
  id: "media-one-way",
  docs: "docs/rules/media-one-way.md",
  // A live check's remote attempt, or an explained dump's session.
  requires: [],
  messages: {
    "to-far-side-only": { severity: "error", title: "Audio flows one way: it reaches the far side, nothing comes back" },
    "to-far-side-only-declared": { severity: "warning", title: "Audio flows one way: the far side only receives (its answer does not send audio)" },
    "from-far-side-only": { severity: "error", title: "Audio flows one way: the far side's audio arrives, this side's does not reach it" },
  },
  supersedes: [],
  check(facts) {
    return audioCalls(facts).flatMap((call) => {
      const h = hit(call);
      return h ? [h] : [];
    });
  },
});
