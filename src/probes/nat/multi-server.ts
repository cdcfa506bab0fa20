import type { TransportAddress } from "../../facts/common.js";
import type { NatTest } from "../../facts/nat.js";
import { bindingTest, type BindingOutcome, type NatSocket } from "./binding-test.js";
import { mappingFromSamples, type MappingSample, type MultiServerMapping } from "./classify.js";
import { hairpinTest } from "./hairpin.js";
import { planFromRtt } from "./timing.js";

/** Rounds in all, the first contact included: one lost reply costs a round, not the verdict. */
export const MULTI_SERVER_ROUNDS = 3;

export interface AnsweredServer {
  address: TransportAddress;
  firstContact: BindingOutcome & { mapped: TransportAddress };
}

export interface MultiServerResult extends MultiServerMapping {
  rounds: number;
  hairpinning: boolean;
  tests: NatTest[];
}

/**
 * Without an RFC 5780 server, the mapping still shows in what several servers see of one socket:
 * the same public address and port from every destination means endpoint-independent mapping.
 * The filtering cannot be seen this way (it needs answers from addresses we never sent to).
 */
export async function runMultiServer(probe: NatSocket, answered: readonly AnsweredServer[], rounds = MULTI_SERVER_ROUNDS): Promise<MultiServerResult> {
  const samples: MappingSample[][] = [answered.map((s) => ({ server: s.address, mapped: s.firstContact.mapped }))];
  const tests: NatTest[] = [];
  const first = answered[0]!.firstContact;
  const hairpin = hairpinTest(probe, first.mapped, planFromRtt(first.rttMs ?? 0));
  for (let round = 2; round <= rounds; round += 1) {
    const outcomes = await Promise.all(
      answered.map((s) => bindingTest(probe, { name: `multi-server round ${round}`, to: s.address, plan: planFromRtt(s.firstContact.rttMs ?? 0) })),
    );
    const roundSamples: MappingSample[] = [];
    outcomes.forEach((o, i) => {
      tests.push(o.test);
      if (o.mapped) roundSamples.push({ server: answered[i]!.address, mapped: o.mapped });
    });
    samples.push(roundSamples);
  }
  const { test: hairpinEvidence, hairpinning } = await hairpin;
  tests.push(hairpinEvidence);
  return { ...mappingFromSamples(samples), rounds, hairpinning, tests };
}
