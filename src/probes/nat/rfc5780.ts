import type { TransportAddress } from "../../facts/common.js";
import type { NatBehaviour, NatTest } from "../../facts/nat.js";
import { bindingTest, type BindingOutcome, type NatSocket } from "./binding-test.js";
import { filteringFromRfc5780, mappingFromRfc5780, sameTransportAddress, type FilteringProbe } from "./classify.js";
import { hairpinTest } from "./hairpin.js";
import { planFromRtt } from "./timing.js";

export interface Rfc5780Result {
  mapping: NatBehaviour;
  filtering: NatBehaviour;
  hairpinning: boolean;
  /** In the order they were sent, after test I. */
  tests: NatTest[];
}

/** RFC 5780 needs OTHER-ADDRESS to differ from the primary in both IP and port. */
export function usableOtherAddress(primary: TransportAddress, other: TransportAddress | undefined): other is TransportAddress {
  return !!other && other.family === primary.family && other.port !== primary.port && other.address.toLowerCase() !== primary.address.toLowerCase();
}

/** Where filtering tests II and III are answered from: the other address, and the primary IP with the other port. */
function filteringSources(primary: TransportAddress, other: TransportAddress): [TransportAddress, TransportAddress] {
  return [other, { ...primary, port: other.port }];
}

/**
 * Whether having sent to `contacted` from a socket spoils its filtering tests: the NAT then holds a
 * pinhole for the other IP (address-dependent filters let any of its ports in) or for the primary
 * IP's other port, and the test passes whatever the filtering.
 */
export function taintsFiltering(primary: TransportAddress, other: TransportAddress, contacted: TransportAddress): boolean {
  return contacted.address.toLowerCase() === other.address.toLowerCase() || sameTransportAddress(contacted, { ...primary, port: other.port });
}

function filteringProbe(outcome: BindingOutcome): FilteringProbe {
  if (outcome.answered) return "answered";
  return outcome.invalid ? "invalid" : "silent";
}

/**
 * Mapping tests II-III, filtering tests II-III and hairpinning, after test I, on test I's socket.
 *
 * Order matters on one socket: the mapping tests send to the other address, which opens exactly the
 * pinholes the filtering tests probe (RFC 5780 section 4.4 asks for a port the mapping tests did not
 * use). So the filtering tests go first; they only send to the primary address, so tests II and III
 * can run at once, and the hairpin probe beside them. Their waits for silence are the run's cost.
 */
export async function runRfc5780(probe: NatSocket, primary: TransportAddress, testI: BindingOutcome & { mapped: TransportAddress; otherAddress: TransportAddress }): Promise<Rfc5780Result> {
  const other = testI.otherAddress;
  const plan = planFromRtt(testI.rttMs ?? 0);
  const [changeBoth, changePort] = filteringSources(primary, other);

  const [filteringII, filteringIII, hairpin] = await Promise.all([
    bindingTest(probe, { name: "filtering test II (change IP and port)", to: primary, plan, changeRequest: { ip: true, port: true }, expectFrom: changeBoth }),
    bindingTest(probe, { name: "filtering test III (change port)", to: primary, plan, changeRequest: { ip: false, port: true }, expectFrom: changePort }),
    hairpinTest(probe, testI.mapped, plan),
  ]);

  const mappingII = await bindingTest(probe, { name: "mapping test II (other IP, same port)", to: { ...other, port: primary.port }, plan });
  // Test III is only needed when the mapping changed. On Linux NATs it can be skewed: a silent
  // filtering test II left a conntrack entry for other-address -> our mapped port, and the NAT picks
  // another port for our own flow to that address (see the lab notes on conntrack collisions).
  const needsIII = mappingII.mapped !== undefined && !sameTransportAddress(mappingII.mapped, testI.mapped);
  const mappingIII = needsIII ? await bindingTest(probe, { name: "mapping test III (other IP and port)", to: other, plan }) : undefined;

  return {
    mapping: mappingFromRfc5780(testI.mapped, mappingII.mapped, mappingIII?.mapped),
    filtering: filteringFromRfc5780(filteringProbe(filteringII), filteringProbe(filteringIII)),
    hairpinning: hairpin.hairpinning,
    tests: [filteringII.test, filteringIII.test, hairpin.test, mappingII.test, ...(mappingIII ? [mappingIII.test] : [])],
  };
}
