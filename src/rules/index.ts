import type { Rule } from "./types.js";
import { dnsFailure } from "./dns-failure.js";
import { turnAuthFailed } from "./turn-auth-failed.js";
import { turnRestCredential } from "./turn-rest-credential.js";
import { turnQuotaOrCapacity } from "./turn-quota-or-capacity.js";
import { turnAllocationRefused } from "./turn-allocation-refused.js";
import { turnPrivateRelayAddress } from "./turn-private-relay-address.js";
import { turnRelayAddressFamily } from "./turn-relay-address-family.js";
import { turnTlsCertificate } from "./turn-tls-certificate.js";
import { turnUdpBlocked } from "./turn-udp-blocked.js";
import { turnServerUnreachable } from "./turn-server-unreachable.js";
import { stunServerUnreachable } from "./stun-server-unreachable.js";
import { stunServerMalformedReply } from "./stun-server-malformed-reply.js";
import { noTurnConfigured } from "./no-turn-configured.js";
import { srflxLoopbackNotTried } from "./srflx-loopback-not-tried.js";
import { turnNotOn443 } from "./turn-not-on-443.js";
import { expectationFailed } from "./expectation-failed.js";
import { sdpWithoutCandidates } from "./sdp-without-candidates.js";
import { farSidePrivateCandidates } from "./far-side-private-candidates.js";
import { turnDeniesPrivatePeers } from "./turn-denies-private-peers.js";
import { turnDeniesFarSide } from "./turn-denies-far-side.js";
import { farSideMdnsOnly } from "./far-side-mdns-only.js";
import { farSideTooManyCandidates } from "./far-side-too-many-candidates.js";
import { ipFamilyMismatch } from "./ip-family-mismatch.js";
import { iceTcpOneSide } from "./ice-tcp-one-side.js";
import { farSideUnreachableViaRelay } from "./far-side-unreachable-via-relay.js";
import { farSideUdpFiltered } from "./far-side-udp-filtered.js";
import { farSideSlowAnswer } from "./far-side-slow-answer.js";
import { checksUnanswered } from "./checks-unanswered.js";
import { transportFallbackHidesUdp } from "./transport-fallback-hides-udp.js";
import { udpBlocked } from "./udp-blocked.js";
import { symmetricNatWithoutTurn } from "./symmetric-nat-without-turn.js";
import { natBehaviour } from "./nat-behaviour.js";
import { connectionStalled } from "./connection-stalled.js";
import { whipNoLocation } from "./whip-no-location.js";
import { tlsHandshake } from "./tls-handshake.js";
import { serverDuplicateReplies } from "./server-duplicate-replies.js";
import { dtlsNotCompleted } from "./dtls-not-completed.js";
import { mediaOneWay } from "./media-one-way.js";
import { noAudioFromFarSide } from "./no-audio-from-far-side.js";
import { farEndCannotRestartIce } from "./far-end-cannot-restart-ice.js";
import { iceRestartNeverReconnects } from "./ice-restart-never-reconnects.js";
import { turnBitrateCap } from "./turn-bitrate-cap.js";
import { qualityLoss } from "./quality-loss.js";
import { qualityRtt } from "./quality-rtt.js";
import { qualityJitter } from "./quality-jitter.js";
import { qualityBitrate } from "./quality-bitrate.js";

export type { Rule, RuleHit, RuleMessage, FactKey, Finding, Evidence, Severity } from "./types.js";
export { runRules, worstSeverity, severityRank, type RunRulesOptions } from "./engine.js";
export { resolveOptionWords, apiOptionName, type OptionNamer } from "../config/option-words.js";
export { defineRule } from "./define-rule.js";

/**
 * Every diagnosis rule, root causes before their symptoms: within one severity, findings are
 * listed in this order, so the first finding is the one to act on first. Which finding hides which
 * is each rule's `supersedes`, applied by the engine, not this order.
 */
export const rules: readonly Rule[] = [
  dnsFailure,
  udpBlocked,
  turnAuthFailed,
  // A username that will be refused (or works only by a server's tolerance) before the server says so.
  turnRestCredential,
  turnQuotaOrCapacity,
  turnAllocationRefused,
  // A relay that allocates but hands out an address peers elsewhere cannot use: the server's own configuration.
  turnPrivateRelayAddress,
  turnRelayAddressFamily,
  tlsHandshake,
  turnTlsCertificate,
  turnUdpBlocked,
  turnServerUnreachable,
  // The session (explain input or a real attempt): what each side offered, then what ICE did with it.
  sdpWithoutCandidates,
  // How long the far side took to answer tells whether its own STUN/TURN servers answered it.
  farSideSlowAnswer,
  farSidePrivateCandidates,
  // Only private far-side candidates leave the relay as the way in; a TURN server denying private peers closes it.
  turnDeniesPrivatePeers,
  // Asked directly after the far side answered: the relay refuses the far side's real addresses.
  turnDeniesFarSide,
  farSideMdnsOnly,
  farSideTooManyCandidates,
  ipFamilyMismatch,
  iceTcpOneSide,
  farSideUnreachableViaRelay,
  // No relay anywhere: checks to its public candidates vanish while ours come back from STUN.
  farSideUdpFiltered,
  // A capture's pairs, when no description above explains them (a real attempt's: the rule above).
  checksUnanswered,
  transportFallbackHidesUdp,
  stunServerUnreachable,
  stunServerMalformedReply,
  serverDuplicateReplies,
  symmetricNatWithoutTurn,
  noTurnConfigured,
  turnNotOn443,
  natBehaviour,
  whipNoLocation,
  // After a connection: whether it survives a change of network (the restart option).
  farEndCannotRestartIce,
  iceRestartNeverReconnects,
  // How good the paths that connected are: a TURN server's rate cap first, it explains a narrow relay.
  turnBitrateCap,
  qualityLoss,
  qualityRtt,
  qualityJitter,
  qualityBitrate,
  // A stalled real attempt is the symptom: the rules above name its cause from the same evidence.
  connectionStalled,
  srflxLoopbackNotTried,
  // After ICE: DTLS, then the media that flows over it.
  dtlsNotCompleted,
  mediaOneWay,
  noAudioFromFarSide,
  // Last: an unmet expectation is the consequence of the causes above, which say why.
  expectationFailed,
];
