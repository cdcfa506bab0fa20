import type { SessionFact } from "../facts/index.js";
import { ExplainInputError } from "./errors.js";
import { mediaFromStats } from "./dump-media.js";
import { pairsFrom } from "./dump-stats.js";
import {
  addressKey,
  asString,
  candidateErrorFrom,
  candidateFrom,
  descriptionFrom,
  eventKind,
  iceServerUrls,
  isObject,
  stateValue,
  type LoggedCandidate,
  type LoggedDescription,
} from "./dump-values.js";

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
 *   values JSON objects, rtcConfiguration a JSON string; setLocalDescription() logs "" and
 *   setLocalDescriptionOnSuccess the SDP; a failed addIceCandidate is followed by addIceCandidateFailed
 *   with the error text; under mDNS the stats give "" as the address of every candidate known by a name
 *   (Chromium 156, captured by scripts/capture-chrome-dumps.mjs).
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

function eventsOf(connection: DumpConnection): { type?: unknown; value?: unknown }[] {
  return Array.isArray(connection.updateLog) ? (connection.updateLog as unknown[]).filter(isObject) : [];
}

/** What one connection's log says, before the other connections of the dump are looked at. */
interface LoggedConnection {
  id: string;
  url?: string;
  session: SessionFact;
  iceServerUrls: string[];
  connectionStates: string[];
  local?: LoggedDescription;
  remote?: LoggedDescription;
  /** icecandidate events: what our agent found. */
  gathered: LoggedCandidate[];
  /** addIceCandidate events that did not fail: what reached our agent. */
  added: LoggedCandidate[];
  stats: unknown;
}

/**
 * A failed addIceCandidate: older Chrome logs the candidate as the value, current Chrome the error
 * text right after the addIceCandidate it belongs to (the call is checked before it returns).
 */
function dropFailed(added: LoggedCandidate[], value: string): void {
  const failed = candidateFrom(value);
  const at = failed ? added.map((c) => addressKey(c.fact)).lastIndexOf(addressKey(failed.fact)) : added.length - 1;
  if (at >= 0) added.splice(at, 1);
}

function readConnection(id: string, connection: DumpConnection): LoggedConnection {
  const session: SessionFact = { source: "webrtc-internals", trickled: { remote: [] }, iceStates: [] };
  const connectionStates: string[] = [];
  let servers = iceServerUrls(connection.rtcConfiguration);
  let created: LoggedDescription | undefined;
  let local: LoggedDescription | undefined;
  let remote: LoggedDescription | undefined;
  // A description set by a call that then fails is not in effect: the one before it is.
  let localBefore: LoggedDescription | undefined;
  let remoteBefore: LoggedDescription | undefined;
  const gathered: LoggedCandidate[] = [];
  const added: LoggedCandidate[] = [];
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
        // setLocalDescription() without an argument logs no SDP: the one just created is it, or the one its success logs.
        localBefore = local;
        local = descriptionFrom(value, "setLocalDescription") ?? created ?? local;
        break;
      case "setlocaldescriptiononsuccess":
        local = descriptionFrom(value, "setLocalDescriptionOnSuccess") ?? local;
        break;
      case "setlocaldescriptiononfailure":
        local = localBefore;
        break;
      case "setremotedescription":
        remoteBefore = remote;
        remote = descriptionFrom(value, "setRemoteDescription") ?? remote;
        break;
      case "setremotedescriptiononsuccess":
        remote = descriptionFrom(value, "setRemoteDescriptionOnSuccess") ?? remote;
        break;
      case "setremotedescriptiononfailure":
        remote = remoteBefore;
        break;
      case "icecandidate": {
        const c = candidateFrom(value);
        if (c) gathered.push(c);
        break;
      }
      case "addicecandidate": {
        const c = candidateFrom(value);
        if (c) added.push(c);
        break;
      }
      case "addicecandidatefailed":
        dropFailed(added, value);
        break;
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
  if (local) session.local = local.fact;
  if (remote) session.remote = remote.fact;
  if (session.trickled) session.trickled.remote = added.map((c) => c.fact);
  if (gathered.length > 0) session.gathered = gathered.map((c) => c.fact);
  const url = asString(connection.url);
  return { id, ...(url ? { url } : {}), session, iceServerUrls: servers, connectionStates, local, remote, gathered, added, stats: connection.stats };
}

/** Candidates as both ends name them: an icecandidate of one is an addIceCandidate or a description line of the other. */
function keys(list: readonly LoggedCandidate[]): Set<string> {
  return new Set(list.map((c) => addressKey(c.fact)));
}

/**
 * The connection in the same dump that is `of`'s far side, when the page held both ends (a test
 * page, a call between two tabs' connections): its remote description carries our ufrag, or it
 * received a candidate we found.
 */
function farSideOf(of: LoggedConnection, all: readonly LoggedConnection[]): LoggedConnection | undefined {
  const ours = keys(of.gathered);
  return all.find(
    (other) =>
      other !== of &&
      ((of.local?.ufrag !== undefined && other.remote?.ufrag === of.local.ufrag) || [...(other.remote?.candidates ?? []), ...other.added].some((c) => ours.has(addressKey(c.fact)))),
  );
}

/**
 * Our candidates count as trickled only once the other side is seen to have them: an icecandidate
 * event says the browser found a candidate, not that the page sent it. With the far side in the dump,
 * those it received (in its remote description or an addIceCandidate) beyond our own description are
 * the trickled ones; without it the dump cannot tell, and trickled.local stays absent.
 */
function trickledLocal(of: LoggedConnection, all: readonly LoggedConnection[]): LoggedCandidate[] | undefined {
  const far = farSideOf(of, all);
  if (!far) return undefined;
  const received = keys([...(far.remote?.candidates ?? []), ...far.added]);
  const described = keys(of.local?.candidates ?? []);
  return of.gathered.filter((c) => received.has(addressKey(c.fact)) && !described.has(addressKey(c.fact)));
}

function toSession(of: LoggedConnection, all: readonly LoggedConnection[]): DumpSession {
  const session: SessionFact = { ...of.session };
  const local = trickledLocal(of, all);
  session.trickled = { ...(local ? { local: local.map((c) => c.fact) } : {}), remote: of.session.trickled?.remote ?? [] };
  const pairs = pairsFrom(of.stats, {
    local: [...(of.local?.candidates ?? []), ...of.gathered],
    remote: [...(of.remote?.candidates ?? []), ...of.added],
  });
  if (pairs.length > 0) session.pairs = pairs;
  const media = mediaFromStats(of.stats, session.local, session.remote);
  if (media) session.media = media;
  // A "completed" before any check is not a connection (werift logs one when gathering completes).
  const ice = session.iceStates ?? [];
  const connected = of.connectionStates.includes("connected") || ice.some((s, i) => s === "connected" || (s === "completed" && ice.slice(0, i).includes("checking")));
  return { id: of.id, ...(of.url ? { url: of.url } : {}), session, iceServerUrls: of.iceServerUrls, connectionStates: of.connectionStates, connected };
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
  const logged = entries.map(([id, connection]) => readConnection(id, isObject(connection) ? (connection as DumpConnection) : {}));
  return logged.map((c) => toSession(c, logged));
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
