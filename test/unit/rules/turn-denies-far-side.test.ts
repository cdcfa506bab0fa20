import { describe, expect, it } from "vitest";
import type { CandidateFact, ConnectivityFact, Facts, FarSidePeerPermissionFact, FarSidePermissionsFact, PeerPermissionFact, SdpFact } from "../../../src/facts/index.js";
import { analyseCandidateLine } from "../../../src/sdp/analyse.js";
import { turnDeniesFarSide } from "../../../src/rules/turn-denies-far-side.js";
import { rules, runRules } from "../../../src/rules/index.js";
import { sessionFromRemote } from "../../../src/phases/connect.js";
import { pendingConnectivityFact } from "../../../src/probes/connect/attempt.js";
import { healthyFacts, withServer } from "../../helpers/facts.js";
import { hitsOf, kinds } from "../../helpers/rule-tester.js";

const cand = (line: string): CandidateFact => analyseCandidateLine(line) as CandidateFact;
const TURN_ID = "turn:198.51.100.1:3478?transport=udp";

const host: FarSidePeerPermissionFact = { address: "10.77.0.2", family: 4, addressClass: "private", candidateTypes: ["host"], allowed: true };
const loopback: FarSidePeerPermissionFact = { address: "127.0.0.1", family: 4, addressClass: "loopback", candidateTypes: ["host"], allowed: false, stunErrorCode: 403, stunReason: "Forbidden IP" };
const srflxDenied: FarSidePeerPermissionFact = { address: "198.51.100.12", family: 4, addressClass: "public", candidateTypes: ["srflx", "prflx"], allowed: false, stunErrorCode: 403, stunReason: "Forbidden IP" };
const srflxAllowed: FarSidePeerPermissionFact = { ...srflxDenied, allowed: true, stunErrorCode: undefined, stunReason: undefined };

function sdp(type: "offer" | "answer", candidates: CandidateFact[]): SdpFact {
  const counts = { host: 0, srflx: 0, prflx: 0, relay: 0 };
  for (const c of candidates) counts[c.type] += 1;
  return { type, candidates, counts, iceLite: false, endOfCandidates: true, trickle: true, iceUfrag: true, media: [], dataChannel: true, fingerprint: true, bundle: true };
}

function permissions(peers: FarSidePeerPermissionFact[]): FarSidePermissionsFact {
  return { serverId: TURN_ID, url: TURN_ID, ok: true, durationMs: 6, peers, exchanges: [] };
}

/** The remote attempt of the NAT lab: our relay's checks to the far side's srflx never answered, ICE stayed in checking. */
function remote(ok: boolean): ConnectivityFact {
  const fact = pendingConnectivityFact("remote", "http://198.51.100.12:7860/api/offer");
  const relay = cand("candidate:9 1 udp 16777215 198.51.100.1 54852 typ relay raddr 198.51.100.11 rport 4000");
  const farHost = cand("candidate:1 1 udp 2130706431 10.77.0.2 33007 typ host");
  const farSrflx = cand("candidate:2 1 udp 1686052607 198.51.100.12 29718 typ srflx raddr 10.77.0.2 rport 33007");
  fact.ok = ok;
  if (!ok) fact.stalledIn = "checking";
  fact.localCandidates = [relay];
  fact.remoteCandidates = [farHost, farSrflx];
  fact.pairs = [
    { state: ok ? "succeeded" : "failed", nominated: ok, selected: ok, local: relay, remote: farSrflx, requestsSent: 5, responsesReceived: ok ? 1 : 0 },
    { state: "failed", nominated: false, selected: false, local: relay, remote: farHost, requestsSent: 5, responsesReceived: 0 },
  ];
  fact.signalling = {
    protocol: "pipecat",
    trickle: false,
    gatheringTimedOut: false,
    offerCandidates: 1,
    trickledCandidates: 0,
    exchanges: [],
    iceServersFromServer: [],
    offer: sdp("offer", [relay]),
    answer: sdp("answer", [farHost, farSrflx]),
  };
  return fact;
}

function facts(peers: FarSidePeerPermissionFact[], ok = false): Facts {
  const attempt = remote(ok);
  const session = sessionFromRemote(attempt);
  return { ...healthyFacts(), connectivity: [attempt], farSidePermissions: [permissions(peers)], ...(session ? { session } : {}) };
}

describe("turn-denies-far-side", () => {
  it("is the error when the call failed and the far side's public address was refused (403), its private host allowed", () => {
    const f = facts([host, loopback, srflxDenied]);
    expect(hitsOf(turnDeniesFarSide, f)).toEqual([
      {
        rule: "turn-denies-far-side",
        message: "far-side-refused",
        severity: "error",
        // Only the relay pair to the refused address is evidence: the one to the private host fails for another reason.
        evidence: ["/farSidePermissions/0/peers/2", "/session/pairs"],
        subjects: ["/farSidePermissions/0", "/servers/1", "/session/pairs"],
      },
    ]);
    const [hit] = turnDeniesFarSide.check(f);
    expect(hit?.evidence[0]?.fact).toBe(`${TURN_ID}: CreatePermission for the far side's srflx/prflx 198.51.100.12 (public) answered 403 Forbidden IP`);
    expect(hit?.fix).toMatch(/denied-peer-ip/);
    expect(hit?.fix).toContain("198.51.100.12");
    expect(hit?.evidence[1]?.fact).toMatch(/-> srflx udp 198\.51\.100\.12:29718 \(public\): failed, 5 requests sent, 0 responses/);
  });

  it("comes first and hides the far side's firewall, which is what the pairs alone would say", () => {
    const f = facts([host, loopback, srflxDenied]);
    const without = runRules(rules.filter((r) => r.id !== "turn-denies-far-side"), f).filter((x) => x.severity === "error").map((x) => x.id);
    expect(without[0]).toBe("far-side-unreachable-via-relay");
    const ids = runRules(rules, f).filter((x) => x.severity === "error").map((x) => x.id);
    expect(ids).toEqual(["turn-denies-far-side", "connection-stalled"]);
  });

  it("a far side with only private addresses, all refused: the error, hiding the sample-based turn-denies-private-peers", () => {
    const denied: PeerPermissionFact = { peerClass: "private", address: "10.0.0.1", allowed: false, stunErrorCode: 403, stunReason: "Forbidden IP" };
    const base = facts([{ ...host, allowed: false, stunErrorCode: 403, stunReason: "Forbidden IP" }]);
    const f = withServer(base, 1, { peerPermissions: [denied] });
    expect(kinds(hitsOf(turnDeniesFarSide, f))).toEqual(["turn-denies-far-side/far-side-refused"]);
    const ids = runRules(rules, f).map((x) => `${x.id}/${x.message}`);
    expect(ids).toContain("turn-denies-far-side/far-side-refused");
    expect(runRules(rules, f).filter((x) => x.id === "turn-denies-private-peers").flatMap((x) => x.subjects)).not.toContain("/servers/1");
  });

  it("is a warning when the call connected another way", () => {
    expect(kinds(hitsOf(turnDeniesFarSide, facts([host, srflxDenied], true)))).toEqual(["turn-denies-far-side/far-side-refused-unused"]);
    expect(hitsOf(turnDeniesFarSide, facts([host, srflxDenied], true))[0]?.severity).toBe("warning");
  });

  it("is a warning when only some of the far side's public addresses were refused", () => {
    const other: FarSidePeerPermissionFact = { ...srflxAllowed, address: "203.0.113.9", candidateTypes: ["relay"] };
    expect(kinds(hitsOf(turnDeniesFarSide, facts([srflxDenied, other])))).toEqual(["turn-denies-far-side/far-side-partly-refused"]);
  });

  it("stays silent when every public far-side address is allowed (a refused loopback or private host is the usual policy)", () => {
    expect(turnDeniesFarSide.check(facts([host, loopback, srflxAllowed]))).toEqual([]);
    expect(turnDeniesFarSide.check(facts([{ ...host, allowed: false, stunErrorCode: 403 }, srflxAllowed]))).toEqual([]);
  });

  it("stays silent on refusals that are not policy (508), and without the fact", () => {
    expect(turnDeniesFarSide.check(facts([{ ...srflxDenied, stunErrorCode: 508, stunReason: "Insufficient Capacity" }]))).toEqual([]);
    expect(turnDeniesFarSide.check(healthyFacts())).toEqual([]);
  });
});
