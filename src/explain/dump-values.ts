import type { CandidateFact, SdpFact, SessionFact } from "../facts/index.js";
import { analyseCandidateLine, analyseSdp } from "../sdp/analyse.js";
import { ExplainInputError } from "./errors.js";

/**
 * The values of a webrtc-internals updateLog, in every spelling Chrome used (see from-dump.ts):
 * "name: value" text in older versions, JSON objects in current ones.
 */

export function asString(v: unknown): string {
  return typeof v === "string" ? v : "";
}

export function isObject(v: unknown): v is Record<string, unknown> {
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
export function eventKind(type: unknown): string {
  const t = asString(type).toLowerCase();
  return t.startsWith("on") ? t.slice(2) : t;
}

/** A state as logged: "checking", "\"checking\"" (current Chrome) or "ICEConnectionStateChecking" (oldest). */
export function stateValue(value: string): string {
  return value
    .trim()
    .replace(/^"(.*)"$/, "$1")
    .replace(/^k?(?:ice|peer)?connectionstate/i, "")
    .toLowerCase();
}

/**
 * A candidate as the log names it, with what Chrome's stats identify it by: stats under mDNS carry
 * no address, only foundation, protocol and port, so these are what a pair's end is matched on.
 */
export interface LoggedCandidate {
  fact: CandidateFact;
  foundation: string;
}

/** "protocol port foundation": how a stats entry and a logged candidate are matched. */
export function statsKey(protocol: unknown, port: unknown, foundation: unknown): string {
  return `${String(protocol).toLowerCase()} ${String(port)} ${String(foundation)}`;
}

export function loggedKey(c: LoggedCandidate): string {
  return statsKey(c.fact.protocol, c.fact.port, c.foundation);
}

/** One end of the path as both sides name it: the same candidate in an icecandidate and in the peer's addIceCandidate. */
export function addressKey(c: CandidateFact): string {
  return `${c.protocol} ${c.address.toLowerCase()} ${c.port}`;
}

function loggedFrom(line: string, mid: string | undefined): LoggedCandidate | undefined {
  const value = line.trim().replace(/^a=/, "");
  const foundation = /^candidate:(\S+)/.exec(value)?.[1];
  try {
    const fact = analyseCandidateLine(value, mid && mid !== "null" ? mid : undefined);
    return fact && foundation ? { fact, foundation } : undefined;
  } catch {
    return undefined;
  }
}

/** An icecandidate or addIceCandidate value: {"sdpMid", "candidate"} (current) or "sdpMid: 0, sdpMLineIndex: 0, candidate: ..." (older). */
export function candidateFrom(value: string): LoggedCandidate | undefined {
  const json = jsonValue(value);
  if (json) return loggedFrom(asString(json["candidate"]), typeof json["sdpMid"] === "string" ? json["sdpMid"] : undefined);
  // Some versions append ", url: ..." to the candidate.
  const at = value.indexOf("candidate: ");
  if (at < 0) return undefined;
  return loggedFrom(value.slice(at + 11).split(/\r?\n|, url:|, relayProtocol:/)[0] ?? "", textField(value, "sdpMid"));
}

/** A description event's SDP text and type: "type: offer, sdp: v=0..." (older Chrome) or {"type", "sdp"} (current). */
function sdpOf(value: string): { sdp: string; type?: SdpFact["type"] } {
  const json = jsonValue(value);
  const m = json ? undefined : /^type: (\w+), sdp: ([\s\S]*)$/.exec(value.trim());
  const rawType = json ? asString(json["type"]) : (m?.[1] ?? "");
  const sdp = json ? asString(json["sdp"]) : (m?.[2] ?? "");
  return { sdp, ...(rawType === "offer" || rawType === "answer" || rawType === "pranswer" ? { type: rawType } : {}) };
}

export interface LoggedDescription {
  fact: SdpFact;
  candidates: LoggedCandidate[];
  ufrag?: string;
}

/** The description an event carries; undefined when it has no SDP (setLocalDescription() without an argument). */
export function descriptionFrom(value: string, what: string): LoggedDescription | undefined {
  const { sdp, type } = sdpOf(value);
  if (!sdp.trim()) return undefined;
  let fact: SdpFact;
  try {
    fact = analyseSdp(sdp, type);
  } catch (error) {
    throw new ExplainInputError(`webrtc-internals dump: ${what}: ${(error as Error).message}`);
  }
  const candidates = [...sdp.matchAll(/^a=(candidate:[^\r\n]*)/gm)].flatMap((m) => loggedFrom(m[1] ?? "", undefined) ?? []);
  const ufrag = /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
  return { fact, candidates, ...(ufrag ? { ufrag } : {}) };
}

export function candidateErrorFrom(value: string): NonNullable<SessionFact["candidateErrors"]>[number] | undefined {
  const json = jsonValue(value);
  const code = Number(json ? json["error_code"] : textField(value, "error_code"));
  if (!Number.isInteger(code) || code <= 0) return undefined;
  const url = json ? asString(json["url"]) : (textField(value, "url") ?? "");
  const text = json ? asString(json["error_text"]) : (textField(value, "error_text") ?? "");
  return { errorCode: code, ...(url ? { url } : {}), ...(text ? { errorText: text } : {}) };
}

/**
 * The STUN/TURN URLs of a configuration in any of Chrome's serialisations: the JS-like string
 * "{ iceServers: [stun:a:19302, turn:b:3478], iceTransportPolicy: all, ... }", a JSON string
 * '{"iceServers":[{"urls":["stun:a:19302"]}]}', or an object.
 */
export function iceServerUrls(config: unknown): string[] {
  const text = typeof config === "string" ? config : JSON.stringify(config ?? "");
  return [...new Set([...text.matchAll(/(?<![\w.-])(?:stuns?|turns?):[^\s"',\]}]+/gi)].map((m) => m[0]))];
}
