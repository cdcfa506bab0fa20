import type { CandidateFact, CandidatePairFact, SdpFact, SessionFact } from "../facts/index.js";
import { analyseCandidateLine, analyseSdp } from "../sdp/analyse.js";
import { candidateFromStats, pairFromStats } from "../webrtc/candidate-stats.js";
import { ExplainInputError } from "./errors.js";

/**
 * chrome://webrtc-internals "Create Dump": `{getUserMedia, PeerConnections, UserAgent[, UserAgentData]}`
 * (the oldest dumps have no UserAgent), one entry per RTCPeerConnection keyed "<rid>-<lid>". Each
 * entry has the page `url`, `rtcConfiguration`, an `updateLog` of {type, value, time | timestamp} in
 * order, and `stats` series "<stats id>-<field>" → {startTime, endTime, statsType, values}, values a
 * JSON-encoded array. Chrome changed the log's spelling over the years; all three generations are read:
 * - old: onIceCandidate / addIceCandidate / iceConnectionStateChange, values "type: offer, sdp: ...",
 *   "sdpMid: 0, sdpMLineIndex: 0, candidate: ...", icecandidateerror as "url: ...\nerror_code: 701";
 *   rtcConfiguration "{ iceServers: [stun:...], iceTransportPolicy: all, ... }";
 * - middle: icecandidate / iceconnectionstatechange / connectionstatechange, same value formats;
 * - current: onicecandidate / oniceconnectionstatechange ("\"checking\"", quoted) / onicecandidateerror,
 *   values JSON objects, rtcConfiguration a JSON string.
 */
interface DumpConnection {
  rtcConfiguration?: unknown;
  url?: unknown;
  updateLog?: unknown;
  stats?: unknown;
}

export interface DumpSession {
  id: string;
  /** The page that owned the connection. */
  url?: string;
  session: SessionFact;
  /** The ICE server URLs of the page's configuration (no credentials: the dump has none). */
  iceServerUrls: string[];
  /** connectionState values in the order they were entered (session.iceStates has ICE's). */
  connectionStates: string[];
  /** ICE or the connection reached connected/completed at some point. */
  connected: boolean;
}

import type { PickReason } from "../report/explain-marker.js";
export type { PickReason };

function asString(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Current Chrome logs JSON objects as event values; older ones "name: value" text. */
function jsonValue(value: string): Record<string, unknown> | undefined {
  if (!value.trimStart().startsWith("{")) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** "name: value" out of text whose fields are separated by newlines (icecandidateerror) or ", ". */
function textField(value: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\n|, )${name}: ([^\\n]*?)(?=\\n|, [A-Za-z_]+: |$)`).exec(value);
  return m?.[1]?.trim();
}

/**
 * The event name without Chrome's spelling: "onIceCandidate", "icecandidate" and "onicecandidate"
 * are one event, as are "iceConnectionStateChange", "iceconnectionstatechange" and
 * "oniceconnectionstatechange".
 */
function eventKind(type: unknown): string {
  const t = asString(type).toLowerCase();
  return t.startsWith("on") ? t.slice(2) : t;
}

/** A state as logged: "checking", "\"checking\"" (current Chrome) or "ICEConnectionStateChecking" (oldest). */
function stateValue(value: string): string {
  return value
    .trim()
    .replace(/^"(.*)"$/, "$1")
    .replace(/^k?(?:ice|peer)?connectionstate/i, "")
    .toLowerCase();
}

function candidateFrom(value: string): CandidateFact | undefined {
  const json = jsonValue(value);
  let line: string;
  let mid: string | undefined;
  if (json) {
    line = asString(json["candidate"]);
    mid = typeof json["sdpMid"] === "string" ? json["sdpMid"] : undefined;
  } else {
    // "sdpMid: 0, sdpMLineIndex: 0, candidate: candidate:1 1 udp ..." (some versions append ", url: ...").
    const at = value.indexOf("candidate: ");
    if (at < 0) return undefined;
    line = value.slice(at + 11).split(/\r?\n|, url:|, relayProtocol:/)[0] ?? "";
    mid = textField(value, "sdpMid");
  }
  try {
    return analyseCandidateLine(line.trim(), mid && mid !== "null" ? mid : undefined);
  } catch {
    return undefined;
  }
}

/** Each stats object's last sample, from series keyed "<id>-<field>" whose values are JSON-encoded arrays. */
function lastSamples(stats: unknown): Map<string, Record<string, unknown>> {
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

function pairsFrom(stats: unknown): CandidatePairFact[] {
  const objects = lastSamples(stats);
  const selectedIds = new Set([...objects.values()].filter((o) => o["statsType"] === "transport").map((o) => asString(o["selectedCandidatePairId"])));
  const pairs: CandidatePairFact[] = [];
  for (const [id, o] of objects) {
    if (o["statsType"] !== "candidate-pair") continue;
    const local = candidateFromStats(objects.get(asString(o["localCandidateId"])));
    const remote = candidateFromStats(objects.get(asString(o["remoteCandidateId"])));
    const pair = pairFromStats(o, local, remote, selectedIds.has(id));
    if (pair) pairs.push(pair);
  }
  return pairs;
}

/** "type: offer, sdp: v=0..." (older Chrome) or {"type": "offer", "sdp": "v=0..."} (current); undefined without an SDP. */
function descriptionFrom(value: string, what: string): SdpFact | undefined {
  const json = jsonValue(value);
  const m = json ? undefined : /^type: (\w+), sdp: ([\s\S]*)$/.exec(value.trim());
  const rawType = json ? asString(json["type"]) : (m?.[1] ?? "");
  const sdp = json ? asString(json["sdp"]) : (m?.[2] ?? "");
  if (!sdp.trim()) return undefined;
  const type = rawType === "offer" || rawType === "answer" || rawType === "pranswer" ? rawType : undefined;
  try {
    return analyseSdp(sdp, type);
  } catch (error) {
    throw new ExplainInputError(`webrtc-internals dump: ${what}: ${(error as Error).message}`);
  }
}

/**
 * The STUN/TURN URLs of a configuration in any of Chrome's serialisations: the JS-like string
 * "{ iceServers: [stun:a:19302, turn:b:3478], iceTransportPolicy: all, ... }", a JSON string
 * '{"iceServers":[{"urls":["stun:a:19302"]}]}', or an object.
 */
function iceServerUrls(config: unknown): string[] {
  const text = typeof config === "string" ? config : JSON.stringify(config ?? "");
  return [...new Set([...text.matchAll(/(?<![\w.-])(?:stuns?|turns?):[^\s"',\]}]+/gi)].map((m) => m[0]))];
}

function eventsOf(connection: DumpConnection): { type?: unknown; value?: unknown }[] {
  return Array.isArray(connection.updateLog) ? (connection.updateLog as unknown[]).filter(isObject) : [];
}

function candidateErrorFrom(value: string): NonNullable<SessionFact["candidateErrors"]>[number] | undefined {
  const json = jsonValue(value);
  const code = Number(json ? json["error_code"] : textField(value, "error_code"));
  if (!Number.isInteger(code) || code <= 0) return undefined;
  const url = json ? asString(json["url"]) : (textField(value, "url") ?? "");
  const text = json ? asString(json["error_text"]) : (textField(value, "error_text") ?? "");
  return { errorCode: code, ...(url ? { url } : {}), ...(text ? { errorText: text } : {}) };
}

function connectionSession(id: string, connection: DumpConnection): DumpSession {
  const session: SessionFact = { source: "webrtc-internals", trickled: { local: [], remote: [] }, iceStates: [] };
  const connectionStates: string[] = [];
  let servers = iceServerUrls(connection.rtcConfiguration);
  let created: SdpFact | undefined;
  for (const event of eventsOf(connection)) {
    const kind = eventKind(event.type);
    const value = asString(event.value);
    switch (kind) {
      case "createofferonsuccess":
      case "createansweronsuccess":
        created = descriptionFrom(value, kind === "createofferonsuccess" ? "createOfferOnSuccess" : "createAnswerOnSuccess") ?? created;
        break;
      case "setlocaldescription":
      case "setlocaldescriptionimplicitcreateofferoranswer":
        // setLocalDescription() without an argument logs no SDP: the one just created is it.
        session.local = descriptionFrom(value, "setLocalDescription") ?? created ?? session.local;
        break;
      case "setremotedescription":
        session.remote = descriptionFrom(value, "setRemoteDescription") ?? session.remote;
        break;
      case "icecandidate": {
        const c = candidateFrom(value);
        if (c) session.trickled?.local?.push(c);
        break;
      }
      case "addicecandidate": {
        // addIceCandidateFailed is not matched: the agent never got that candidate.
        const c = candidateFrom(value);
        if (c) session.trickled?.remote?.push(c);
        break;
      }
      case "iceconnectionstatechange": {
        const state = stateValue(value);
        if (state) session.iceStates?.push(state);
        break;
      }
      case "connectionstatechange": {
        const state = stateValue(value);
        if (state) connectionStates.push(state);
        break;
      }
      case "icecandidateerror": {
        const error = candidateErrorFrom(value);
        if (error) (session.candidateErrors ??= []).push(error);
        break;
      }
      case "setconfiguration":
      case "updateice": {
        const urls = iceServerUrls(value);
        if (urls.length > 0) servers = urls;
        break;
      }
      default:
    }
  }
  const pairs = pairsFrom(connection.stats);
  if (pairs.length > 0) session.pairs = pairs;
  // A "completed" before any check is not a connection (werift logs one when gathering completes).
  const ice = session.iceStates ?? [];
  const connected = connectionStates.includes("connected") || ice.some((s, i) => s === "connected" || (s === "completed" && ice.slice(0, i).includes("checking")));
  const url = asString(connection.url);
  return { id, ...(url ? { url } : {}), session, iceServerUrls: servers, connectionStates, connected };
}

/**
 * Every peer connection of a dump as a session. A page often holds several (a probe, a
 * renegotiation, a reconnect, one per remote participant); pickSession chooses one.
 */
export function sessionsFromDump(dump: { PeerConnections?: unknown }): DumpSession[] {
  const connections = dump.PeerConnections;
  if (!isObject(connections)) {
    throw new ExplainInputError("webrtc-internals dump: 'PeerConnections' is not an object keyed by connection id");
  }
  const entries = Object.entries(connections);
  if (entries.length === 0) throw new ExplainInputError("webrtc-internals dump: it holds no peer connection (was the call running when the dump was made?)");
  return entries.map(([id, connection]) => connectionSession(id, isObject(connection) ? (connection as DumpConnection) : {}));
}

/**
 * The connection to diagnose: the named one; else, among those that set a remote description, the
 * last that never reached connected (the call the user is asking about; a dump usually also holds
 * connections that worked); else the last with a remote description; else the last.
 */
export function pickSession(sessions: DumpSession[], id?: string): { picked: DumpSession; reason: PickReason } {
  if (id !== undefined) {
    const found = sessions.find((s) => s.id === id);
    if (!found) throw new ExplainInputError(`webrtc-internals dump: no peer connection '${id}' (there are: ${sessions.map((s) => s.id).join(", ")})`);
    return { picked: found, reason: "named" };
  }
  const withRemote = sessions.filter((s) => s.session.remote !== undefined);
  const stuck = withRemote.filter((s) => !s.connected);
  if (stuck.length > 0) return { picked: stuck[stuck.length - 1] as DumpSession, reason: "not-connected" };
  if (withRemote.length > 0) return { picked: withRemote[withRemote.length - 1] as DumpSession, reason: "last-with-remote" };
  return { picked: sessions[sessions.length - 1] as DumpSession, reason: "last" };
}
