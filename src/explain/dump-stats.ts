import type { CandidatePairFact } from "../facts/index.js";
import { candidateFromStats, pairFromStats } from "../webrtc/candidate-stats.js";
import { asString, isObject, loggedKey, statsKey, type LoggedCandidate } from "./dump-values.js";

/** Each stats object's last sample, from series keyed "<id>-<field>" whose values are JSON-encoded arrays. */
export function lastSamples(stats: unknown): Map<string, Record<string, unknown>> {
  const objects = new Map<string, Record<string, unknown>>();
  if (!isObject(stats)) return objects;
  for (const [key, series] of Object.entries(stats)) {
    const dash = key.lastIndexOf("-");
    if (dash <= 0 || !isObject(series)) continue;
    let values: unknown = series["values"];
    if (typeof values === "string") {
      try {
        values = JSON.parse(values);
      } catch {
        continue;
      }
    }
    if (!Array.isArray(values) || values.length === 0) continue;
    const id = key.slice(0, dash);
    const object = objects.get(id) ?? { statsType: asString(series["statsType"]) || statsTypeOf(id) };
    object[key.slice(dash + 1)] = values[values.length - 1];
    objects.set(id, object);
  }
  return objects;
}

/** Dumps whose series carry no statsType: the type from the id Chrome gave the object (RTCTransport_0_1, ...). */
function statsTypeOf(id: string): string {
  if (id.startsWith("RTCIceCandidatePair")) return "candidate-pair";
  if (id.startsWith("RTCTransport")) return "transport";
  return "";
}

/**
 * A stats candidate with its address. Under mDNS Chrome's stats give "" for every candidate it knows
 * by a name (ours, and the far side's `.local` ones); the log named it, and the stats entry still
 * has its foundation, protocol and port, which is what the logged candidate is found by.
 */
function named(entry: Record<string, unknown> | undefined, byKey: Map<string, LoggedCandidate>): Record<string, unknown> | undefined {
  if (!entry || asString(entry["address"]) || asString(entry["ip"])) return entry;
  const logged = byKey.get(statsKey(entry["protocol"], entry["port"], entry["foundation"]));
  return logged ? { ...entry, address: logged.fact.address } : entry;
}

/** The candidates each side's log names, for naming the ends of the stats' pairs. */
export interface LoggedNames {
  local: readonly LoggedCandidate[];
  remote: readonly LoggedCandidate[];
}

export function pairsFrom(stats: unknown, names: LoggedNames): CandidatePairFact[] {
  const objects = lastSamples(stats);
  const local = new Map(names.local.map((c) => [loggedKey(c), c]));
  const remote = new Map(names.remote.map((c) => [loggedKey(c), c]));
  const selectedIds = new Set([...objects.values()].filter((o) => o["statsType"] === "transport").map((o) => asString(o["selectedCandidatePairId"])));
  const pairs: CandidatePairFact[] = [];
  for (const [id, o] of objects) {
    if (o["statsType"] !== "candidate-pair") continue;
    const ours = candidateFromStats(named(objects.get(asString(o["localCandidateId"])), local));
    const theirs = candidateFromStats(named(objects.get(asString(o["remoteCandidateId"])), remote));
    const pair = pairFromStats(o, ours, theirs, selectedIds.has(id));
    if (pair) pairs.push(pair);
  }
  return pairs;
}
