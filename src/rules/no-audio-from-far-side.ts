import { defineRule } from "./define-rule.js";
import { askedForAudioBack, audioCalls, inboundFlows, outboundOf, receivedWords, reportWords, sentWords, type AudioCall } from "./media-helpers.js";
import type { RuleHit } from "./types.js";

type Message = "silent-far-side";

function hit({ media, via, base, who, channelOpened }: AudioCall): RuleHit<Message> | undefined {
  if (!askedForAudioBack(media) || inboundFlows(media)) return undefined;
  // Sent audio that was proven to arrive, with nothing back, is the one-way finding.
  const outbound = outboundOf(media);
  if (outbound === "reached" || outbound === "not-sent") return undefined;
  return {
    message: "silent-far-side",
    explanation:
      `No audio came from ${via} in ${(media.durationMs / 1000).toFixed(1)} s of sending, and nothing shows that ${who}'s audio reached it either ` +
      `(${media.farSideReports.count > 0 ? "its receiver reports count none of it" : media.farSideReports.withoutOurs ? "its RTCP reports carry no block about it" : "no RTCP receiver report about it"}). ` +
      `${channelOpened ? "The data channel works over the same DTLS connection, so the path is there: media itself does not flow. " : "DTLS completed, so SRTP keys exist. "}The far side may not process audio at all ` +
      "(its answer accepts the m-line without a stack behind it), or SRTP does not work between the two (no SRTP profile in common, or keys taken from another DTLS session).",
    fix:
      "Check on the far side that the connection has an audio receiver and sender (inbound-rtp and outbound-rtp stats), that it negotiates Opus, and that its RTP goes out on the same DTLS transport the answer describes.",
    evidence: [
      ...(media.answeredDirection ? [{ path: `${base}/media/answeredDirection`, fact: `the answer's audio m-line: ${media.answeredDirection}` }] : []),
      { path: `${base}/media/sent`, fact: sentWords(media, who) },
      { path: `${base}/media/farSideReports`, fact: reportWords(media, who) },
      { path: `${base}/media/received`, fact: receivedWords(media) },
    ],
    subjects: [base],
  };
}

/** The far side sent no audio and gave no sign of receiving any: media does not flow between the two at all. */
export const noAudioFromFarSide = defineRule<Message>({
  id: "no-audio-from-far-side",
  docs: "docs/rules/no-audio-from-far-side.md",
  // A live check's remote attempt, or an explained dump's session.
  requires: [],
  messages: {
    "silent-far-side": { severity: "error", title: "No audio from the far side, and no sign that it receives any" },
  },
  supersedes: [],
  check(facts) {
    return audioCalls(facts).flatMap((call) => {
      const h = hit(call);
      return h ? [h] : [];
    });
  },
});
