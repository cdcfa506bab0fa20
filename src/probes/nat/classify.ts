import type { TransportAddress } from "../../facts/common.js";
import type { ClassicNatType, NatBehaviour } from "../../facts/nat.js";

/**
 * From test results to RFC 4787 / RFC 5780 labels. Pure: the probes decide what they saw, these
 * functions only name it, so every combination can be checked without a network.
 */

export function sameTransportAddress(a: TransportAddress | undefined, b: TransportAddress | undefined): boolean {
  return !!a && !!b && a.port === b.port && a.address.toLowerCase() === b.address.toLowerCase();
}

/**
 * RFC 5780 section 4.3. `undefined` means that test got no usable answer: the verdict is then
 * unknown rather than guessed, except that test III is not needed once test II matched test I.
 */
export function mappingFromRfc5780(
  testI: TransportAddress | undefined,
  testII: TransportAddress | undefined,
  testIII: TransportAddress | undefined,
): NatBehaviour {
  if (!testI || !testII) return "unknown";
  if (sameTransportAddress(testI, testII)) return "endpoint-independent";
  if (!testIII) return "unknown";
  return sameTransportAddress(testII, testIII) ? "address-dependent" : "address-and-port-dependent";
}

/** What one CHANGE-REQUEST test showed: an answer from the changed address, silence, or nothing usable (error, wrong source). */
export type FilteringProbe = "answered" | "silent" | "invalid";

/** RFC 5780 section 4.4: test II asks for another IP and port, test III for another port only. */
export function filteringFromRfc5780(testII: FilteringProbe, testIII: FilteringProbe): NatBehaviour {
  if (testII === "answered") return "endpoint-independent";
  if (testII === "invalid") return "unknown";
  if (testIII === "answered") return "address-dependent";
  if (testIII === "silent") return "address-and-port-dependent";
  return "unknown";
}

/** One mapped address one server reported in one round. */
export interface MappingSample {
  /** The server's IP address (the destination the mapping was made for). */
  server: TransportAddress;
  mapped: TransportAddress;
}

export interface MultiServerMapping {
  mapping: NatBehaviour;
  /** Rounds with answers from at least two distinct server IPs. */
  conclusiveRounds: number;
  /** Of those, rounds where the mapped addresses differed. */
  differingRounds: number;
  /** A same-IP, different-port pair of servers was compared, so port dependence is known rather than assumed. */
  portDependenceTested: boolean;
}

/**
 * Mapping behaviour from the addresses one socket got from several servers, over several rounds.
 * A lost reply only makes its round inconclusive; the verdict needs a clear majority of the
 * conclusive rounds, so one odd round cannot flip it.
 */
export function mappingFromSamples(rounds: readonly (readonly MappingSample[])[]): MultiServerMapping {
  let conclusive = 0;
  let differing = 0;
  let samePortPairs = 0;
  let differingPortPairs = 0;
  for (const round of rounds) {
    const ips = new Set(round.map((s) => s.server.address.toLowerCase()));
    if (ips.size >= 2) {
      conclusive += 1;
      const first = round[0]?.mapped;
      if (round.some((s) => !sameTransportAddress(s.mapped, first))) differing += 1;
    }
    // Same server IP, different server port: tells address-dependent from address-and-port-dependent.
    for (let i = 0; i < round.length; i += 1) {
      for (let j = i + 1; j < round.length; j += 1) {
        const a = round[i]!;
        const b = round[j]!;
        if (a.server.address.toLowerCase() !== b.server.address.toLowerCase() || a.server.port === b.server.port) continue;
        if (sameTransportAddress(a.mapped, b.mapped)) samePortPairs += 1;
        else differingPortPairs += 1;
      }
    }
  }
  const portDependenceTested = samePortPairs + differingPortPairs > 0;
  const agreeing = conclusive - differing;
  let mapping: NatBehaviour = "unknown";
  if (conclusive > 0 && differing > agreeing) {
    // Without a same-IP pair the port part is untested; address-and-port-dependent is the common
    // case (and the worse one for ICE), and the note says that it was assumed.
    mapping = portDependenceTested && samePortPairs > differingPortPairs ? "address-dependent" : "address-and-port-dependent";
  } else if (conclusive > 0 && agreeing > differing) {
    mapping = "endpoint-independent";
  }
  return { mapping, conclusiveRounds: conclusive, differingRounds: differing, portDependenceTested };
}

export interface ClassicInputs {
  mapping: NatBehaviour;
  filtering: NatBehaviour;
  /** The mapped address is one of this host's own addresses. */
  noNat: boolean;
  /** No server answered at all. */
  udpBlocked: boolean;
}

/**
 * The RFC 3489 names people still use. They are a lossy summary: "symmetric" covers both dependent
 * mappings whatever the filtering, and a cone type needs the filtering to be known.
 */
export function classicNatType({ mapping, filtering, noNat, udpBlocked }: ClassicInputs): ClassicNatType {
  if (udpBlocked) return "udp-blocked";
  if (mapping === "address-dependent" || mapping === "address-and-port-dependent") return "symmetric";
  if (noNat) {
    // Without a NAT only a stateful firewall can filter; it then behaves like the matching cone.
    if (filtering === "address-dependent") return "restricted-cone";
    if (filtering === "address-and-port-dependent") return "port-restricted-cone";
    return "open-internet";
  }
  if (mapping !== "endpoint-independent") return "unknown";
  switch (filtering) {
    case "endpoint-independent":
      return "full-cone";
    case "address-dependent":
      return "restricted-cone";
    case "address-and-port-dependent":
      return "port-restricted-cone";
    default:
      return "unknown";
  }
}
