import type { ConnectivityFact, HttpExchangeFact, SdpFact } from "../facts/index.js";
import { detailOf } from "../facts/probe-error.js";
import { defineRule } from "./define-rule.js";
import { plural } from "./helpers.js";
import { remoteAttempt, seconds, SLOW_ANSWER_MS } from "./remote-helpers.js";
import { describeCandidate, isReachableFromAnywhere } from "./session-helpers.js";
import type { Evidence, RuleHit } from "./types.js";

type Message = "no-answer" | "failed-after-wait" | "unreachable-ice-server" | "unreachable-ice-server-slow" | "slow";

const GATHERS_FIRST =
  "Servers that gather all their candidates before they answer (Pipecat's aiortc, WHIP servers) hold the answer until every STUN/TURN server has answered or timed out: " +
  "aiortc waits 5 s for a STUN server and about 64 s for a TURN server that does not answer it (then it fails the offer).";

const FIX_ICE_SERVERS =
  "On the far side: make each of its own STUN/TURN servers answer it. From the far host, test every URL it is given (rtc-doctor check there, with its URLs as {option:stun} and {option:turn}); " +
  "allow its outbound UDP to the STUN/TURN port (3478) and the answers back in; fix a wrong host, port or TURN credential; remove a server it cannot use. " +
  "If UDP is blocked there, give it a TURN server reachable over TCP or TLS (turns:HOST:443?transport=tcp).";

/** The last offer request and its position in the exchanges. */
function offerExchange(fact: ConnectivityFact): { exchange: HttpExchangeFact; at: number } | undefined {
  const exchanges = fact.signalling?.exchanges ?? [];
  for (let at = exchanges.length - 1; at >= 0; at -= 1) {
    const exchange = exchanges[at];
    if (exchange?.step === "offer") return { exchange, at };
  }
  return undefined;
}

/** What the answer shows about the far side's gathering. */
function gatheringWords(answer: SdpFact): string {
  const { host, srflx, relay } = answer.counts;
  const complete = answer.endOfCandidates ? " and end-of-candidates: it gathered to the end before answering" : "";
  return `the answer carries ${plural(answer.candidates.length, "candidate")} (host ${host}, srflx ${srflx}, relay ${relay})${complete}`;
}

function startEvidence(fact: ConnectivityFact, base: string): Evidence[] {
  const exchanges = fact.signalling?.exchanges ?? [];
  const at = exchanges.findIndex((e) => e.step === "start" && e.status !== undefined && e.status < 300);
  const start = exchanges[at];
  return start ? [{ path: `${base}/signalling/exchanges/${at}`, fact: `POST /start answered ${start.status} in ${start.durationMs} ms: the server itself responds` }] : [];
}

function noAnswer(fact: ConnectivityFact, base: string, exchange: HttpExchangeFact, at: number): RuleHit<Message> {
  const bound = fact.signalling?.requestTimeoutMs ?? exchange.durationMs;
  return {
    message: "no-answer",
    data: { bound: seconds(bound) },
    explanation:
      `The offer went to ${exchange.url} and no answer came within ${seconds(bound)} (the {option:signalTimeoutMs} bound on each signalling request). ${GATHERS_FIRST} ` +
      "A far side this slow is most likely waiting on a STUN or TURN server it cannot reach. Causes that remain: the server is hung or overloaded, or it starts something slow (a bot's pipeline) before it answers. " +
      "What tells them apart: rerun with {option:signalTimeoutMs} above 70 s (an error after about 64 s is aiortc's TURN timeout), and read the far side's log.",
    fix: `${FIX_ICE_SERVERS} To see how long it really takes, rerun with {option:signalTimeoutMs} raised.`,
    evidence: [{ path: `${base}/signalling/exchanges/${at}`, fact: `${exchange.method} ${exchange.url}: ${exchange.error ?? "no response"}` }, ...startEvidence(fact, base)],
    subjects: [base],
  };
}

function failedAfterWait(fact: ConnectivityFact, base: string, exchange: HttpExchangeFact, at: number): RuleHit<Message> {
  return {
    message: "failed-after-wait",
    data: { seconds: seconds(exchange.durationMs) },
    explanation:
      `The far side worked on the offer for ${seconds(exchange.durationMs)} and then answered ${exchange.status}. ${GATHERS_FIRST} ` +
      "An error after such a wait is its gathering failing: a TURN server that never answered its Allocate (aiortc: TransactionTimeout), or a STUN/TURN URL it could not resolve or reach. " +
      "Cause that remains: the server failed for a reason of its own after a slow start; its log and the error body tell.",
    fix: FIX_ICE_SERVERS,
    evidence: [
      { path: `${base}/signalling/exchanges/${at}`, fact: `${exchange.method} ${exchange.url} -> ${exchange.status} after ${exchange.durationMs} ms` },
      ...(fact.error ? [{ path: `${base}/error`, fact: detailOf(fact.error) }] : []),
    ],
    subjects: [base],
  };
}

function slowAnswer(fact: ConnectivityFact, base: string, answerMs: number, answer: SdpFact): RuleHit<Message> {
  const delay = seconds(answerMs);
  const evidence: Evidence[] = [
    { path: `${base}/signalling/answerMs`, fact: `the far side answered the offer after ${answerMs} ms` },
    { path: `${base}/signalling/answer/counts`, fact: gatheringWords(answer) },
    ...answer.candidates.slice(0, 3).map((c) => ({ path: `${base}/signalling/answer/candidates`, fact: describeCandidate(c) })),
  ];
  const reflexive = answer.counts.srflx > 0 || answer.counts.relay > 0;
  if (!reflexive && answer.candidates.length > 0) {
    const reachable = answer.candidates.some(isReachableFromAnywhere);
    const waited =
      `The far side took ${delay} to answer, and its answer has no server-reflexive or relay candidate. ${GATHERS_FIRST} ` +
      "A far side without any STUN/TURN server answers at once with host candidates only; this one waited, so it has a server configured that gave it nothing: " +
      "the URL's host or port is wrong, its outbound UDP to it is blocked, or the replies are dropped on its way in. ";
    if (!reachable) {
      return {
        message: "unreachable-ice-server",
        data: { seconds: delay },
        explanation:
          waited +
          "So it offers only addresses of its own network, which no peer elsewhere can reach, and ICE stalls" +
          (fact.ok ? " (this attempt connected only because the far side's own checks got through to us, a peer-reflexive candidate; peers behind a filtering NAT will not). " : ". ") +
          "Cause that remains: it has no STUN/TURN server and was slow for another reason (a bot starting up before it answers); its ICE server configuration tells.",
        fix: `${FIX_ICE_SERVERS} On a cloud VM, also announce its public address (1:1 NAT external IP) and open its media UDP ports.`,
        evidence,
        subjects: [base, "/session/remote"],
      };
    }
    return {
      message: "unreachable-ice-server-slow",
      data: { seconds: delay },
      explanation:
        waited +
        "It also offers a public address, which is why it can be reached at all; every connection still waits for that server first. " +
        "If the far side's network drops inbound UDP, that one cause explains both the silent server and unanswered checks.",
      fix: FIX_ICE_SERVERS,
      evidence,
      // Not the attempt itself: a warning must not hide the stall it does not explain.
      subjects: [`${base}/signalling/answerMs`],
    };
  }
  return {
    message: "slow",
    data: { seconds: delay },
    explanation:
      `The far side took ${delay} to answer the offer. ${answer.candidates.length > 0 ? `Its answer has ${reflexive ? "server-reflexive or relay candidates, so its gathering got answers" : "no candidate at all"}; ` : ""}` +
      "the time went elsewhere: the server starting something before it answers, or a STUN/TURN server answering it late" +
      (answer.counts.relay === 0 && answer.counts.srflx > 0 ? "; with no relay candidate, a TURN server it is given may have failed its allocation, which costs a wait of its own" : "") +
      ". Every connection waits this long before ICE can start.",
    fix: "Nothing is needed to connect. To connect faster, have the far side answer sooner: start slow work after answering, and give it only STUN/TURN servers that answer it quickly.",
    evidence,
    subjects: [`${base}/signalling/answerMs`],
  };
}

/**
 * How long the far side took to answer is evidence. Far sides that gather before answering wait for
 * every STUN/TURN server they are given; one they cannot reach delays the answer by seconds and
 * leaves no srflx/relay candidate in it. No answer within the signalling bound, or an error after a
 * long wait, is named the same way, instead of a bare stall.
 */
export const farSideSlowAnswer = defineRule<Message>({
  id: "far-side-slow-answer",
  docs: "docs/rules/far-side-slow-answer.md",
  requires: ["connectivity"],
  messages: {
    "no-answer": { severity: "error", title: "The far side did not answer the offer within {{bound}}" },
    "failed-after-wait": { severity: "error", title: "The far side failed the offer after {{seconds}}: its ICE gathering likely timed out" },
    "unreachable-ice-server": { severity: "error", title: "The far side took {{seconds}} to answer and gathered no public address: a STUN/TURN server it cannot reach" },
    "unreachable-ice-server-slow": { severity: "warning", title: "The far side took {{seconds}} to answer: it waits for a STUN/TURN server it cannot reach" },
    slow: { severity: "info", title: "The far side took {{seconds}} to answer the offer" },
  },
  // The stall, and the private-only answer, are what the unreachable server leads to.
  supersedes: ["connection-stalled", "far-side-private-candidates"],
  check(facts) {
    const found = remoteAttempt(facts);
    const sig = found?.fact.signalling;
    if (!found || !sig) return [];
    const { fact, base } = found;
    const offer = offerExchange(fact);
    if (sig.answer && sig.answerMs !== undefined) return sig.answerMs >= SLOW_ANSWER_MS ? [slowAnswer(fact, base, sig.answerMs, sig.answer)] : [];
    if (!offer || fact.ok) return [];
    if (fact.error?.code === "timeout" && offer.exchange.status === undefined && offer.exchange.error !== undefined) return [noAnswer(fact, base, offer.exchange, offer.at)];
    if ((offer.exchange.status ?? 0) >= 500 && offer.exchange.durationMs >= SLOW_ANSWER_MS) return [failedAfterWait(fact, base, offer.exchange, offer.at)];
    return [];
  },
});
