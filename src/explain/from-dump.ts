import type { CandidatePairFact, PairCandidateFact, PairState, SdpCandidateFact, SessionFact } from "../facts/index.js";
import { classifyAddress, familyOf } from "../net/address-class.js";
import { analyseCandidateLine, analyseSdp } from "../sdp/analyse.js";
import { ExplainInputError } from "./errors.js";

/** chrome://webrtc-internals "Create Dump": one entry per RTCPeerConnection. */
interface DumpEvent {
  time?: string;
  type?: unknown;
  value?: unknown;
}

interface DumpConnection {
  rtcConfiguration?: unknown;
  url?: string;
  updateLog?: DumpEvent[];
  stats?: Record<string, { statsType?: string; values?: unknown }>;
}

export interface DumpSession {
  id: string;
  session: SessionFact;
  /** The ICE server URLs of the page's configuration (no credentials: the dump has none). */
  iceServerUrls: string[];
}

const PAIR_STATES = new Set<string>(["frozen", "waiting", "in-progress", "succeeded", "failed"]);

function asString(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** The "candidate:..." inside an event value such as "sdpMid: 0, sdpMLineIndex: 0, candidate: candidate:1 1 udp ...". */
function candidateFrom(value: string): SdpCandidateFact | undefined {
  const at = value.indexOf("candidate:", value.indexOf("candidate: ") >= 0 ? value.indexOf("candidate: ") + 11 : 0);
  if (at < 0) return undefined;
  const line = value.slice(at).split(/\r?\n|, url:|, relayProtocol:/)[0] ?? "";
  try {
    return analyseCandidateLine(line.trim());
  } catch {
    return undefined;
  }
}

/** Each stats object's last sample, from series keyed "<id>-<field>" whose values are JSON-encoded arrays. */
function lastSamples(stats: DumpConnection["stats"]): Map<string, Record<string, unknown>> {
  const objects = new Map<string, Record<string, unknown>>();
  for (const [key, series] of Object.entries(stats ?? {})) {
    const dash = key.lastIndexOf("-");
    if (dash <= 0 || typeof series?.values !== "string") continue;
    const id = key.slice(0, dash);
    const field = key.slice(dash + 1);
    let values: unknown;
    try {
      values = JSON.parse(series.values);
    } catch {
      continue;
    }
    if (!Array.isArray(values) || values.length === 0) continue;
    const object = objects.get(id) ?? { statsType: series.statsType };
    object[field] = values[values.length - 1];
    objects.set(id, object);
  }
  return objects;
}

function pairCandidate(s: Record<string, unknown> | undefined): PairCandidateFact | undefined {
  const address = asString(s?.["address"]) || asString(s?.["ip"]);
  const type = asString(s?.["candidateType"]);
  const protocol = asString(s?.["protocol"]).toLowerCase();
  if (!s || !address || !["host", "srflx", "prflx", "relay"].includes(type) || (protocol !== "udp" && protocol !== "tcp")) return undefined;
  const family = familyOf(address);
  const relay = asString(s["relayProtocol"]).toLowerCase();
  const tcpType = asString(s["tcpType"]);
  return {
    type: type as PairCandidateFact["type"],
    protocol,
    address,
    port: Number(s["port"] ?? 0),
    component: 1,
    addressClass: classifyAddress(address),
    ...(family ? { family } : {}),
    ...(tcpType === "active" || tcpType === "passive" || tcpType === "so" ? { tcpType } : {}),
    ...(relay === "udp" || relay === "tcp" || relay === "tls" ? { relayProtocol: relay } : {}),
  };
}

function count(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? Math.max(0, Math.round(v)) : undefined;
}

function pairsFrom(stats: DumpConnection["stats"]): CandidatePairFact[] {
  const objects = lastSamples(stats);
  const selectedIds = new Set([...objects.values()].filter((o) => o["statsType"] === "transport").map((o) => asString(o["selectedCandidatePairId"])));
  const pairs: CandidatePairFact[] = [];
  for (const [id, o] of objects) {
    if (o["statsType"] !== "candidate-pair") continue;
    const local = pairCandidate(objects.get(asString(o["localCandidateId"])));
    const remote = pairCandidate(objects.get(asString(o["remoteCandidateId"])));
    const state = asString(o["state"]);
    if (!local || !remote || !PAIR_STATES.has(state)) continue;
    const numbers = Object.fromEntries(
      (["requestsSent", "responsesReceived", "requestsReceived", "bytesSent", "bytesReceived"] as const).flatMap((k) => {
        const n = count(o[k]);
        return n === undefined ? [] : [[k, n]];
      }),
    );
    pairs.push({ state: state as PairState, nominated: o["nominated"] === true, selected: selectedIds.has(id), local, remote, ...numbers });
  }
  return pairs;
}

/** "type: offer, sdp: v=0..." as setLocalDescription/setRemoteDescription log it. */
function descriptionFrom(value: string, what: string) {
  const m = /^type: (\w+), sdp: ([\s\S]*)$/.exec(value);
  if (!m?.[2]) return undefined;
  const type = m[1] === "offer" || m[1] === "answer" || m[1] === "pranswer" ? m[1] : undefined;
  try {
    return analyseSdp(m[2], type);
  } catch (error) {
    throw new ExplainInputError(`webrtc-internals dump: ${what}: ${(error as Error).message}`);
  }
}

function iceServerUrls(config: unknown): string[] {
  // Chrome writes the configuration as a JS-like string in recent versions, an object in older ones.
  const text = typeof config === "string" ? config : JSON.stringify(config ?? "");
  return [...text.matchAll(/(?:stuns?|turns?):[^\s"',\]}]+/g)].map((m) => m[0]);
}

function connectionSession(connection: DumpConnection): SessionFact {
  const session: SessionFact = { source: "webrtc-internals", trickled: { local: [], remote: [] }, iceStates: [] };
  for (const event of connection.updateLog ?? []) {
    const type = asString(event.type).toLowerCase();
    const value = asString(event.value);
    if (type === "setlocaldescription") session.local = descriptionFrom(value, "setLocalDescription") ?? session.local;
    else if (type === "setremotedescription") session.remote = descriptionFrom(value, "setRemoteDescription") ?? session.remote;
    else if (type === "icecandidate") {
      const c = candidateFrom(value);
      if (c) session.trickled?.local?.push(c);
    } else if (type === "addicecandidate") {
      const c = candidateFrom(value);
      if (c) session.trickled?.remote?.push(c);
    } else if (type === "iceconnectionstatechange") session.iceStates?.push(value);
    else if (type === "icecandidateerror") {
      const code = /error_code: (\d+)/.exec(value)?.[1];
      if (code) {
        const url = /url: ([^,\s]+)/.exec(value)?.[1];
        const text = /error_text: ([^,]*)/.exec(value)?.[1]?.trim();
        (session.candidateErrors ??= []).push({ errorCode: Number(code), ...(url ? { url } : {}), ...(text ? { errorText: text } : {}) });
      }
    }
  }
  const pairs = pairsFrom(connection.stats);
  if (pairs.length > 0) session.pairs = pairs;
  return session;
}

/**
 * Every peer connection of a dump as a session. A page often holds several (a probe, a
 * renegotiation, a reconnect); the caller picks one.
 */
export function sessionsFromDump(dump: { PeerConnections?: unknown }): DumpSession[] {
  const connections = dump.PeerConnections;
  if (!connections || typeof connections !== "object" || Array.isArray(connections)) {
    throw new ExplainInputError("webrtc-internals dump: 'PeerConnections' is not an object keyed by connection id");
  }
  const entries = Object.entries(connections as Record<string, DumpConnection>);
  if (entries.length === 0) throw new ExplainInputError("webrtc-internals dump: it holds no peer connection (was the call running when the dump was made?)");
  return entries.map(([id, connection]) => ({ id, session: connectionSession(connection ?? {}), iceServerUrls: iceServerUrls(connection?.rtcConfiguration) }));
}

/** The connection to diagnose: the named one, else the last that set a remote description (the call). */
export function pickSession(sessions: DumpSession[], id?: string): DumpSession {
  if (id !== undefined) {
    const found = sessions.find((s) => s.id === id);
    if (!found) throw new ExplainInputError(`webrtc-internals dump: no peer connection '${id}' (there are: ${sessions.map((s) => s.id).join(", ")})`);
    return found;
  }
  const withRemote = sessions.filter((s) => s.session.remote !== undefined);
  return (withRemote.length > 0 ? withRemote : sessions)[(withRemote.length > 0 ? withRemote : sessions).length - 1] as DumpSession;
}
