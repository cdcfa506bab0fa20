import { describe, expect, it } from "vitest";
import type { CandidateFact, ConnectivityFact, Facts, HttpExchangeFact } from "../../../src/facts/index.js";
import { analyseSdp } from "../../../src/sdp/analyse.js";
import { sessionFromRemote } from "../../../src/phases/connect.js";
import { connectionStalled } from "../../../src/rules/connection-stalled.js";
import { farSideSlowAnswer } from "../../../src/rules/far-side-slow-answer.js";
import { rules, runRules } from "../../../src/rules/index.js";
import { healthyFacts } from "../../helpers/facts.js";
import { hitsOf, kinds } from "../../helpers/rule-tester.js";

// Shapes from the NAT lab (test/lab/far-side.test.ts): aiortc as a Pipecat bot, given a STUN server it cannot reach.
const ourHost: CandidateFact = { type: "host", protocol: "udp", address: "10.77.0.2", port: 41900, component: 1, addressClass: "private", family: 4 };
const farPrivate: CandidateFact = { type: "host", protocol: "udp", address: "10.77.0.2", port: 40376, component: 1, addressClass: "private", family: 4 };
const farPublic: CandidateFact = { type: "host", protocol: "udp", address: "203.0.113.2", port: 58252, component: 1, addressClass: "public", family: 4 };
const farSrflx: CandidateFact = { type: "srflx", protocol: "udp", address: "198.51.100.14", port: 50363, relatedAddress: "10.77.0.2", relatedPort: 50363, component: 1, addressClass: "public", family: 4 };
const URL = "http://198.51.100.14:8788/api/offer";

const SDP_HEAD = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n";

function sdpWith(candidates: readonly CandidateFact[], type: "offer" | "answer") {
  const lines = candidates.map(
    (c, i) => `a=candidate:${i + 1} 1 udp ${2130706431 - i} ${c.address} ${c.port} typ ${c.type}${c.relatedAddress ? ` raddr ${c.relatedAddress} rport ${c.relatedPort}` : ""}\r\n`,
  );
  return analyseSdp(`${SDP_HEAD}${lines.join("")}a=end-of-candidates\r\n`, type);
}

function answered(far: CandidateFact[], answerMs: number, ok: boolean): ConnectivityFact {
  return {
    mode: "remote",
    via: URL,
    ok,
    durationMs: answerMs + 8000,
    iceStates: [{ state: "checking", atMs: answerMs + 20 }],
    ...(ok ? {} : { stalledIn: "checking" as const }),
    pairs: far.map((remote) => ({ state: ok ? "succeeded" : "failed", nominated: ok, selected: ok, local: ourHost, remote, requestsSent: 5, responsesReceived: ok ? 1 : 0, requestsReceived: 0 })),
    localCandidates: [ourHost],
    remoteCandidates: far,
    signalling: {
      protocol: "pipecat",
      trickle: false,
      gatheringTimedOut: false,
      offerCandidates: 1,
      trickledCandidates: 0,
      exchanges: [{ step: "offer", method: "POST", url: URL, status: 200, durationMs: answerMs, headers: {} }],
      requestTimeoutMs: 30_000,
      answerMs,
      iceServersFromServer: [],
      offer: sdpWith([ourHost], "offer"),
      answer: sdpWith(far, "answer"),
    },
  };
}

/** The offer request failed: no answer fact, no pairs, the error as the remote probe records it. */
function failedOffer(exchange: HttpExchangeFact, error: NonNullable<ConnectivityFact["error"]>, before: HttpExchangeFact[] = []): ConnectivityFact {
  const fact = answered([], 0, false);
  const { answer: _answer, answerMs: _answerMs, ...signalling } = fact.signalling!;
  return { ...fact, stalledIn: "signalling", iceStates: [], pairs: [], remoteCandidates: [], error, signalling: { ...signalling, exchanges: [...before, exchange] } };
}

function factsWith(fact: ConnectivityFact): Facts {
  const session = sessionFromRemote(fact);
  return { ...healthyFacts(), connectivity: [fact], ...(session ? { session } : {}) };
}

describe("far-side-slow-answer", () => {
  it("seconds late with only private host candidates: a STUN/TURN server the far side cannot reach is the error, not 'give it STUN'", () => {
    const facts = factsWith(answered([farPrivate], 5043, false));
    expect(hitsOf(farSideSlowAnswer, facts)).toEqual([
      {
        rule: "far-side-slow-answer",
        message: "unreachable-ice-server",
        severity: "error",
        evidence: ["/connectivity/0/signalling/answerMs", "/connectivity/0/signalling/answer/counts", "/connectivity/0/signalling/answer/candidates"],
        subjects: ["/connectivity/0", "/session/remote"],
      },
    ]);
    const [hit] = farSideSlowAnswer.check(facts);
    // The delay and what the answer shows about the gathering, as facts.
    expect(hit?.evidence[0]?.fact).toBe("the far side answered the offer after 5043 ms");
    expect(hit?.evidence[1]?.fact).toBe("the answer carries 1 candidate (host 1, srflx 0, relay 0) and end-of-candidates: it gathered to the end before answering");
    const findings = runRules(rules, facts);
    expect(findings[0]).toMatchObject({ id: "far-side-slow-answer", title: "The far side took 5.0 s to answer and gathered no public address: a STUN/TURN server it cannot reach" });
    // The private-only finding and the stall are what this cause leads to.
    expect(findings.map((f) => f.id)).not.toContain("far-side-private-candidates");
    expect(findings.map((f) => f.id)).not.toContain("connection-stalled");
  });

  it("the same answer given at once is left to far-side-private-candidates (no STUN configured at all)", () => {
    const facts = factsWith(answered([farPrivate], 40, false));
    expect(hitsOf(farSideSlowAnswer, facts)).toEqual([]);
    expect(runRules(rules, facts).map((f) => f.id)).toContain("far-side-private-candidates");
  });

  it("late, no srflx, but a public address: a warning, and a connected attempt has no error from it", () => {
    const facts = factsWith(answered([farPublic], 5043, true));
    expect(kinds(hitsOf(farSideSlowAnswer, facts))).toEqual(["far-side-slow-answer/unreachable-ice-server-slow"]);
    // A warning does not hide the stall of a failed attempt it does not explain.
    expect(hitsOf(farSideSlowAnswer, facts)[0]?.subjects).toEqual(["/connectivity/0/signalling/answerMs"]);
    const failed = runRules([farSideSlowAnswer, connectionStalled], factsWith(answered([farPublic], 5043, false))).map((f) => `${f.severity} ${f.id}`);
    expect(failed).toEqual(["error connection-stalled", "warning far-side-slow-answer"]);
    expect(runRules(rules, facts).filter((f) => f.severity === "error")).toEqual([]);
  });

  it("late with srflx candidates: gathering worked, slow but fine is info", () => {
    const facts = factsWith(answered([farPrivate, farSrflx], 3200, true));
    expect(hitsOf(farSideSlowAnswer, facts).map((h) => `${h.severity} ${h.message}`)).toEqual(["info slow"]);
    expect(runRules(rules, facts).filter((f) => f.severity === "error")).toEqual([]);
  });

  it("no answer within the signalling bound: the bound is named, with what is known to hold the answer back", () => {
    const offer: HttpExchangeFact = { step: "offer", method: "POST", url: URL, durationMs: 30_004, headers: {}, error: `no response from ${URL} within 30000 ms` };
    const start: HttpExchangeFact = { step: "start", method: "POST", url: "http://198.51.100.14:8788/start", status: 200, durationMs: 12, headers: {} };
    const facts = factsWith(failedOffer(offer, { code: "timeout", detail: offer.error!, message: offer.error! }, [start]));
    expect(hitsOf(farSideSlowAnswer, facts)).toEqual([
      {
        rule: "far-side-slow-answer",
        message: "no-answer",
        severity: "error",
        evidence: ["/connectivity/0/signalling/exchanges/1", "/connectivity/0/signalling/exchanges/0"],
        subjects: ["/connectivity/0"],
      },
    ]);
    const findings = runRules(rules, facts);
    expect(findings[0]?.title).toBe("The far side did not answer the offer within 30.0 s");
    expect(farSideSlowAnswer.check(facts)[0]?.fix).toContain("{option:signalTimeoutMs}");
    expect(findings.map((f) => f.id)).not.toContain("connection-stalled");
  });

  it("an error after a long wait is the far side's gathering failing", () => {
    const offer: HttpExchangeFact = { step: "offer", method: "POST", url: URL, status: 500, durationMs: 63_748, headers: {} };
    const detail = 'the offer endpoint answered 500 without a {sdp, type: "answer", pc_id} body: {"error": "TransactionTimeout()"}';
    const facts = factsWith(failedOffer(offer, { code: "protocol-error", detail, message: detail }));
    expect(kinds(hitsOf(farSideSlowAnswer, facts))).toEqual(["far-side-slow-answer/failed-after-wait"]);
    expect(runRules(rules, facts)[0]?.title).toBe("The far side failed the offer after 63.7 s: its ICE gathering likely timed out");
    expect(farSideSlowAnswer.check(facts)[0]?.evidence.map((e) => e.fact)).toContain(detail);
  });

  it("stays silent for a prompt answer, a prompt refusal, a timeout before the offer, and no remote attempt", () => {
    expect(hitsOf(farSideSlowAnswer, factsWith(answered([farPrivate, farSrflx], 40, true)))).toEqual([]);
    const refused: HttpExchangeFact = { step: "offer", method: "POST", url: URL, status: 500, durationMs: 30, headers: {} };
    expect(hitsOf(farSideSlowAnswer, factsWith(failedOffer(refused, { code: "protocol-error", detail: "500", message: "500" })))).toEqual([]);
    const start: HttpExchangeFact = { step: "start", method: "POST", url: "http://198.51.100.14:8788/start", durationMs: 30_001, headers: {}, error: "no response" };
    expect(hitsOf(farSideSlowAnswer, factsWith(failedOffer(start, { code: "timeout", detail: "no response", message: "no response" })))).toEqual([]);
    expect(hitsOf(farSideSlowAnswer, healthyFacts())).toEqual([]);
  });
});
