import { describe, expect, it } from "vitest";
import type { CandidateFact, CandidatePairFact, Facts, ServerFact, SessionFact } from "../../../src/facts/index.js";
import { analyseCandidateLine } from "../../../src/sdp/analyse.js";
import { turnPrivateRelayAddress } from "../../../src/rules/turn-private-relay-address.js";
import { turnRelayAddressFamily } from "../../../src/rules/turn-relay-address-family.js";
import { rules, runRules } from "../../../src/rules/index.js";
import { deriveVerdict } from "../../../src/diagnose/verdict.js";
import { probeError } from "../../../src/facts/probe-error.js";
import { healthyFacts, withServer } from "../../helpers/facts.js";
import { healthySession } from "../../helpers/sessions.js";
import { hitsOf, kinds, reported } from "../../helpers/rule-tester.js";

const PUBLIC_SERVER = { remoteAddress: { address: "198.51.100.13", port: 3478, family: 4 as const }, remoteAddressClass: "public" as const };
const behindNat: Partial<ServerFact> = { ...PUBLIC_SERVER, relayedAddress: { address: "10.88.0.2", port: 61266, family: 4 }, relayedAddressClass: "private", requestedFamily: 4 };

/** Healthy facts whose TURN URLs (1: UDP, 2: TCP) are one coturn behind a 1:1 NAT without external-ip. */
function natFacts(patch: Partial<ServerFact> = behindNat, indexes: number[] = [1, 2]): Facts {
  return indexes.reduce((facts, i) => withServer(facts, i, patch), healthyFacts());
}

const cand = (line: string): CandidateFact => analyseCandidateLine(line) as CandidateFact;

/** Our offer relayed through that server; checks through the relay went unanswered, as in the NAT lab. */
function stalledThroughRelay(): SessionFact {
  const session = healthySession();
  const relay = cand("candidate:9 1 udp 16777215 10.88.0.2 56855 typ relay raddr 198.51.100.11 rport 4000");
  const farSrflx = cand("candidate:3 1 udp 1686052607 198.51.100.12 30496 typ srflx raddr 10.77.0.2 rport 58207");
  const pairs: CandidatePairFact[] = [{ state: "failed", nominated: false, selected: false, local: relay, remote: farSrflx, requestsSent: 5, responsesReceived: 0 }];
  return {
    ...session,
    local: { ...session.local!, candidates: [...session.local!.candidates, relay] },
    remote: { ...session.remote!, candidates: [farSrflx] },
    pairs,
  };
}

describe("turn-private-relay-address", () => {
  it("is an error naming external-ip PUBLIC/PRIVATE: one finding for the server's UDP and TCP URLs", () => {
    const facts = natFacts();
    expect(hitsOf(turnPrivateRelayAddress, facts)).toEqual([
      {
        rule: "turn-private-relay-address",
        message: "behind-nat",
        severity: "error",
        evidence: ["/servers/1/remoteAddress", "/servers/1/relayedAddress", "/servers/1/mappedAddress", "/servers/2/relayedAddress"],
        subjects: ["/servers/1", "/servers/2"],
      },
    ]);
    const [hit] = turnPrivateRelayAddress.check(facts);
    expect(hit?.fix).toContain("external-ip=198.51.100.13/10.88.0.2");
    expect(hit?.data).toEqual({ class: "private" });
    const [finding] = runRules([turnPrivateRelayAddress], facts);
    expect(finding?.title).toBe("The TURN server hands out a private relayed address: it does not know its public IP");
  });

  it("names CGNAT space as such", () => {
    const [hit] = turnPrivateRelayAddress.check(natFacts({ ...behindNat, relayedAddress: { address: "100.64.3.4", port: 50000, family: 4 }, relayedAddressClass: "cgnat" }, [1]));
    expect([hit?.message, hit?.data?.["class"]]).toEqual(["behind-nat", "CGNAT (100.64.0.0/10)"]);
  });

  it("a loopback relay from a public server is a wrong relay address (relay-ip)", () => {
    const facts = natFacts({ ...PUBLIC_SERVER, relayedAddress: { address: "127.0.0.1", port: 50000, family: 4 }, relayedAddressClass: "loopback" }, [1]);
    expect(kinds(hitsOf(turnPrivateRelayAddress, facts))).toEqual(["turn-private-relay-address/relay-ip"]);
    expect(turnPrivateRelayAddress.check(facts)[0]?.fix).toMatch(/relay-ip=/);
  });

  it("with the session through that relay: names our relay candidate and hides far-side-unreachable-via-relay", () => {
    const facts = { ...natFacts(behindNat, [1]), session: stalledThroughRelay() };
    const [hit] = hitsOf(turnPrivateRelayAddress, facts);
    expect(hit?.subjects).toEqual(["/servers/1", "/session/pairs"]);
    expect(hit?.evidence).toEqual(expect.arrayContaining(["/session/local/candidates", "/session/pairs"]));
    // Without this rule the far side's firewall is blamed; with it, the TURN server's configuration is the error.
    const without = runRules(rules.filter((r) => r.id !== "turn-private-relay-address"), facts).map((f) => f.id);
    expect(without).toContain("far-side-unreachable-via-relay");
    const ids = runRules(rules, facts).filter((f) => f.severity === "error").map((f) => f.id);
    expect(ids).toEqual(["turn-private-relay-address"]);
  });

  it("hides far-side-private-candidates when the far side's private relay candidates are this server's", () => {
    const session = healthySession();
    const farRelay = cand("candidate:7 1 udp 16777215 10.88.0.2 50123 typ relay raddr 10.77.0.2 rport 4000");
    const farHost = cand("candidate:1 1 udp 2130706431 10.77.0.2 4000 typ host");
    const facts = { ...natFacts(behindNat, [1]), session: { ...session, remote: { ...session.remote!, candidates: [farHost, farRelay] } } };
    expect(runRules(rules.filter((r) => r.id !== "turn-private-relay-address"), facts).map((f) => f.id)).toContain("far-side-private-candidates");
    const findings = reported(runRules(rules, facts));
    expect(findings.map((f) => f.rule)).not.toContain("far-side-private-candidates");
    expect(findings[0]).toMatchObject({ rule: "turn-private-relay-address", subjects: ["/servers/1", "/session/remote"] });
  });

  it("takes the relay out of the verdict: a relay peers cannot reach relays for nobody", () => {
    expect(deriveVerdict(healthyFacts())?.relays).toEqual(["udp", "tcp", "tls"]);
    expect(deriveVerdict(natFacts())?.relays).toEqual(["tls"]);
    const only = natFacts(behindNat, [1, 2, 3]);
    expect(deriveVerdict(only)?.relays).toEqual([]);
    expect(deriveVerdict(only)?.cells[0]?.reason).toMatch(/the TURN relays that allocate hand out addresses peers elsewhere cannot reach/);
  });

  it("stays silent on a public relay, an internal server (reached and relaying privately), coturn on loopback, and facts from before the classes", () => {
    expect(turnPrivateRelayAddress.check(natFacts({ ...PUBLIC_SERVER, relayedAddress: { address: "198.51.100.13", port: 50000, family: 4 }, relayedAddressClass: "public" }))).toEqual([]);
    const internal = { remoteAddress: { address: "10.0.5.5", port: 3478, family: 4 as const }, remoteAddressClass: "private" as const, relayedAddress: { address: "10.0.5.5", port: 50000, family: 4 as const }, relayedAddressClass: "private" as const };
    expect(turnPrivateRelayAddress.check(natFacts(internal))).toEqual([]);
    const local = { remoteAddress: { address: "127.0.0.1", port: 3478, family: 4 as const }, remoteAddressClass: "loopback" as const, relayedAddress: { address: "127.0.0.1", port: 50000, family: 4 as const }, relayedAddressClass: "loopback" as const };
    expect(turnPrivateRelayAddress.check(natFacts(local))).toEqual([]);
    expect(turnPrivateRelayAddress.check(natFacts({ relayedAddress: { address: "10.88.0.2", port: 1, family: 4 } }))).toEqual([]);
    expect(turnPrivateRelayAddress.check(healthyFacts())).toEqual([]);
  });

  it("stays silent on a failed allocation", () => {
    expect(turnPrivateRelayAddress.check(natFacts({ ...behindNat, ok: false, error: probeError("timeout", "no answer") }))).toEqual([]);
  });
});

describe("turn-relay-address-family", () => {
  const refused: Partial<ServerFact> = {
    ok: false,
    requestedFamily: 4,
    relayedAddress: undefined,
    allocation: undefined,
    error: probeError("address-family-not-supported", "the TURN server refused the requested relay address family (440 Address Family not Supported)", { stunErrorCode: 440, stunReason: "Unsupported address family" }),
    otherFamilyAllocation: { family: 6, allocated: true, relayedAddress: { address: "2001:db8:100::3", port: 50000, family: 6 } },
  };

  it("a 440 to the IPv4 Allocate is one error per server, with the IPv6 allocation as evidence", () => {
    const facts = natFacts(refused);
    expect(hitsOf(turnRelayAddressFamily, facts)).toEqual([
      {
        rule: "turn-relay-address-family",
        message: "family-not-supported",
        severity: "error",
        evidence: ["/servers/1/error", "/servers/2/error", "/servers/1/otherFamilyAllocation"],
        subjects: ["/servers/1", "/servers/2"],
      },
    ]);
    const [hit] = turnRelayAddressFamily.check(facts);
    expect(hit?.explanation).toMatch(/relays only IPv6/);
    expect(hit?.fix).toMatch(/relay-ip=/);
    expect(runRules([turnRelayAddressFamily], facts)[0]?.title).toBe("The TURN server relays no IPv4 addresses (440 Address Family not Supported)");
    // turn-allocation-refused would only say "refused" with a generic fix: the 440 is this rule's.
    expect(runRules(rules, facts).map((f) => f.id)).not.toContain("turn-allocation-refused");
  });

  it("says when the other family was refused too", () => {
    const [hit] = turnRelayAddressFamily.check(natFacts({ ...refused, otherFamilyAllocation: { family: 6, allocated: false, stunErrorCode: 440, stunReason: "Unsupported address family" } }, [1]));
    expect(hit?.explanation).toMatch(/no usable relay address at all/);
  });

  it("a relay of the other family than asked for is an error", () => {
    const facts = natFacts({ ...PUBLIC_SERVER, requestedFamily: 4, relayedAddress: { address: "2001:db8::7", port: 50000, family: 6 }, relayedAddressClass: "public" }, [1]);
    expect(hitsOf(turnRelayAddressFamily, facts)).toEqual([
      { rule: "turn-relay-address-family", message: "family-mismatch", severity: "error", evidence: ["/servers/1/requestedFamily", "/servers/1/relayedAddress"], subjects: ["/servers/1"] },
    ]);
    expect(runRules([turnRelayAddressFamily], facts)[0]?.title).toBe("The TURN server hands out an IPv6 relay for an IPv4 request");
  });

  it("stays silent on a relay of the family asked for, on other refusals, and on facts without requestedFamily", () => {
    expect(turnRelayAddressFamily.check(natFacts({ ...PUBLIC_SERVER, requestedFamily: 4, relayedAddress: { address: "198.51.100.13", port: 50000, family: 4 }, relayedAddressClass: "public" }))).toEqual([]);
    expect(turnRelayAddressFamily.check(natFacts({ ok: false, error: probeError("forbidden", "403", { stunErrorCode: 403 }) }))).toEqual([]);
    expect(turnRelayAddressFamily.check(natFacts({ relayedAddress: { address: "2001:db8::7", port: 50000, family: 6 } }))).toEqual([]);
    expect(turnRelayAddressFamily.check(healthyFacts())).toEqual([]);
  });
});
