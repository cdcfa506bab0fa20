import { describe, expect, it } from "vitest";
import type { Facts, NatFact } from "../../../src/facts/index.js";
import { symmetricNatWithoutTurn } from "../../../src/rules/symmetric-nat-without-turn.js";
import { udpBlocked } from "../../../src/rules/udp-blocked.js";
import { natBehaviour } from "../../../src/rules/nat-behaviour.js";
import { healthyFacts } from "../../helpers/facts.js";

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
  note: "No STUN server answered a Binding request over UDP",
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
  return { ...facts, servers: facts.servers.map((s) => (s.kind === "turn" && s.transport !== "udp" ? { ...s, ok: false, error: { code: "timeout", message: "no answer" } } : s)) };
};
const noWorkingTurn = (n: NatFact): Facts => {
  const facts = withNat(n);
  return { ...facts, servers: facts.servers.map((s) => (s.kind === "turn" ? { ...s, ok: false, error: { code: "timeout", message: "no answer" } } : s)) };
};

describe("symmetric-nat-without-turn", () => {
  it("fires on a symmetric NAT with no TURN, showing the distinct mapped ports", () => {
    const hits = symmetricNatWithoutTurn.check(stunOnly(symmetric));
    expect(hits).toHaveLength(1);
    const facts = hits[0]!.evidence.map((e) => e.fact).join("\n");
    expect(facts).toContain("198.51.100.11:51234");
    expect(facts).toContain("198.51.100.11:60001");
    expect(facts).toContain("198.51.100.11:33012");
    expect(hits[0]!.evidence.map((e) => e.path)).toContain("/nat/tests/2");
    expect(hits[0]!.evidence.map((e) => e.path)).toContain("/config");
    expect(hits[0]!.fix).toMatch(/turns:HOST:443/);
  });

  it("fires when TURN is configured but none works, pointing at the TURN errors", () => {
    const hits = symmetricNatWithoutTurn.check(noWorkingTurn(symmetric));
    expect(hits).toHaveLength(1);
    expect(hits[0]!.evidence.some((e) => e.path?.endsWith("/error"))).toBe(true);
  });

  it("stays silent when a TURN server works, on cone NATs, and without NAT facts", () => {
    expect(symmetricNatWithoutTurn.check(withNat(symmetric))).toEqual([]);
    expect(symmetricNatWithoutTurn.check(stunOnly(nat({ classic: "port-restricted-cone", filtering: "address-and-port-dependent" })))).toEqual([]);
    expect(symmetricNatWithoutTurn.check(healthyFacts())).toEqual([]);
  });
});

describe("udp-blocked", () => {
  it("is an error when no TURN over TCP or TLS works", () => {
    const hits = udpBlocked.check(udpTurnOnly(blocked));
    expect(hits).toHaveLength(1);
    expect(hits[0]!.severity ?? udpBlocked.severity).toBe("error");
    expect(hits[0]!.evidence.map((e) => e.path)).toContain("/nat/tests/0");
    expect(hits[0]!.fix).toMatch(/443/);
  });

  it("is info when TURN over TCP/TLS works", () => {
    const hits = udpBlocked.check(withNat(blocked));
    expect(hits).toHaveLength(1);
    expect(hits[0]!.severity).toBe("info");
    expect(hits[0]!.explanation).toMatch(/TCP and TLS/);
  });

  it("stays silent when UDP works", () => {
    expect(udpBlocked.check(withNat(nat({})))).toEqual([]);
    expect(udpBlocked.check(healthyFacts())).toEqual([]);
  });
});

describe("nat-behaviour", () => {
  it("explains a port-restricted cone, and says calls with symmetric peers need TURN when none works", () => {
    const prc = nat({ classic: "port-restricted-cone", filtering: "address-and-port-dependent" });
    const hits = natBehaviour.check(stunOnly(prc));
    expect(hits).toHaveLength(1);
    expect(hits[0]!.title).toMatch(/port-restricted cone/);
    expect(hits[0]!.explanation).toMatch(/stall in ICE checking/);
  });

  it("explains a symmetric NAT when TURN works (the error rule covers the case without)", () => {
    expect(natBehaviour.check(withNat(symmetric))).toHaveLength(1);
    expect(natBehaviour.check(stunOnly(symmetric))).toEqual([]);
  });

  it("says what would settle a partial classification", () => {
    const partial = nat({ method: "multi-server", filtering: "unknown", classic: "unknown", note: "The filtering was not tested: none of the servers supports RFC 5780." });
    const hits = natBehaviour.check(withNat(partial));
    expect(hits).toHaveLength(1);
    expect(hits[0]!.fix).toMatch(/RFC 5780/);
    expect(hits[0]!.evidence.map((e) => e.path)).toContain("/nat/note");
  });

  it("stays silent on open internet, full and restricted cones, UDP blocked, and without NAT facts", () => {
    expect(natBehaviour.check(withNat(nat({ classic: "open-internet" })))).toEqual([]);
    expect(natBehaviour.check(withNat(nat({})))).toEqual([]);
    expect(natBehaviour.check(withNat(nat({ classic: "restricted-cone", filtering: "address-dependent" })))).toEqual([]);
    expect(natBehaviour.check(withNat(blocked))).toEqual([]);
    expect(natBehaviour.check(healthyFacts())).toEqual([]);
  });
});
