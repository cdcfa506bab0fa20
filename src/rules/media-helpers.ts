import type { Facts, MediaFact } from "../facts/index.js";
import { plural } from "./helpers.js";

/**
 * One call's audio for the media rules: a live check's remote attempt (rtc-doctor sent the audio)
 * or a dump's connection (the browser did). `who` names the sending side in the rules' words.
 */
export interface AudioCall {
  media: MediaFact;
  via: string;
  base: string;
  who: string;
  /** The data channel opened over the same DTLS connection (unknown for a dump: false). */
  channelOpened: boolean;
}

export function audioCalls(facts: Facts): AudioCall[] {
  const live = (facts.connectivity ?? []).flatMap((fact, i) =>
    fact.media ? [{ media: fact.media, via: fact.via ?? "the far side", base: `/connectivity/${i}`, who: "rtc-doctor", channelOpened: fact.ok }] : [],
  );
  const dumped = facts.session?.source === "webrtc-internals" && facts.session.media ? [{ media: facts.session.media, via: "the far side", base: "/session", who: "the browser", channelOpened: false }] : [];
  return [...live, ...dumped];
}

/**
 * Whether rtc-doctor's audio reached the far side, as only the far side can say: through the report
 * blocks of its RTCP about our SSRC. "unknown" when no block came (no claim either way).
 */
export type Outbound = "reached" | "not-reached" | "unknown" | "not-sent";

/** Reports without a block about our stream, in a row: more than one report interval of the far side saw none of it. */
const REPORTS_WITHOUT_OURS = 2;

export function outboundOf(media: MediaFact): Outbound {
  if (media.sent.packets === 0) return "not-sent";
  if (media.farSideReports.count === 0) return (media.farSideReports.withoutOurs ?? 0) >= REPORTS_WITHOUT_OURS ? "not-reached" : "unknown";
  return (media.farSideReports.packetsReceived ?? 0) > 0 ? "reached" : "not-reached";
}

export function inboundFlows(media: MediaFact): boolean {
  return media.received.packets > 0;
}

/** The far side's answer lets it send audio (sendrecv or sendonly from its side). */
export function farSideMaySend(media: MediaFact): boolean {
  return media.answeredDirection === undefined || media.answeredDirection === "sendrecv" || media.answeredDirection === "sendonly";
}

/** rtc-doctor's offer asked for audio back (a Pipecat-style bot; WHIP only publishes). */
export function askedForAudioBack(media: MediaFact): boolean {
  return media.offeredDirection === "sendrecv";
}

export function sentWords(media: MediaFact, who = "rtc-doctor"): string {
  return `${who} sent ${plural(media.sent.packets, who === "rtc-doctor" ? "Opus packet" : "audio packet")} (${media.sent.bytes} bytes) over ${(media.durationMs / 1000).toFixed(1)} s`;
}

export function reportWords(media: MediaFact, who = "rtc-doctor"): string {
  const r = media.farSideReports;
  if (r.count === 0 && r.withoutOurs) return `the far side sent ${plural(r.withoutOurs, "RTCP sender/receiver report")} while ${who} was sending, none with a block about ${who}'s audio: it received none of it`;
  if (r.count === 0) return `no RTCP receiver report about ${who}'s audio came from the far side (${plural(media.rtcpReceived, "RTCP packet")} from it in all)`;
  const parts = [`the far side's receiver reports (${r.count}) count ${r.packetsReceived ?? 0} packets received`];
  if (r.packetsLost !== undefined) parts.push(`${r.packetsLost} lost`);
  if (r.jitterMs !== undefined) parts.push(`jitter ${r.jitterMs} ms`);
  if (r.rttMs !== undefined) parts.push(`RTT ${r.rttMs} ms`);
  return parts.join(", ");
}

export function receivedWords(media: MediaFact): string {
  const r = media.received;
  if (r.packets === 0) return "no RTP packet arrived from the far side";
  return `${plural(r.packets, "RTP packet")} (${r.bytes} bytes) arrived from the far side${r.lost ? `, ${r.lost} lost on the way` : ""}`;
}
