import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CandidatePairFact, SessionFact } from "../../../src/facts/index.js";
import { checksUnanswered } from "../../../src/rules/checks-unanswered.js";
import { sdpWithoutCandidates } from "../../../src/rules/sdp-without-candidates.js";
import { farSideMdnsOnly } from "../../../src/rules/far-side-mdns-only.js";
import { rules, runRules } from "../../../src/rules/index.js";
import { sessionsFromDump } from "../../../src/explain/from-dump.js";
import { decodeExplainInput } from "../../../src/explain/input.js";
import { fixture, healthySession, withSession } from "../../helpers/sessions.js";
import { hitsOf, kinds, reported } from "../../helpers/rule-tester.js";

// Real Chromium dumps (test/fixtures/README.md); the variations below change only the counters.
const dumpSession = (file: string): SessionFact =>
  sessionsFromDump(JSON.parse(decodeExplainInput(readFileSync(new URL(`../../fixtures/webrtc-internals/${file}`, import.meta.url)))) as { PeerConnections: unknown })[0]!.session;
const stuck = () => dumpSession("chrome-stuck-checking.gz");
const early = () => dumpSession("chrome-offer-before-gathering.gz");
const answeredOnce = (session: SessionFact): SessionFact => ({ ...session, pairs: session.pairs?.map((p, i) => (i === 0 ? { ...p, responsesReceived: 1 } : p)) });
const withPairs = (session: SessionFact, change: (p: CandidatePairFact) => CandidatePairFact): SessionFact => ({ ...session, pairs: session.pairs?.map(change) });

describe("checks-unanswered", () => {
  it("far side's checks arrive, ours never answered: far-side-cannot-hear-us, with every pair and where its checks came in", () => {
    expect(hitsOf(checksUnanswered, withSession(stuck()))).toEqual([
      {
        rule: "checks-unanswered",
        message: "far-side-cannot-hear-us",
        severity: "error",
        evidence: ["/session/pairs", "/session/pairs", "/session/pairs", "/session/pairs"],
        subjects: ["/session/pairs"],
      },
    ]);
    const [hit] = checksUnanswered.check(withSession(stuck()));
    expect(hit?.evidence[2]?.fact).toMatch(/^\d+ checks sent to 2 far-side candidates \(host udp \[fd00::2\]:\d+ \(private\), host udp 192\.0\.2\.2:\d+ \(public\)\), not one answered$/);
    expect(hit?.evidence[3]?.fact).toMatch(/^the far side's checks arrived: 5 checks on host udp \S+\.local:\d+ \(mdns\), 5 answered by us$/);
  });

  it("nothing from the far side either: far-side-silent, naming why it had no address of ours", () => {
    expect(kinds(hitsOf(checksUnanswered, withSession(early())))).toEqual(["checks-unanswered/far-side-silent"]);
    const [hit] = checksUnanswered.check(withSession(early()));
    expect(hit?.evidence.at(-1)?.fact).toBe("no check from the far side arrived on any of the 2 pairs");
    expect(hit?.explanation).toContain("nothing in the capture shows ours were sent afterwards");
    expect(hit?.explanation).toContain("every candidate of ours is an mDNS (.local) name");
  });

  it("cuts the pair list at four and says how many more", () => {
    const session = stuck();
    const many = { ...session, pairs: [...session.pairs!, ...session.pairs!, ...session.pairs!] };
    const [hit] = checksUnanswered.check(withSession(many));
    expect(hit?.evidence.map((e) => e.fact).filter((f) => f.includes("->"))).toHaveLength(4);
    expect(hit?.evidence[4]?.fact).toBe("and 2 more pairs, none answered");
  });

  it.each([
    ["the healthy dump (pairs succeeded)", () => dumpSession("chrome-healthy.gz")],
    ["the two connected peers of one page", () => dumpSession("chrome-two-peers-trickle.gz")],
    ["the werift offer/answer (no pairs)", () => healthySession()],
    ["one answer on one of the pairs", () => answeredOnce(stuck())],
    ["fewer than five checks: a capture taken while they were in flight", () => withPairs(stuck(), (p) => ({ ...p, requestsSent: 2 }))],
    ["no check sent at all", () => withPairs(stuck(), (p) => ({ ...p, requestsSent: 0 }))],
    ["rtc-doctor's own attempt (far-side-udp-filtered judges it, with the probes' evidence)", () => ({ ...stuck(), source: "connectivity" as const })],
    ["only private far-side addresses checked (far-side-private-candidates says why)", () => withPairs(stuck(), (p) => ({ ...p, remote: { ...p.remote, address: "10.0.0.5", addressClass: "private" } }))],
  ])("silent on %s", (_name, session) => {
    expect(checksUnanswered.check(withSession(session()))).toEqual([]);
  });

  it("through a relay it is far-side-unreachable-via-relay's to say, with the relay as proof: superseded", () => {
    const relayed = JSON.parse(fixture("webrtc-internals/werift-relay-far-side-unreachable.json")) as { PeerConnections: unknown };
    const session = sessionsFromDump(relayed)[0]!.session;
    expect(kinds(hitsOf(checksUnanswered, withSession(session)))).toEqual(["checks-unanswered/far-side-silent"]);
    expect(kinds(reported(runRules(rules, withSession(session))))).toEqual(["far-side-unreachable-via-relay/relay-checks-unanswered"]);
  });
});

describe("sdp-without-candidates on a dump of one browser", () => {
  it("our offer as set had none, the browser found them later, the far side never sent a check: far-side-never-checked", () => {
    expect(hitsOf(sdpWithoutCandidates, withSession(early()))).toEqual([
      {
        rule: "sdp-without-candidates",
        message: "far-side-never-checked",
        severity: "error",
        evidence: ["/session/local/candidates", "/session/local/endOfCandidates", "/session/gathered", "/session/pairs"],
        subjects: ["/session/local"],
      },
    ]);
    expect(sdpWithoutCandidates.check(withSession(early()))[0]?.explanation).toContain("only mDNS (.local) names");
  });

  it.each([
    ["the far side sent checks (it had our candidates)", stuck],
    ["a pair succeeded", () => dumpSession("chrome-healthy.gz")],
    ["no pair at all: nothing shows whether they were sent", () => ({ ...early(), pairs: undefined })],
    ["only private far-side addresses were checked: its silence may be our NAT's doing", () => withPairs(early(), (p) => ({ ...p, remote: { ...p.remote, address: "10.0.0.5", addressClass: "private" } }))],
  ])("silent when %s", (_name, session) => {
    expect(sdpWithoutCandidates.check(withSession(session()))).toEqual([]);
  });

  it("still fires as before when the input shows nothing was trickled (trickled.local = [])", () => {
    const session: SessionFact = { ...early(), trickled: { local: [], remote: [] } };
    expect(kinds(hitsOf(sdpWithoutCandidates, withSession(session)))).toEqual(["sdp-without-candidates/taken-before-gathering"]);
  });
});

describe("far-side-mdns-only after a pair succeeded", () => {
  it("two peers on one link resolved each other's names: silent; the same candidates with no pair succeeded: fires", () => {
    const session = dumpSession("chrome-two-peers-trickle.gz");
    expect(farSideMdnsOnly.check(withSession(session))).toEqual([]);
    expect(kinds(hitsOf(farSideMdnsOnly, withSession({ ...session, pairs: undefined })))).toEqual(["far-side-mdns-only/mdns-only"]);
  });
});
