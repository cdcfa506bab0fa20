/**
 * How long to wait for an answer that may never come. A negative NAT test is decided by silence,
 * so its cost is the whole wait: a fixed 3 s (turnutils_natdiscovery, pion) is both too long on a
 * LAN and too short on a satellite link. The wait follows the RTT measured in the same run.
 */

export interface RetransmitPlan {
  /** First retransmission timeout; doubled after each send. */
  initialRtoMs: number;
  /** Sends in all, including the first. */
  attempts: number;
  /** Overall bound: from the first send until the test counts as unanswered. */
  timeoutMs: number;
}

/** Below this, a busy event loop or a scheduler hiccup would look like loss. */
export const RTO_FLOOR_MS = 50;
/** Room for jitter above the measured RTT before a retransmission. */
export const RTO_RTT_FACTOR = 3;
/** Past this the path is so slow that retransmitting sooner helps more than waiting. */
export const RTO_CEILING_MS = 1000;
/** Three sends: one lost request or answer cannot turn a pass into a fail. */
export const ATTEMPTS_AFTER_RTT = 3;
/** Before any RTT is known: RFC 5389 suggests 500 ms; a shorter first RTO only costs an extra Binding. */
export const FIRST_CONTACT_RTO_MS = 100;

/** Sum of the RTOs of `attempts` sends with doubling: the last send also gets its full wait. */
function totalWait(initialRtoMs: number, attempts: number): number {
  return initialRtoMs * (2 ** attempts - 1);
}

export function planFromRtt(rttMs: number): RetransmitPlan {
  const rto = Math.round(Math.min(RTO_CEILING_MS, Math.max(RTO_FLOOR_MS, RTO_RTT_FACTOR * rttMs)));
  return { initialRtoMs: rto, attempts: ATTEMPTS_AFTER_RTT, timeoutMs: totalWait(rto, ATTEMPTS_AFTER_RTT) };
}

/** The first Binding to each server, which measures the RTT: bounded by the run's timeout. */
export function firstContactPlan(timeoutMs: number): RetransmitPlan {
  let attempts = 1;
  while (totalWait(FIRST_CONTACT_RTO_MS, attempts + 1) <= timeoutMs && attempts < 7) attempts += 1;
  return { initialRtoMs: FIRST_CONTACT_RTO_MS, attempts, timeoutMs };
}

/**
 * An RTT sample safe to base timeouts on (Karn's rule): after a retransmission the answer may
 * belong to an earlier send, so the time since the first send is the honest upper bound.
 */
export function rttSample(rttFromLastSendMs: number, retransmissions: number, sinceFirstSendMs: number): number {
  return retransmissions === 0 ? rttFromLastSendMs : sinceFirstSendMs;
}
