import type { ConnectivityFact, Facts } from "../facts/index.js";

/**
 * An answer later than this took more than a round trip and an SDP: a far side that gathers before
 * answering spends it waiting for its STUN/TURN servers. Healthy ones answer in tens of milliseconds.
 */
export const SLOW_ANSWER_MS = 2000;

/** The connection through the signalling URL, with its index in the connectivity facts. */
export function remoteAttempt(facts: Facts): { fact: ConnectivityFact; index: number; base: string } | undefined {
  const index = (facts.connectivity ?? []).findIndex((c) => c.mode === "remote");
  const fact = facts.connectivity?.[index];
  return fact ? { fact, index, base: `/connectivity/${index}` } : undefined;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
