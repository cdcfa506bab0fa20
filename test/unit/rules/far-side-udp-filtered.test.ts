import { describe, expect, it } from "vitest";
import type { CandidateFact, CandidatePairFact, ConnectivityFact, Facts, NatFact } from "../../../src/facts/index.js";
import { analyseSdp } from "../../../src/sdp/analyse.js";
import { sessionFromRemote } from "../../../src/phases/connect.js";
import { farSideUdpFiltered } from "../../../src/rules/far-side-udp-filtered.js";
import { rules, runRules } from "../../../src/rules/index.js";
import { healthyFacts } from "../../helpers/facts.js";
import { hitsOf, kinds, reported } from "../../helpers/rule-tester.js";

// The shapes the NAT lab's run gave (test/lab/far-side.test.ts): our client behind a NAT with a
// STUN server, the far side (aiortc) on a public address whose router drops inbound UDP.
const ourHost: CandidateFact = { type: "host", protocol: "udp", address: "10.77.0.2", port: 38844, component: 1, addressClass: "private", family: 4 };
const ourSrflx: CandidateFact = { type: "srflx", protocol: "udp", address: "198.51.100.12", port: 38844, relatedAddress: "10.77.0.2", relatedPort: 38844, component: 1, addressClass: "public", family: 4 };
const farPublicHost: CandidateFact = { type: "host", protocol: "udp", address: "203.0.113.2", port: 45854, component: 1, addressClass: "public", family: 4 };
const farSrflx: CandidateFact = { type: "srflx", protocol: "udp", address: "198.51.100.14", port: 50363, relatedAddress: "10.77.0.2", relatedPort: 50363, component: 1, addressClass: "public", family: 4 };
const farPrivateHost: CandidateFact = { type: "host", protocol: "udp", address: "10.77.0.2", port: 50363, component: 1, addressClass: "private", family: 4 };

function pair(remote: CandidateFact, counts: Partial<CandidatePairFact> = {}): CandidatePairFact {
  return { state: "failed", nominated: false, selected: false, local: ourHost, remote, requestsSent: 5, responsesReceived: 0, requestsReceived: 0, ...counts };
}

const SDP_HEAD = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n";

function sdpWith(candidates: readonly CandidateFact[], type: "offer" | "answer") {
  const lines = candidates.map(
    (c, i) => `a=candidate:${i + 1} 1 udp ${2130706431 - i} ${c.address} ${c.port} typ ${c.type}${c.relatedAddress ? ` raddr ${c.relatedAddress} rport ${c.relatedPort}` : ""}\r\n`,
  );
  return analyseSdp(`${SDP_HEAD}${lines.join("")}a=end-of-candidates\r\n`, type);
}

function stalled(pairs: CandidatePairFact[], far: CandidateFact[], answerMs = 96, local: CandidateFact[] = [ourHost, ourSrflx]): ConnectivityFact {
  return {
    mode: "remote",
    via: "http://203.0.113.2:8787/api/offer",
    ok: false,
    durationMs: 8600,
    iceStates: [{ state: "checking", atMs: 120 }],
    stalledIn: "checking",
    pairs,
    localCandidates: local,
    remoteCandidates: far,
    signalling: {
      protocol: "pipecat",
      trickle: false,
      gatheringTimedOut: false,
      offerCandidates: local.length,
      trickledCandidates: 0,
      exchanges: [{ step: "offer", method: "POST", url: "http://203.0.113.2:8787/api/offer", status: 200, durationMs: answerMs, headers: {} }],
      requestTimeoutMs: 30_000,
      answerMs,
      iceServersFromServer: [],
      offer: sdpWith(local, "offer"),
      answer: sdpWith(far, "answer"),
    },
  };
}

function factsWith(fact: ConnectivityFact, extra: Partial<Facts> = {}): Facts {
  const session = sessionFromRemote(fact);
  return { ...healthyFacts(), connectivity: [fact], ...(session ? { session } : {}), ...extra };
}

function nat(mapping: NatFact["mapping"], filtering: NatFact["filtering"], classic: NatFact["classic"]): NatFact {
  return { mapping, filtering, classic, method: "rfc5780", servers: ["stun:198.51.100.1:3478"], durationMs: 40, tests: [] };
}

describe("far-side-udp-filtered", () => {
  it("checks to the far side's public host candidate go unanswered while STUN answers us: the far side's filter, and the stall is hidden", () => {
    const facts = factsWith(stalled([pair(farPublicHost)], [farPublicHost]));
    expect(hitsOf(farSideUdpFiltered, facts)).toEqual([
      {
        rule: "far-side-udp-filtered",
        message: "public-unanswered",
        severity: "error",
        evidence: ["/connectivity/0/pairs", "/connectivity/0/localCandidates", "/connectivity/0/signalling/answer/counts"],
        subjects: ["/connectivity/0"],
      },
    ]);
    const [hit] = farSideUdpFiltered.check(facts);
    expect(hit?.evidence[0]?.fact).toBe("host udp 10.77.0.2:38844 (private) -> host udp 203.0.113.2:45854 (public): 5 checks sent, 0 answered, 0 received");
    expect(hit?.evidence[1]?.fact).toContain("srflx udp 198.51.100.12:38844");
    // The fix speaks to both ends: open the media ports, or TURN for both.
    expect(hit?.fix).toMatch(/inbound UDP/);
    expect(hit?.fix).toMatch(/both sides a TURN server/);
    // The engine: this is the top finding, the bare stall is gone.
    const findings = runRules(rules, facts);
    expect(findings[0]).toMatchObject({ id: "far-side-udp-filtered", severity: "error" });
    expect(findings.map((f) => f.id)).not.toContain("connection-stalled");
  });

  it("the far side's checks reach us and nothing of ours reaches it: replies dropped, whatever its candidates' type", () => {
    for (const far of [farPublicHost, farSrflx]) {
      const facts = factsWith(stalled([pair(far, { state: "in-progress", requestsSent: 14, requestsReceived: 5 })], [far], 96, [ourHost]));
      expect(kinds(hitsOf(farSideUdpFiltered, facts))).toEqual(["far-side-udp-filtered/replies-dropped"]);
      // What shows our side receives UDP: the far side's own checks, not a srflx (there is none here).
      expect(farSideUdpFiltered.check(facts)[0]?.evidence[1]?.fact).toBe("5 checks from the far side arrived here: UDP from it reaches this side");
    }
  });

  it("a far side that answered late without a srflx candidate: its silent STUN server is added as evidence", () => {
    const facts = factsWith(stalled([pair(farPublicHost)], [farPublicHost], 5043));
    expect(hitsOf(farSideUdpFiltered, facts)[0]?.evidence).toContain("/connectivity/0/signalling/answerMs");
    // The slow answer is its own warning; the filter stays the one error.
    expect(reported(runRules(rules, facts)).map((r) => `${r.severity} ${r.rule}/${r.message}`)).toEqual([
      "error far-side-udp-filtered/public-unanswered",
      "warning far-side-slow-answer/unreachable-ice-server-slow",
    ]);
  });

  it("a far side behind a NAT (srflx only) is named only when our NAT admits anyone; behind a filtering NAT of ours silence proves nothing", () => {
    const fact = stalled([pair(farPrivateHost), pair(farSrflx)], [farPrivateHost, farSrflx]);
    expect(kinds(hitsOf(farSideUdpFiltered, factsWith(fact, { nat: nat("endpoint-independent", "endpoint-independent", "full-cone") })))).toEqual([
      "far-side-udp-filtered/reflexive-unanswered",
    ]);
    expect(hitsOf(farSideUdpFiltered, factsWith(fact, { nat: nat("endpoint-independent", "endpoint-independent", "full-cone") }))[0]?.evidence.at(-1)).toBe("/nat/mapping");
    expect(hitsOf(farSideUdpFiltered, factsWith(fact, { nat: nat("endpoint-independent", "address-and-port-dependent", "port-restricted-cone") }))).toEqual([]);
    expect(hitsOf(farSideUdpFiltered, factsWith(fact, { nat: nat("address-and-port-dependent", "address-and-port-dependent", "symmetric") }))).toEqual([]);
    expect(hitsOf(farSideUdpFiltered, factsWith(fact))).toEqual([]);
  });

  it("stays silent when a pair succeeded, a relay exists, a public check was answered, the far side is private only, or nothing shows our UDP works", () => {
    const connected = stalled([pair(farPublicHost, { state: "succeeded", responsesReceived: 1 })], [farPublicHost]);
    expect(hitsOf(farSideUdpFiltered, factsWith({ ...connected, ok: true, stalledIn: undefined }))).toEqual([]);
    const relay: CandidateFact = { type: "relay", protocol: "udp", address: "198.51.100.3", port: 50000, relatedAddress: "198.51.100.12", relatedPort: 38844, component: 1, addressClass: "public", family: 4 };
    expect(hitsOf(farSideUdpFiltered, factsWith(stalled([pair(farPublicHost)], [farPublicHost], 96, [ourHost, ourSrflx, relay])))).toEqual([]);
    const answeredOne = stalled([pair(farPublicHost, { responsesReceived: 1 }), pair({ ...farPublicHost, port: 1 })], [farPublicHost]);
    expect(hitsOf(farSideUdpFiltered, factsWith(answeredOne))).toEqual([]);
    expect(hitsOf(farSideUdpFiltered, factsWith(stalled([pair(farPrivateHost)], [farPrivateHost])))).toEqual([]);
    // No srflx, no STUN answer over UDP, nothing received: our own network may be what drops UDP.
    const noProof = { ...healthyFacts(), servers: [], connectivity: [stalled([pair(farPublicHost)], [farPublicHost], 96, [ourHost])] };
    expect(hitsOf(farSideUdpFiltered, noProof)).toEqual([]);
    // With a STUN server answering over UDP from here, the same attempt is judged.
    expect(kinds(hitsOf(farSideUdpFiltered, { ...noProof, servers: healthyFacts().servers }))).toEqual(["far-side-udp-filtered/public-unanswered"]);
    // A signalling failure is not a filter.
    expect(hitsOf(farSideUdpFiltered, factsWith({ ...stalled([], [farPublicHost]), stalledIn: "signalling" }))).toEqual([]);
    expect(hitsOf(farSideUdpFiltered, healthyFacts())).toEqual([]);
  });
});
