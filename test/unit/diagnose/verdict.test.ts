import { describe, expect, it } from "vitest";
import type { Facts, NatFact } from "../../../src/facts/index.js";
import { deriveVerdict } from "../../../src/diagnose/verdict.js";
import { healthyFacts, withServer } from "../../helpers/facts.js";

const nat = (patch: Partial<NatFact>): NatFact => ({
  mapping: "endpoint-independent", filtering: "address-and-port-dependent", classic: "port-restricted-cone",
  method: "rfc5780", servers: ["stun:198.51.100.1:3478"], durationMs: 100, tests: [], ...patch,
});
const reach = (facts: Facts) => deriveVerdict(facts)?.cells.map((c) => `${c.peer}:${c.reach}`);

describe("deriveVerdict", () => {
  it("is absent when neither NAT facts nor TURN servers exist (explain of an SDP)", () => {
    expect(deriveVerdict({ ...healthyFacts(), servers: [] })).toBeUndefined();
  });

  it("port-restricted cone with working relays: direct except to symmetric and UDP-blocked peers", () => {
    const v = deriveVerdict({ ...healthyFacts(), nat: nat({}) });
    expect(v?.thisSide).toBe("cone-nat");
    expect(v?.relays).toEqual(["udp", "tcp", "tls"]);
    expect(reach({ ...healthyFacts(), nat: nat({}) })).toEqual(["open:direct", "cone-nat:direct", "symmetric-nat:relay", "udp-blocked:relay"]);
    expect(v?.cells[3]?.reason).toMatch(/far side also uses TURN over TCP\/TLS/);
  });

  it("symmetric NAT without a relay reaches only open peers", () => {
    const facts = { ...healthyFacts(), nat: nat({ mapping: "address-and-port-dependent", classic: "symmetric" }), servers: healthyFacts().servers.filter((s) => s.kind === "stun") };
    expect(reach(facts)).toEqual(["open:direct", "cone-nat:none", "symmetric-nat:none", "udp-blocked:none"]);
    expect(deriveVerdict(facts)?.cells[1]?.reason).toMatch(/no TURN relay works/);
  });

  it("UDP blocked here: only a TCP/TLS relay helps, a UDP relay does not", () => {
    let facts: Facts = { ...healthyFacts(), nat: nat({ classic: "udp-blocked", mapping: "unknown", filtering: "unknown" }) };
    expect(reach(facts)).toEqual(["open:relay", "cone-nat:relay", "symmetric-nat:relay", "udp-blocked:relay"]);
    facts = withServer(withServer(facts, 2, { ok: false }), 3, { ok: false });
    expect(reach(facts)).toEqual(["open:none", "cone-nat:none", "symmetric-nat:none", "udp-blocked:none"]);
    expect(deriveVerdict(facts)?.cells[0]?.reason).toMatch(/only working relay is over UDP/);
  });

  it("unknown NAT: relay where a relay works, with the direct path called unknown", () => {
    const v = deriveVerdict(healthyFacts());
    expect(v?.thisSide).toBe("unknown");
    expect(v?.cells.every((c) => c.reach === "relay" && /direct path is unknown/.test(c.reason))).toBe(true);
  });
});
