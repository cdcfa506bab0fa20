import type { ConnectivityFact } from "../facts/index.js";
import type { Evidence, RuleHit } from "./types.js";
import { defineRule } from "./define-rule.js";
import { plural } from "./helpers.js";
import { detailOf } from "../facts/probe-error.js";

const NEXT_STEP: Record<NonNullable<ConnectivityFact["stalledIn"]>, string> = {
  signalling: "the offer/answer exchange did not complete",
  gathering: "no candidate of the needed type was gathered",
  checking: "no candidate pair answered its connectivity checks (ICE stayed in checking)",
  dtls: "ICE connected but the DTLS handshake did not complete",
  "data-channel": "DTLS completed but the data channel did not open",
};

const FIX: Record<ConnectivityFact["mode"], string> = {
  remote:
    "Read the findings above for the cause the evidence points to. Typical fixes: give the far side STUN and TURN servers so it offers reachable candidates; " +
    "give this side a TURN server (TURN over TCP/TLS on 443 for strict networks); wait for ICE gathering to complete before sending the offer, or trickle the candidates.",
  "loopback-host": "Host candidates did not reach each other on this machine: check the local firewall (nftables/iptables INPUT rules for UDP).",
  "loopback-srflx":
    "Two peers behind this NAT could not reach each other's public address: the NAT does not hairpin. Between two such peers on one network only host or relay candidates work.",
  "loopback-relay":
    "The relay path through this TURN URL did not carry traffic: the TURN server may refuse to relay between these addresses (coturn 403 Forbidden IP: denied-peer-ip, or no-loopback-peers for 127.0.0.1) or drop the permissions.",
};

function pairEvidence(fact: ConnectivityFact, base: string): Evidence[] {
  if (fact.pairs.length === 0) return fact.stalledIn === "checking" ? [{ path: `${base}/pairs`, fact: "no candidate pair was formed at all" }] : [];
  const omitted = fact.pairsOmitted;
  const sent = fact.pairs.reduce((n, p) => n + (p.requestsSent ?? 0), omitted?.requestsSent ?? 0);
  const answered = fact.pairs.reduce((n, p) => n + (p.responsesReceived ?? 0), omitted?.responsesReceived ?? 0);
  const received = fact.pairs.reduce((n, p) => n + (p.requestsReceived ?? 0), omitted?.requestsReceived ?? 0);
  return [
    {
      path: `${base}/pairs`,
      fact: `${plural(fact.pairs.length + (omitted?.count ?? 0), "candidate pair")}: ${plural(sent, "check")} sent, ${answered} answered; ${received} received from the far side`,
    },
  ];
}

function answerEvidence(fact: ConnectivityFact, base: string): Evidence[] {
  const answer = fact.signalling?.answer;
  if (!answer) return [];
  const classes = [...new Set(answer.candidates.map((c) => c.addressClass))];
  return [
    {
      path: `${base}/signalling/answer/candidates`,
      fact:
        answer.candidates.length === 0
          ? "the far side's answer carries no candidate"
          : `the far side's answer offers ${answer.candidates.map((c) => `${c.type} ${c.address}:${c.port}`).slice(0, 4).join(", ")}${answer.candidates.length > 4 ? ", ..." : ""} (${classes.join(", ")})`,
    },
  ];
}

type Message = "remote-stalled" | "remote-signalling-failed" | "remote-tls-untrusted" | "loopback-stalled";

/** Which message a stalled attempt gets: the remote signalling failures have fixes of their own. */
function messageFor(fact: ConnectivityFact): Message {
  if (fact.mode !== "remote") return "loopback-stalled";
  if (fact.error?.code === "tls-certificate-invalid") return "remote-tls-untrusted";
  return fact.stalledIn === "signalling" ? "remote-signalling-failed" : "remote-stalled";
}

const REMOTE_FIX: Partial<Record<Message, string>> = {
  "remote-tls-untrusted":
    "The signalling URL's TLS certificate is not trusted from here. If it comes from a private CA, give that CA with {option:tlsCa}; otherwise serve a certificate from a public CA with its full chain.",
  "remote-signalling-failed":
    "The offer/answer exchange failed before ICE started: check the URL (the exact offer endpoint), the token and headers the endpoint needs, and its protocol; " +
    "when it is not recognised, name it with {option:remote.protocol}. The server's own log has the reason for an HTTP error.",
};

function hit(fact: ConnectivityFact, index: number): RuleHit<Message> {
  const base = `/connectivity/${index}`;
  const where = fact.stalledIn ? NEXT_STEP[fact.stalledIn] : "it did not complete";
  const name = fact.mode === "remote" ? `The connection to ${fact.via ?? "the far side"}` : `The ${fact.mode} connection${fact.via ? ` via ${fact.via}` : ""}`;
  const evidence: Evidence[] = [];
  if (fact.stalledIn) evidence.push({ path: `${base}/stalledIn`, fact: `stalled in ${fact.stalledIn}` });
  if (fact.error) evidence.push({ path: `${base}/error`, fact: detailOf(fact.error) });
  if (fact.iceStates.length) evidence.push({ path: `${base}/iceStates`, fact: `ICE: ${fact.iceStates.map((s) => `${s.state} at ${s.atMs} ms`).join(", ")}` });
  evidence.push(...pairEvidence(fact, base), ...answerEvidence(fact, base));
  return {
    message: messageFor(fact),
    data: { mode: fact.mode },
    explanation: `${name} did not get to an open data channel: ${where}. The evidence shows how far it got.`,
    fix: REMOTE_FIX[messageFor(fact)] ?? FIX[fact.mode],
    evidence,
    subjects: [base],
  };
}

/**
 * A real connection attempt that did not reach an open data channel. It names the step it stopped
 * at and carries the evidence; the causal rules (far-side candidates, NAT, TURN) say why.
 */
export const connectionStalled = defineRule<Message>({
  id: "connection-stalled",
  docs: "docs/rules/connection-stalled.md",
  requires: ["connectivity"],
  messages: {
    "remote-stalled": { severity: "error", title: "The connection through the signalling URL stalled" },
    "remote-signalling-failed": { severity: "error", title: "The connection through the signalling URL stalled" },
    "remote-tls-untrusted": { severity: "error", title: "The connection through the signalling URL stalled" },
    "loopback-stalled": { severity: "warning", title: "The {{mode}} connection stalled" },
  },
  supersedes: [],
  check(facts) {
    const attempts = facts.connectivity ?? [];
    // An attempt not made (srflx-loopback-not-tried says why) did not stall.
    return attempts.flatMap((fact, index) => (fact.ok || fact.notAttempted ? [] : [hit(fact, index)]));
  },
});
