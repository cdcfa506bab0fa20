import type { ConnectivityFact } from "../facts/index.js";
import { defineRule } from "./define-rule.js";
import { plural } from "./helpers.js";
import type { Evidence, RuleHit } from "./types.js";

type Message = "fingerprint-mismatch" | "dropped-on-path" | "handshake-incomplete";

function iceConnectedAt(fact: ConnectivityFact): number | undefined {
  return fact.timeToConnectedMs ?? fact.iceStates.find((s) => s.state === "connected")?.atMs;
}

function pairWords(fact: ConnectivityFact): string {
  const pair = fact.selectedPair;
  return pair ? ` on ${pair.local.type} ${pair.local.address}:${pair.local.port} -> ${pair.remote.type} ${pair.remote.address}:${pair.remote.port}` : "";
}

function hit(fact: ConnectivityFact, base: string): RuleHit<Message> | undefined {
  const dtls = fact.dtls;
  const connectedAt = iceConnectedAt(fact);
  // A handshake that completed once (the data channel opened over it) is no DTLS failure, whatever its state at the end.
  if (!dtls || dtls.state === "connected" || fact.ok || dtls.handshakeMs !== undefined || connectedAt === undefined) return undefined;
  const who = fact.mode === "remote" ? (fact.via ?? "the far side") : `the ${fact.mode} path${fact.via ? ` via ${fact.via}` : ""}`;
  const evidence: Evidence[] = [{ path: `${base}/iceStates`, fact: `ICE connected at ${connectedAt} ms${pairWords(fact)}` }];
  const datagrams: Evidence = {
    path: `${base}/dtls/datagramsReceived`,
    fact: `DTLS (rtc-doctor the ${dtls.role ?? "?"}): ${plural(dtls.datagramsSent, "datagram")} sent, ${dtls.datagramsReceived} received from the far side; state ${dtls.state}`,
  };
  if (dtls.fingerprintVerified === false) {
    return {
      message: "fingerprint-mismatch",
      explanation:
        `ICE to ${who} connected and the DTLS handshake ran to its end, but the certificate the far side presented is not the one its answer announced: ` +
        `the answer's a=fingerprint is ${dtls.expectedFingerprint ?? "?"}, the certificate's is ${dtls.certificateFingerprint ?? "?"}. ` +
        "A browser rejects such a peer the same way, so no media and no data channel can flow. Something between the far side's WebRTC stack and this client changed the answer " +
        "(a signalling proxy or SDP rewriter), or the server answers with the fingerprint of another certificate than the one its DTLS uses (a cached answer, a certificate rotated in one place only, a second media process behind one signalling front).",
      fix:
        "Send the answer exactly as the far side's WebRTC stack produced it: its a=fingerprint must be that of the certificate the same peer connection uses. " +
        "Check any proxy or middleware that edits SDP, and that the process answering the offer is the one that terminates DTLS.",
      evidence: [
        ...evidence,
        { path: `${base}/dtls/expectedFingerprint`, fact: `answer: a=fingerprint:${dtls.expectedFingerprint ?? "?"}` },
        { path: `${base}/dtls/certificateFingerprint`, fact: `far side's certificate: ${dtls.certificateFingerprint ?? "?"}` },
      ],
      subjects: [base],
    };
  }
  if (dtls.datagramsReceived === 0) {
    return {
      message: "dropped-on-path",
      explanation:
        `ICE to ${who} connected (STUN checks go both ways on the selected pair), but not one DTLS datagram came back on it` +
        `${dtls.role === "server" ? " (rtc-doctor is the DTLS server: the far side's ClientHello never arrived)" : ": the far side did not answer the ClientHello rtc-doctor sent and repeated"}. ` +
        "STUN passes and DTLS does not: a firewall or middlebox that inspects UDP and lets only STUN through, a DTLS stack on the far side that never started (its answer is not applied, or its DTLS role does not match the answer's a=setup), " +
        "or a far side that drops what it cannot decrypt.",
      fix:
        "Allow all UDP (not only STUN) on the media ports between the two sides; check the far side's log for its DTLS state. " +
        "If a network in between inspects traffic, a TURN relay over TLS on 443 carries DTLS through it.",
      evidence: [...evidence, datagrams],
      subjects: [base],
    };
  }
  return {
    message: "handshake-incomplete",
    explanation:
      `ICE to ${who} connected and DTLS datagrams went both ways, but the handshake did not complete (state ${dtls.state}). ` +
      "The far side may have rejected rtc-doctor's certificate or DTLS parameters (a fatal alert), or the path loses or reorders the handshake's datagrams past what its retransmissions recover.",
    fix: "Read the far side's log for its DTLS error; check that the path does not fragment or drop datagrams of about 1200 bytes (a DTLS flight with certificates).",
    evidence: [...evidence, datagrams],
    subjects: [base],
  };
}

/**
 * ICE connected, then DTLS did not: a fingerprint that does not match, a path that carries STUN but
 * not DTLS, or a handshake that started and never finished. Names the cause the DTLS facts prove.
 */
export const dtlsNotCompleted = defineRule<Message>({
  id: "dtls-not-completed",
  docs: "docs/rules/dtls-not-completed.md",
  requires: ["connectivity"],
  messages: {
    "fingerprint-mismatch": { severity: "error", title: "DTLS failed: the far side's certificate does not match the fingerprint in its answer" },
    "dropped-on-path": { severity: "error", title: "ICE connected but no DTLS came back: the path carries STUN and drops DTLS" },
    "handshake-incomplete": { severity: "error", title: "ICE connected but the DTLS handshake never completed" },
  },
  supersedes: ["connection-stalled"],
  check(facts) {
    return (facts.connectivity ?? []).flatMap((fact, i) => {
      const h = hit(fact, `/connectivity/${i}`);
      return h ? [h] : [];
    });
  },
});
