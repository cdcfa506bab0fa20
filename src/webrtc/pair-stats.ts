import type { CandidateFact } from "../facts/candidates.js";
import type { CandidatePairFact } from "../facts/session.js";
import { bounded } from "./bounded.js";
import { candidateFromStats, pairFromStats } from "./candidate-stats.js";
import { relayTransportOf } from "./turn-allocations.js";
import type { PeerConnection } from "./types.js";

type StatsEntry = Record<string, unknown>;

export interface PairStats {
  pairs: CandidatePairFact[];
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
  return { pairs, ...(selected ? { selected } : {}), ...(typeof dtlsState === "string" ? { dtlsState } : {}) };
}
