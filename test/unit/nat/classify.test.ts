import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TransportAddress } from "../../../src/facts/common.js";
import type { NatBehaviour } from "../../../src/facts/nat.js";
import {
  classicNatType,
  filteringFromRfc5780,
  mappingFromRfc5780,
  mappingFromSamples,
  type FilteringProbe,
  type MappingSample,
} from "../../../src/probes/nat/classify.js";

const address = fc.record({
  address: fc.constantFrom("203.0.113.1", "203.0.113.2"),
  port: fc.integer({ min: 1, max: 65535 }),
  family: fc.constant(4 as const),
});
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const probe = fc.constantFrom<FilteringProbe>("answered", "silent", "invalid");
const behaviour = fc.constantFrom<NatBehaviour>("endpoint-independent", "address-dependent", "address-and-port-dependent", "unknown");
const dependent = (b: NatBehaviour) => b === "address-dependent" || b === "address-and-port-dependent";

describe("mappingFromRfc5780", () => {
  it("is endpoint-independent exactly when test II saw test I's address", () => {
    fc.assert(
      fc.property(address, address, maybe(address), (i, ii, iii) => {
        const same = i.address === ii.address && i.port === ii.port;
        expect(mappingFromRfc5780(i, ii, iii) === "endpoint-independent").toBe(same);
      }),
    );
  });

  it("never guesses: a missing test I or II answer, or a needed test III, gives unknown", () => {
    fc.assert(
      fc.property(maybe(address), maybe(address), (i, ii) => {
        if (!i || !ii) expect(mappingFromRfc5780(i, ii, undefined)).toBe("unknown");
        else if (i.port !== ii.port || i.address !== ii.address) expect(mappingFromRfc5780(i, ii, undefined)).toBe("unknown");
      }),
    );
  });

  it("tells address-dependent from address-and-port-dependent by test III", () => {
    const i: TransportAddress = { address: "203.0.113.1", port: 1000, family: 4 };
    const ii: TransportAddress = { ...i, port: 2000 };
    expect(mappingFromRfc5780(i, ii, { ...ii })).toBe("address-dependent");
    expect(mappingFromRfc5780(i, ii, { ...ii, port: 3000 })).toBe("address-and-port-dependent");
  });
});

describe("filteringFromRfc5780", () => {
  it("an answer to test II means endpoint-independent whatever test III did", () => {
    fc.assert(
      fc.property(probe, (iii) => {
        expect(filteringFromRfc5780("answered", iii)).toBe("endpoint-independent");
      }),
    );
  });

  it("a verdict other than unknown always rests on a silent or answered test, never on an invalid one", () => {
    fc.assert(
      fc.property(probe, probe, (ii, iii) => {
        const verdict = filteringFromRfc5780(ii, iii);
        if (ii === "invalid") expect(verdict).toBe("unknown");
        if (ii === "silent" && iii === "invalid") expect(verdict).toBe("unknown");
      }),
    );
  });

  it("names the RFC 5780 outcomes", () => {
    expect(filteringFromRfc5780("silent", "answered")).toBe("address-dependent");
    expect(filteringFromRfc5780("silent", "silent")).toBe("address-and-port-dependent");
  });
});

/** Rounds as a NAT with the given mapping would produce them for these servers (one per IP). */
function rounds(servers: TransportAddress[], endpointIndependent: boolean, count: number): MappingSample[][] {
  return Array.from({ length: count }, () =>
    servers.map((server, i) => ({ server, mapped: { address: "198.51.100.10", port: endpointIndependent ? 40000 : 40000 + i, family: 4 as const } })),
  );
}

const distinctServers = fc
  .uniqueArray(fc.integer({ min: 1, max: 254 }), { minLength: 2, maxLength: 4 })
  .map((octets) => octets.map((o) => ({ address: `192.0.2.${o}`, port: 3478, family: 4 as const })));

describe("mappingFromSamples (multi-server method)", () => {
  it("one lost reply in three rounds never changes the verdict", () => {
    fc.assert(
      fc.property(distinctServers, fc.boolean(), fc.nat(), (servers, eim, pick) => {
        const full = rounds(servers, eim, 3);
        const expected = eim ? "endpoint-independent" : "address-and-port-dependent";
        expect(mappingFromSamples(full).mapping).toBe(expected);
        const r = pick % 3;
        const lossy = full.map((round, i) => (i === r ? round.filter((_, j) => j !== pick % round.length) : round));
        expect(mappingFromSamples(lossy).mapping).toBe(expected);
      }),
    );
  });

  it("one odd round among three cannot flip the verdict", () => {
    fc.assert(
      fc.property(distinctServers, fc.boolean(), fc.integer({ min: 0, max: 2 }), (servers, eim, odd) => {
        const normal = rounds(servers, eim, 3);
        const flipped = rounds(servers, !eim, 1)[0]!;
        const mixed = normal.map((round, i) => (i === odd ? flipped : round));
        expect(mappingFromSamples(mixed).mapping).toBe(eim ? "endpoint-independent" : "address-and-port-dependent");
      }),
    );
  });

  it("is unknown without two distinct server IPs in any round", () => {
    const one = { address: "192.0.2.1", port: 3478, family: 4 as const };
    expect(mappingFromSamples(rounds([one], true, 3)).mapping).toBe("unknown");
    expect(mappingFromSamples([]).mapping).toBe("unknown");
  });

  it("uses a same-IP pair of servers to tell address-dependent from address-and-port-dependent", () => {
    const a = { address: "192.0.2.1", port: 3478, family: 4 as const };
    const a2 = { ...a, port: 3479 };
    const b = { address: "192.0.2.2", port: 3478, family: 4 as const };
    const m = (port: number) => ({ address: "198.51.100.10", port, family: 4 as const });
    const round: MappingSample[] = [
      { server: a, mapped: m(1) },
      { server: a2, mapped: m(1) },
      { server: b, mapped: m(2) },
    ];
    const result = mappingFromSamples([round, round]);
    expect(result).toMatchObject({ mapping: "address-dependent", portDependenceTested: true });
  });
});

describe("classicNatType", () => {
  it("symmetric exactly when the mapping depends on the destination (UDP not blocked)", () => {
    fc.assert(
      fc.property(behaviour, behaviour, fc.boolean(), (mapping, filtering, noNat) => {
        const classic = classicNatType({ mapping, filtering, noNat: noNat && mapping === "endpoint-independent", udpBlocked: false });
        expect(classic === "symmetric").toBe(dependent(mapping));
      }),
    );
  });

  it("udp-blocked wins over everything", () => {
    fc.assert(fc.property(behaviour, behaviour, fc.boolean(), (mapping, filtering, noNat) => {
      expect(classicNatType({ mapping, filtering, noNat, udpBlocked: true })).toBe("udp-blocked");
    }));
  });

  it("names the cones by their filtering", () => {
    const eim = "endpoint-independent" as const;
    const c = (filtering: NatBehaviour, noNat = false) => classicNatType({ mapping: eim, filtering, noNat, udpBlocked: false });
    expect(c("endpoint-independent")).toBe("full-cone");
    expect(c("address-dependent")).toBe("restricted-cone");
    expect(c("address-and-port-dependent")).toBe("port-restricted-cone");
    expect(c("unknown")).toBe("unknown");
    expect(c("endpoint-independent", true)).toBe("open-internet");
    expect(c("unknown", true)).toBe("open-internet");
  });
});
