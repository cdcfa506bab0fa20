import { describe, expect, it } from "vitest";
import type { ConnectivityFact, Facts, NatFact } from "../../../src/facts/index.js";
import { pendingConnectivityFact } from "../../../src/probes/connect/attempt.js";
import { srflxLoopbackNotTried } from "../../../src/rules/srflx-loopback-not-tried.js";
import { symmetricNatWithoutTurn } from "../../../src/rules/symmetric-nat-without-turn.js";
import { udpBlocked } from "../../../src/rules/udp-blocked.js";
import { natBehaviour } from "../../../src/rules/nat-behaviour.js";
import { rules, runRules } from "../../../src/rules/index.js";
import { healthyFacts } from "../../helpers/facts.js";
import { hitsOf, kinds, reported } from "../../helpers/rule-tester.js";

const at = (address: string, port: number) => ({ address, port, family: 4 as const });
const local = at("10.77.0.2", 40000);

function nat(patch: Partial<NatFact>): NatFact {
  return {
    mapping: "endpoint-independent",
    filtering: "endpoint-independent",
    classic: "full-cone",
    method: "rfc5780",
    servers: ["stun:198.51.100.1:3478"],
    durationMs: 20,
    localAddress: local,
    publicAddress: at("198.51.100.11", 40000),
    portPreserving: true,
    hairpinning: false,
    tests: [{ name: "test I (binding)", localAddress: local, sentTo: at("198.51.100.1", 3478), responseFrom: at("198.51.100.1", 3478), mappedAddress: at("198.51.100.11", 40000), attempts: 1, rttMs: 1, result: "answered" }],
    ...patch,
  };
}

const symmetric = nat({
  mapping: "address-and-port-dependent",
  filtering: "address-and-port-dependent",
  classic: "symmetric",
  portPreserving: false,
  publicAddress: at("198.51.100.11", 51234),
  tests: [
    { name: "test I (binding)", localAddress: local, sentTo: at("198.51.100.1", 3478), responseFrom: at("198.51.100.1", 3478), mappedAddress: at("198.51.100.11", 51234), attempts: 1, result: "answered" },
    { name: "filtering test II (change IP and port)", localAddress: local, sentTo: at("198.51.100.1", 3478), changeRequest: { ip: true, port: true }, attempts: 3, result: "no answer" },
    { name: "mapping test II (other IP, same port)", localAddress: local, sentTo: at("198.51.100.2", 3478), responseFrom: at("198.51.100.2", 3478), mappedAddress: at("198.51.100.11", 60001), attempts: 1, result: "answered" },
    { name: "mapping test III (other IP and port)", localAddress: local, sentTo: at("198.51.100.2", 3479), responseFrom: at("198.51.100.2", 3479), mappedAddress: at("198.51.100.11", 33012), attempts: 1, result: "answered" },
  ],
});

const blocked = nat({
  mapping: "unknown",
  filtering: "unknown",
  classic: "udp-blocked",
  method: "none",
  publicAddress: undefined,
  portPreserving: undefined,
  hairpinning: undefined,
  reasons: ["no-udp-answer"],
  tests: [{ name: "test I (binding)", localAddress: local, sentTo: at("198.51.100.1", 3478), attempts: 4, result: "no answer (4 sends, waited 3000 ms)" }],
});

/** Healthy servers (TURN over UDP, TCP and TLS all work), with the NAT given. */
const withNat = (n: NatFact): Facts => ({ ...healthyFacts(), nat: n });
/** Only STUN configured: no TURN at all. */
const stunOnly = (n: NatFact): Facts => {
  const facts = withNat(n);
  return { ...facts, servers: facts.servers.filter((s) => s.kind === "stun"), config: { ...facts.config, turnCount: 0 } };
};
/** TURN configured but only the UDP one works. */
const udpTurnOnly = (n: NatFact): Facts => {
  const facts = withNat(n);
  return { ...facts, servers: facts.servers.map((s) => (s.kind === "turn" && s.transport !== "udp" ? { ...s, ok: false, error: { code: "timeout", detail: "no answer", message: "no answer" } } : s)) };
};
const noWorkingTurn = (n: NatFact): Facts => {
  const facts = withNat(n);
  return { ...facts, servers: facts.servers.map((s) => (s.kind === "turn" ? { ...s, ok: false, error: { code: "timeout", detail: "no answer", message: "no answer" } } : s)) };
};

describe("symmetric-nat-without-turn", () => {
  it("fires on a symmetric NAT with no TURN, showing the distinct mapped ports", () => {
    expect(hitsOf(symmetricNatWithoutTurn, stunOnly(symmetric))).toEqual([
      {
        rule: "symmetric-nat-without-turn",
        message: "symmetric-no-relay",
        severity: "error",
        evidence: ["/nat/mapping", "/nat/tests/0", "/nat/tests/2", "/nat/tests/3", "/config"],
        subjects: ["/nat"],
      },
    ]);
    const facts = symmetricNatWithoutTurn.check(stunOnly(symmetric))[0]!.evidence.map((e) => e.fact).join("\n");
    expect(facts).toContain("198.51.100.11:51234");
    expect(facts).toContain("198.51.100.11:60001");
    expect(facts).toContain("198.51.100.11:33012");
  });

  it("fires when TURN is configured but none works, pointing at the TURN errors", () => {
    const [hit] = hitsOf(symmetricNatWithoutTurn, noWorkingTurn(symmetric));
    expect(hit?.message).toBe("symmetric-no-relay");
    expect(hit?.evidence).toEqual(expect.arrayContaining(["/servers/1/error", "/servers/2/error", "/servers/3/error"]));
  });

  it("stays silent when a TURN server works, on cone NATs, and without NAT facts", () => {
    expect(symmetricNatWithoutTurn.check(withNat(symmetric))).toEqual([]);
    expect(symmetricNatWithoutTurn.check(stunOnly(nat({ classic: "port-restricted-cone", filtering: "address-and-port-dependent" })))).toEqual([]);
    expect(symmetricNatWithoutTurn.check(healthyFacts())).toEqual([]);
  });
});

describe("udp-blocked", () => {
  it("is an error when no TURN over TCP or TLS works", () => {
    const [hit, ...more] = hitsOf(udpBlocked, udpTurnOnly(blocked));
    expect(more).toEqual([]);
    expect([hit?.message, hit?.severity]).toEqual(["no-stream-relay", "error"]);
    expect(hit?.evidence).toContain("/nat/tests/0");
  });

  it("is info when TURN over TCP/TLS works, with the working relays as evidence", () => {
    expect(hitsOf(udpBlocked, withNat(blocked))).toEqual([
      { rule: "udp-blocked", message: "stream-relay-works", severity: "info", evidence: ["/nat/classic", "/nat/tests", "/nat/tests/0", "/servers/2", "/servers/3"], subjects: ["/nat"] },
    ]);
  });

  it("stays silent when UDP works", () => {
    expect(udpBlocked.check(withNat(nat({})))).toEqual([]);
    expect(udpBlocked.check(healthyFacts())).toEqual([]);
  });
});

describe("nat-behaviour", () => {
  it("explains a port-restricted cone, and says calls with symmetric peers need TURN when none works", () => {
    const prc = nat({ classic: "port-restricted-cone", filtering: "address-and-port-dependent" });
    expect(hitsOf(natBehaviour, stunOnly(prc))).toEqual([{ rule: "nat-behaviour", message: "port-restricted-cone", severity: "info", evidence: ["/nat"], subjects: ["/nat"] }]);
    const [finding] = runRules([natBehaviour], stunOnly(prc));
    expect(finding?.title).toBe("NAT: port-restricted cone NAT (endpoint-independent mapping, address-and-port-dependent filtering)");
    // Without a working relay the same message says those calls stall.
    expect(finding?.explanation).toContain("stall in ICE checking");
  });

  it("explains a symmetric NAT when TURN works; without TURN the engine lets the error rule say it", () => {
    expect(hitsOf(natBehaviour, withNat(symmetric))).toEqual([
      { rule: "nat-behaviour", message: "symmetric", severity: "info", evidence: ["/nat", "/nat/tests/0", "/nat/tests/2", "/nat/tests/3"], subjects: ["/nat"] },
    ]);
    expect(kinds(hitsOf(natBehaviour, stunOnly(symmetric)))).toEqual(["nat-behaviour/symmetric"]);
    expect(kinds(reported(runRules(rules, stunOnly(symmetric)))).filter((k) => k.includes("nat"))).toEqual(["symmetric-nat-without-turn/symmetric-no-relay"]);
  });

  it("says what would settle a partial classification", () => {
    const partial = nat({ method: "multi-server", filtering: "unknown", classic: "unknown", reasons: ["filtering-not-tested"] });
    expect(hitsOf(natBehaviour, withNat(partial))).toEqual([
      { rule: "nat-behaviour", message: "partly-classified", severity: "info", evidence: ["/nat", "/nat/reasons"], subjects: ["/nat"] },
    ]);
    // The reason is an enum in the fact; the rule says it in words.
    expect(natBehaviour.check(withNat(partial))[0]?.evidence[1]?.fact).toBe("The filtering was not tested: none of the servers supports RFC 5780.");
  });

  it("still reads the prose note of a report from before reasons", () => {
    const old = nat({ method: "multi-server", filtering: "unknown", classic: "unknown", note: "The filtering was not tested." });
    expect(hitsOf(natBehaviour, withNat(old))[0]?.evidence).toEqual(["/nat", "/nat/note"]);
  });

  it("stays silent on open internet, full and restricted cones, UDP blocked, and without NAT facts", () => {
    expect(natBehaviour.check(withNat(nat({ classic: "open-internet" })))).toEqual([]);
    expect(natBehaviour.check(withNat(nat({})))).toEqual([]);
    expect(natBehaviour.check(withNat(nat({ classic: "restricted-cone", filtering: "address-dependent" })))).toEqual([]);
    expect(natBehaviour.check(withNat(blocked))).toEqual([]);
    expect(natBehaviour.check(healthyFacts())).toEqual([]);
  });
});

describe("srflx-loopback-not-tried", () => {
  const host = { ...pendingConnectivityFact("loopback-host"), ok: true };
  const notTried = { ...pendingConnectivityFact("loopback-srflx", "stun:198.51.100.1:3478"), notAttempted: "no-hairpinning" as const };
  const withAttempts = (...connectivity: ConnectivityFact[]): Facts => ({ ...healthyFacts(), nat: nat({}), connectivity });

  it("names the srflx loopback not made behind a NAT that does not hairpin, pointing at the hairpinning test", () => {
    expect(hitsOf(srflxLoopbackNotTried, withAttempts(host, notTried))).toEqual([
      { rule: "srflx-loopback-not-tried", message: "no-hairpinning", severity: "info", evidence: ["/nat/hairpinning", "/connectivity/1/notAttempted"], subjects: ["/connectivity/1"] },
    ]);
  });

  it("is the only finding on it: an attempt not made did not stall", () => {
    expect(kinds(reported(runRules(rules, withAttempts(host, notTried)))).filter((k) => /connection-stalled|srflx/.test(k))).toEqual(["srflx-loopback-not-tried/no-hairpinning"]);
  });

  it("is silent on a srflx loopback that was made, whatever it did", () => {
    const made = { ...pendingConnectivityFact("loopback-srflx", "stun:198.51.100.1:3478"), ok: true };
    expect(srflxLoopbackNotTried.check(withAttempts(host, made))).toEqual([]);
  });
});
