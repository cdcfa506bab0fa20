import { describe, expect, it } from "vitest";
import type { CandidatePairFact, CandidateFact, SessionFact } from "../../../src/facts/index.js";
import { analyseCandidateLine, analyseSdp } from "../../../src/sdp/analyse.js";
import { sdpWithoutCandidates } from "../../../src/rules/sdp-without-candidates.js";
import { farSidePrivateCandidates } from "../../../src/rules/far-side-private-candidates.js";
import { farSideMdnsOnly } from "../../../src/rules/far-side-mdns-only.js";
import { ipFamilyMismatch } from "../../../src/rules/ip-family-mismatch.js";
import { iceTcpOneSide } from "../../../src/rules/ice-tcp-one-side.js";
import { farSideUnreachableViaRelay } from "../../../src/rules/far-side-unreachable-via-relay.js";
import { transportFallbackHidesUdp } from "../../../src/rules/transport-fallback-hides-udp.js";
import { rules, runRules } from "../../../src/rules/index.js";
import { sessionsFromDump } from "../../../src/explain/from-dump.js";
import { healthyFacts } from "../../helpers/facts.js";
import { fixture, healthySession, withSession } from "../../helpers/sessions.js";
import { hitsOf, kinds } from "../../helpers/rule-tester.js";

const SESSION_RULES = [sdpWithoutCandidates, farSidePrivateCandidates, farSideMdnsOnly, ipFamilyMismatch, iceTcpOneSide, farSideUnreachableViaRelay, transportFallbackHidesUdp];

const cand = (line: string): CandidateFact => analyseCandidateLine(line) as CandidateFact;
const withRemote = (session: SessionFact, candidates: CandidateFact[]): SessionFact => ({ ...session, remote: { ...session.remote!, candidates } });
const withLocal = (session: SessionFact, candidates: CandidateFact[]): SessionFact => ({ ...session, local: { ...session.local!, candidates } });
const dumpSession = (name: string) => sessionsFromDump(JSON.parse(fixture(`webrtc-internals/${name}`)) as { PeerConnections: unknown })[0]!.session;

describe("session rules stay silent on healthy captures", () => {
  it.each(SESSION_RULES.map((r) => [r.id, r] as const))("%s: the connected werift offer/answer", (_id, rule) => {
    expect(rule.check(withSession(healthySession()))).toEqual([]);
  });

  it.each(SESSION_RULES.map((r) => [r.id, r] as const))("%s: the connected werift dump", (_id, rule) => {
    expect(rule.check(withSession(dumpSession("werift-connected.json")))).toEqual([]);
  });

  it("all registered rules together find nothing on healthy facts with a healthy session", () => {
    expect(runRules(rules, withSession(healthySession()))).toEqual([]);
  });
});

describe("sdp-without-candidates", () => {
  it("fires on the offer werift made before gathering, naming the missing end-of-candidates", () => {
    const remote = analyseSdp(fixture("sdp/werift-offer-before-gathering.sdp"));
    expect(hitsOf(sdpWithoutCandidates, withSession({ source: "sdp", remote }))).toEqual([
      {
        rule: "sdp-without-candidates",
        message: "taken-before-gathering",
        severity: "error",
        evidence: ["/session/remote/candidates", "/session/remote/endOfCandidates", "/session/remote/trickle"],
        subjects: ["/session/remote"],
      },
    ]);
  });

  it("says gathering found nothing when the description has end-of-candidates and no candidate", () => {
    const remote = { ...analyseSdp(fixture("sdp/werift-offer-before-gathering.sdp")), endOfCandidates: true };
    expect(kinds(hitsOf(sdpWithoutCandidates, withSession({ source: "sdp", remote })))).toEqual(["sdp-without-candidates/gathered-nothing"]);
  });

  it("stays silent when the candidates were trickled after the description", () => {
    const remote = analyseSdp(fixture("sdp/werift-offer-before-gathering.sdp"));
    const session: SessionFact = { source: "webrtc-internals", remote, trickled: { remote: [cand("candidate:1 1 udp 1 203.0.113.9 4000 typ srflx raddr 10.0.0.1 rport 4000")] } };
    expect(sdpWithoutCandidates.check(withSession(session))).toEqual([]);
  });
});

describe("far-side-private-candidates", () => {
  it("fires on the answer made in a namespace with only 10.20.30.40", () => {
    const session: SessionFact = { source: "sdp", remote: analyseSdp(fixture("sdp/werift-answer-private-host-only.sdp")) };
    const [hit, ...more] = hitsOf(farSidePrivateCandidates, withSession(session));
    expect(more).toEqual([]);
    expect(hit).toMatchObject({ rule: "far-side-private-candidates", message: "private-only", severity: "error", subjects: ["/session/remote"] });
    expect(hit?.evidence.every((p) => p === "/session/remote/candidates")).toBe(true);
    expect(farSidePrivateCandidates.check(withSession(session))[0]?.evidence[0]?.fact).toMatch(/host udp 10\.20\.30\.40:\d+ \(private\)/);
  });

  it("gives the container fix for Docker's bridge address", () => {
    const session: SessionFact = { source: "sdp", remote: analyseSdp(fixture("sdp/werift-answer-docker-bridge-only.sdp")) };
    expect(kinds(hitsOf(farSidePrivateCandidates, withSession(session)))).toEqual(["far-side-private-candidates/container-bridge-only"]);
  });

  it("is a warning, naming the pair, when the capture shows the call connected over a peer-reflexive candidate", () => {
    const base: SessionFact = { source: "webrtc-internals", remote: analyseSdp(fixture("sdp/werift-answer-private-host-only.sdp")) };
    const pair = (state: CandidatePairFact["state"], selected: boolean): CandidatePairFact => ({
      state,
      nominated: selected,
      selected,
      local: cand("candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host"),
      remote: cand("candidate:9 1 udp 1845501695 203.0.113.9 61000 typ prflx raddr 0.0.0.0 rport 0"),
    });
    const stalled = { ...base, pairs: [pair("in-progress", false)] };
    expect(kinds(hitsOf(farSidePrivateCandidates, withSession(stalled)))).toEqual(["far-side-private-candidates/private-only"]);
    const connected = { ...base, pairs: [pair("succeeded", true)] };
    const [hit, ...more] = hitsOf(farSidePrivateCandidates, withSession(connected));
    expect(more).toEqual([]);
    expect(hit).toMatchObject({ message: "connected-anyway", severity: "warning", subjects: ["/session/remote"] });
    expect(farSidePrivateCandidates.check(withSession(connected))[0]?.explanation).toContain("prflx 203.0.113.9:61000");
  });

  it("stays silent once one public candidate is present", () => {
    const session = withRemote(healthySession(), [cand("candidate:1 1 udp 1 10.0.0.5 4000 typ host"), cand("candidate:2 1 udp 1 198.51.100.7 4000 typ srflx raddr 10.0.0.5 rport 4000")]);
    expect(farSidePrivateCandidates.check(withSession(session))).toEqual([]);
  });
});

describe("far-side-mdns-only", () => {
  const mdns = cand("candidate:1 1 udp 2122194687 2b5c4d1e-9f3a-4b7c-8d6e-0a1b2c3d4e5f.local 54400 typ host");
  it("fires when every far-side candidate is a .local name, and the private rule leaves it alone", () => {
    const facts = withSession(withRemote(healthySession(), [mdns]));
    expect(hitsOf(farSideMdnsOnly, facts)).toEqual([
      { rule: "far-side-mdns-only", message: "mdns-only", severity: "error", evidence: ["/session/remote/candidates"], subjects: ["/session/remote"] },
    ]);
    expect(farSidePrivateCandidates.check(facts)).toEqual([]);
  });
  it("stays silent when a srflx candidate comes with it", () => {
    expect(farSideMdnsOnly.check(withSession(withRemote(healthySession(), [mdns, cand("candidate:2 1 udp 1 198.51.100.7 4000 typ srflx raddr 0.0.0.0 rport 0")])))).toEqual([]);
  });
});

describe("ip-family-mismatch", () => {
  it("fires when ours is IPv4-only and theirs IPv6-only", () => {
    let session = withLocal(healthySession(), [cand("candidate:1 1 udp 1 198.51.100.7 4000 typ srflx raddr 10.0.0.5 rport 4000")]);
    session = withRemote(session, [cand("candidate:2 1 udp 1 2001:db8::5 4000 typ host")]);
    expect(hitsOf(ipFamilyMismatch, withSession(session))).toEqual([
      {
        rule: "ip-family-mismatch",
        message: "no-common-family",
        severity: "error",
        evidence: ["/session/local/candidates", "/session/remote/candidates"],
        subjects: ["/session/local", "/session/remote"],
      },
    ]);
    expect(ipFamilyMismatch.check(withSession(session))[0]?.explanation).toMatch(/only IPv4 candidates .* only IPv6/);
    expect(iceTcpOneSide.check(withSession(session))).toEqual([]);
  });
});

describe("ice-tcp-one-side", () => {
  it("fires when the far side offers only passive TCP and we offer only UDP", () => {
    const session = withRemote(healthySession(), [cand("candidate:1 1 tcp 1 198.51.100.8 443 typ host tcptype passive")]);
    const [hit, ...more] = hitsOf(iceTcpOneSide, withSession(session));
    expect(more).toEqual([]);
    expect(hit).toMatchObject({ rule: "ice-tcp-one-side", message: "other-side-no-tcp", severity: "error", subjects: ["/session/local", "/session/remote"] });
    expect(hit?.evidence[0]).toBe("/session/remote/candidates");
  });
  it("names TCP types that cannot pair when the other side's TCP candidates are passive too", () => {
    let session = withRemote(healthySession(), [cand("candidate:1 1 tcp 1 198.51.100.8 443 typ host tcptype passive")]);
    session = withLocal(session, [...session.local!.candidates, cand("candidate:2 1 tcp 1 192.0.2.2 9 typ host tcptype passive")]);
    expect(kinds(hitsOf(iceTcpOneSide, withSession(session)))).toEqual(["ice-tcp-one-side/tcp-types-cannot-pair"]);
  });

  it("stays silent when our side has an active TCP candidate to pair with it", () => {
    let session = withRemote(healthySession(), [cand("candidate:1 1 tcp 1 198.51.100.8 443 typ host tcptype passive")]);
    session = withLocal(session, [...session.local!.candidates, cand("candidate:2 1 tcp 1 192.0.2.2 9 typ host tcptype active")]);
    expect(iceTcpOneSide.check(withSession(session))).toEqual([]);
  });
});

describe("far-side-unreachable-via-relay", () => {
  it("fires on the captured dump: relay checks to 192.0.2.99 never answered", () => {
    const facts = withSession(dumpSession("werift-relay-far-side-unreachable.json"));
    const [hit, ...more] = hitsOf(farSideUnreachableViaRelay, facts);
    expect(more).toEqual([]);
    expect(hit).toMatchObject({ rule: "far-side-unreachable-via-relay", message: "relay-checks-unanswered", severity: "error", subjects: ["/session/pairs"] });
    expect(hit?.evidence[0]).toBe("/session/pairs");
    expect(farSideUnreachableViaRelay.check(facts)[0]?.evidence[0]?.fact).toMatch(/relay udp 127\.0\.0\.1:\d+ \(loopback\) -> host udp 192\.0\.2\.99:\d+ \(public\): (failed|in-progress), \d+ requests sent, 0 responses/);
  });
  it("stays silent once a pair succeeded", () => {
    const session = dumpSession("werift-relay-far-side-unreachable.json");
    const pairs = session.pairs!.map((p, i): CandidatePairFact => (i === 0 ? { ...p, state: "succeeded", responsesReceived: 1 } : p));
    expect(farSideUnreachableViaRelay.check(withSession({ ...session, pairs }))).toEqual([]);
  });
});

describe("transport-fallback-hides-udp", () => {
  it("fires when a relay gathered through a UDP URL came over TCP", () => {
    const facts = healthyFacts();
    facts.candidates.push({ type: "relay", protocol: "udp", address: "198.51.100.1", port: 50000, component: 1, addressClass: "public", family: 4, url: "turn:198.51.100.1:3478?transport=udp", relayProtocol: "tcp" });
    const last = `/candidates/${facts.candidates.length - 1}`;
    expect(hitsOf(transportFallbackHidesUdp, facts)).toEqual([
      { rule: "transport-fallback-hides-udp", message: "relay-fell-back-to-tcp", severity: "warning", evidence: [last], subjects: [last] },
    ]);
  });

  it("fires when a session settled on a TLS relay after its UDP pairs failed", () => {
    const relay = { ...cand("candidate:1 1 udp 1 198.51.100.1 50000 typ relay raddr 0.0.0.0 rport 0"), relayProtocol: "tls" as const };
    const host = cand("candidate:2 1 udp 1 192.0.2.2 4000 typ host");
    const far = cand("candidate:3 1 udp 1 203.0.113.9 5000 typ srflx raddr 10.0.0.1 rport 5000");
    const pairs: CandidatePairFact[] = [
      { state: "failed", nominated: false, selected: false, local: host, remote: far, requestsSent: 7, responsesReceived: 0 },
      { state: "succeeded", nominated: true, selected: true, local: relay, remote: far, requestsSent: 2, responsesReceived: 2 },
    ];
    const facts = withSession({ ...healthySession(), pairs });
    expect(hitsOf(transportFallbackHidesUdp, facts)).toEqual([
      { rule: "transport-fallback-hides-udp", message: "session-settled-on-tcp", severity: "warning", evidence: ["/session/pairs", "/session/pairs"], subjects: ["/session/pairs"] },
    ]);
    expect(transportFallbackHidesUdp.check(facts)[0]?.explanation).toContain("a TURN relay over TLS");
  });
});
