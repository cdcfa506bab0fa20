import { describe, expect, it } from "vitest";
import type { ConnectivityFact, Facts } from "../../../src/facts/index.js";
import { connectionStalled } from "../../../src/rules/connection-stalled.js";
import { healthyFacts } from "../../helpers/facts.js";
import { hitsOf, kinds } from "../../helpers/rule-tester.js";
import { runRules } from "../../../src/rules/index.js";

const hostPair = {
  state: "failed" as const,
  nominated: false,
  selected: false,
  local: { type: "host" as const, protocol: "udp" as const, address: "10.77.0.2", port: 40000, component: 1, addressClass: "private" as const, family: 4 as const },
  remote: { type: "host" as const, protocol: "udp" as const, address: "10.88.0.2", port: 50000, component: 1, addressClass: "private" as const, family: 4 as const },
  requestsSent: 7,
  responsesReceived: 0,
  requestsReceived: 0,
};

function stalledRemote(): ConnectivityFact {
  return {
    mode: "remote",
    via: "http://198.51.100.20:7860/api/offer",
    ok: false,
    durationMs: 10_300,
    iceStates: [{ state: "checking", atMs: 310 }],
    stalledIn: "checking",
    pairs: [hostPair],
    localCandidates: [hostPair.local],
    remoteCandidates: [hostPair.remote],
    signalling: {
      protocol: "pipecat",
      trickle: false,
      gatheringTimedOut: false,
      offerCandidates: 1,
      trickledCandidates: 0,
      exchanges: [{ step: "offer", method: "POST", url: "http://198.51.100.20:7860/api/offer", status: 200, durationMs: 40, headers: {} }],
      iceServersFromServer: [],
      answer: {
        type: "answer",
        candidates: [hostPair.remote],
        counts: { host: 1, srflx: 0, prflx: 0, relay: 0 },
        iceLite: false,
        endOfCandidates: true,
        trickle: false,
        iceUfrag: true,
        media: [],
        dataChannel: true,
        fingerprint: true,
        bundle: true,
      },
    },
  };
}

function withConnectivity(...attempts: ConnectivityFact[]): Facts {
  return { ...healthyFacts(), connectivity: attempts };
}

describe("connection-stalled", () => {
  it("a remote attempt stalled in checking is an error with the timeline, pair stats and answer candidates as evidence", () => {
    expect(hitsOf(connectionStalled, withConnectivity(stalledRemote()))).toEqual([
      {
        rule: "connection-stalled",
        message: "remote-stalled",
        severity: "error",
        evidence: ["/connectivity/0/stalledIn", "/connectivity/0/iceStates", "/connectivity/0/pairs", "/connectivity/0/signalling/answer/candidates"],
        subjects: ["/connectivity/0"],
      },
    ]);
    const [hit] = connectionStalled.check(withConnectivity(stalledRemote()));
    // The step it stopped at, told from the stalledIn fact.
    expect(hit?.explanation).toContain("ICE stayed in checking");
    expect(hit?.evidence[2]?.fact).toBe("1 candidate pair: 7 checks sent, 0 answered; 0 received from the far side");
    expect(hit?.evidence[3]?.fact).toContain("host 10.88.0.2:50000 (private)");
  });

  it("a stalled loopback path is a warning pointing at its own index", () => {
    const ok: ConnectivityFact = { mode: "loopback-host", ok: true, durationMs: 300, iceStates: [], pairs: [], localCandidates: [], remoteCandidates: [] };
    const relay: ConnectivityFact = { ...ok, mode: "loopback-relay", via: "turn:198.51.100.1:3478", ok: false, stalledIn: "checking" };
    const [hit, ...more] = hitsOf(connectionStalled, withConnectivity(ok, relay));
    expect(more).toEqual([]);
    expect(hit).toMatchObject({ rule: "connection-stalled", message: "loopback-stalled", severity: "warning", subjects: ["/connectivity/1"] });
    expect(hit?.evidence).toEqual(["/connectivity/1/stalledIn", "/connectivity/1/pairs"]);
    // The mode is the title's data; the relay path's fix names the TURN server's peer policy.
    expect(runRules([connectionStalled], withConnectivity(ok, relay))[0]?.title).toBe("The loopback-relay connection stalled");
    expect(connectionStalled.check(withConnectivity(ok, relay))[0]?.fix).toMatch(/403 Forbidden IP/);
  });

  it("a signalling failure names the error", () => {
    const fact: ConnectivityFact = { ...stalledRemote(), stalledIn: "signalling", pairs: [], iceStates: [], signalling: undefined, error: { code: "unauthorized", detail: "the WHIP endpoint refused the offer with 401", message: "the WHIP endpoint refused the offer with 401" } };
    expect(kinds(hitsOf(connectionStalled, withConnectivity(fact)))).toEqual(["connection-stalled/remote-signalling-failed"]);
    // Its fix names the protocol option, as a token the diagnosis turns into words.
    expect(connectionStalled.check(withConnectivity(fact))[0]?.fix).toContain("{option:remote.protocol}");
    expect(hitsOf(connectionStalled, withConnectivity(fact))[0]?.evidence).toEqual(["/connectivity/0/stalledIn", "/connectivity/0/error"]);
    const [hit] = connectionStalled.check(withConnectivity(fact));
    expect(hit?.explanation).toContain("offer/answer exchange did not complete");
    expect(hit?.evidence.map((e) => e.fact)).toContain("the WHIP endpoint refused the offer with 401");
  });

  it("an untrusted signalling certificate gets the CA fix", () => {
    const fact: ConnectivityFact = { ...stalledRemote(), stalledIn: "signalling", pairs: [], iceStates: [], signalling: undefined, error: { code: "tls-certificate-invalid", detail: "the TLS certificate of https://x.example/whip is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)", message: "the TLS certificate of https://x.example/whip is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)" } };
    expect(hitsOf(connectionStalled, withConnectivity(fact))).toEqual([
      { rule: "connection-stalled", message: "remote-tls-untrusted", severity: "error", evidence: ["/connectivity/0/stalledIn", "/connectivity/0/error"], subjects: ["/connectivity/0"] },
    ]);
    expect(connectionStalled.check(withConnectivity(fact))[0]?.fix).toContain("{option:tlsCa}");
  });

  it("stays silent when every attempt connected, and when none was made", () => {
    const ok: ConnectivityFact = { mode: "remote", ok: true, durationMs: 400, iceStates: [], pairs: [], localCandidates: [], remoteCandidates: [] };
    expect(connectionStalled.check(withConnectivity(ok))).toEqual([]);
    expect(connectionStalled.check(healthyFacts())).toEqual([]);
  });
});
