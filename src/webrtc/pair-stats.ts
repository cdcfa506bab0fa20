import type { CandidateFact } from "../facts/candidates.js";
import type { CandidatePairFact } from "../facts/session.js";
import type { PairsOmittedFact } from "../facts/connectivity.js";
import { bounded } from "./bounded.js";
import { candidateFromStats, pairFromStats } from "./candidate-stats.js";
import { relayTransportOf } from "./turn-allocations.js";
import type { PeerConnection } from "./types.js";

type StatsEntry = Record<string, unknown>;

/** Pairs listed in a report, per attempt; the rest are summed up in `omitted`. */
export const MAX_REPORTED_PAIRS = 32;

/** Most telling first: what carries (or would carry) media, then pairs that got answers, then the rest. */
const STATE_RANK: Record<CandidatePairFact["state"], number> = { succeeded: 0, "in-progress": 1, waiting: 2, failed: 3, frozen: 4 };

export interface PairStats {
  pairs: CandidatePairFact[];
  omitted?: PairsOmittedFact;
  selected?: { local: CandidateFact; remote: CandidateFact };
  dtlsState?: string;
}

/** Candidate pairs, the selected pair and the DTLS state from werift's getStats(). */
export async function readPairStats(pc: PeerConnection, timeoutMs = 2000): Promise<PairStats> {
  let report: Map<string, StatsEntry> | undefined;
  await bounded(
    pc.getStats().then((r) => {
      report = r as unknown as Map<string, StatsEntry>;
    }),
    timeoutMs,
  ).catch(() => false);
  if (!report) return { pairs: [] };
  const entries = [...report.values()];
  const byId = new Map(entries.map((e) => [String(e["id"]), e]));
  const transport = entries.find((e) => e["type"] === "transport");
  const selectedId = transport?.["selectedCandidatePairId"];
  const relayProtocol = relayTransportOf(pc);
  const pairs: CandidatePairFact[] = [];
  let selected: PairStats["selected"];
  for (const e of entries.filter((x) => x["type"] === "candidate-pair")) {
    const local = candidateFromStats(byId.get(String(e["localCandidateId"])), relayProtocol);
    const remote = candidateFromStats(byId.get(String(e["remoteCandidateId"])));
    const pair = pairFromStats(e, local, remote, e["id"] === selectedId);
    if (!pair) continue;
    pairs.push(pair);
    if (pair.selected) selected = { local: pair.local, remote: pair.remote };
  }
  const dtlsState = transport?.["dtlsState"];
  const { listed, omitted } = boundPairs(pairs);
  return { pairs: listed, ...(omitted ? { omitted } : {}), ...(selected ? { selected } : {}), ...(typeof dtlsState === "string" ? { dtlsState } : {}) };
}

/**
 * At most `max` pairs, the most telling ones, in werift's order; the others only as counts, so a far
 * side with many candidates cannot make the report grow with the product of both sides' lists.
 */
export function boundPairs(pairs: readonly CandidatePairFact[], max = MAX_REPORTED_PAIRS): { listed: CandidatePairFact[]; omitted?: PairsOmittedFact } {
  if (pairs.length <= max) return { listed: [...pairs] };
  const rank = (p: CandidatePairFact) => (p.selected ? -2 : p.nominated ? -1 : STATE_RANK[p.state] ?? 5);
  const order = pairs.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i);
  const keep = new Set(order.slice(0, max).map((x) => x.i));
  const listed = pairs.filter((_, i) => keep.has(i));
  const omitted: PairsOmittedFact = { count: 0, byState: {}, requestsSent: 0, responsesReceived: 0, requestsReceived: 0 };
  pairs.forEach((p, i) => {
    if (keep.has(i)) return;
    omitted.count += 1;
    omitted.byState[p.state] = (omitted.byState[p.state] ?? 0) + 1;
    omitted.requestsSent += p.requestsSent ?? 0;
    omitted.responsesReceived += p.responsesReceived ?? 0;
    omitted.requestsReceived += p.requestsReceived ?? 0;
  });
  return { listed, omitted };
}
