import type { ChalkInstance } from "chalk";
import type { Report } from "../types.js";
import type { CandidateFact, CandidatePairFact, SessionFact } from "../../facts/index.js";
import { isLocalOnly } from "../../net/address-class.js";
import { mediaLines } from "../media-lines.js";

type Side = "local" | "remote";

const SOURCE: Record<SessionFact["source"], string> = {
  sdp: "from the session description",
  "webrtc-internals": "from a chrome://webrtc-internals dump",
  connectivity: "from the connection attempt",
};

const TYPES = ["host", "srflx", "prflx", "relay"] as const;
// Dumps of long calls carry dozens of candidates and pairs; the JSON report keeps all of them.
const MAX_CANDIDATES = 10;
const MAX_PAIRS = 12;

function where(c: { address: string; port: number }): string {
  // Chrome's stats leave out an address known by an mDNS name; the log did not name this one.
  if (c.address === "") return `(address hidden):${c.port}`;
  return c.address.includes(":") ? `[${c.address}]:${c.port}` : `${c.address}:${c.port}`;
}

function addressClass(c: CandidateFact, color: ChalkInstance): string {
  return isLocalOnly(c.addressClass) || c.addressClass === "mdns" || c.addressClass === "hidden" ? color.yellow(c.addressClass) : c.addressClass;
}

function candidateLine(c: CandidateFact, note: string, color: ChalkInstance): string {
  const related = c.relatedAddress ? color.gray(` from ${where({ address: c.relatedAddress, port: c.relatedPort ?? 0 })}`) : "";
  const proto = `${c.protocol}${c.tcpType ? ` ${c.tcpType}` : ""}`;
  return `${c.type.padEnd(5)} ${proto} ${where(c)}  ${addressClass(c, color)}${related}${note ? color.gray(`  (${note})`) : ""}`;
}

const key = (k: CandidateFact) => `${k.type} ${k.protocol} ${k.address} ${k.port} ${k.component}`;

/**
 * Candidates our browser found that nothing shows were sent (a dump of one browser cannot see its
 * signalling): listed apart, so the description's own count is not mistaken for what was sent.
 */
function gatheredLines(session: SessionFact, c: ChalkInstance): string[] {
  const shown = new Set([...(session.local?.candidates ?? []), ...(session.trickled?.local ?? [])].map(key));
  const rest = (session.gathered ?? []).filter((k) => !shown.has(key(k)));
  if (rest.length === 0) return [];
  const out = [c.gray(`      found by the browser afterwards, not seen to reach the far side: ${rest.length}`)];
  for (const k of rest.slice(0, MAX_CANDIDATES)) out.push(`      ${candidateLine(k, "found", c)}`);
  if (rest.length > MAX_CANDIDATES) out.push(c.gray(`      ... ${rest.length - MAX_CANDIDATES} more in the JSON report`));
  return out;
}

function label(session: SessionFact, side: Side): string {
  const type = session[side]?.type;
  if (side === "local") return type ? `Our ${type}` : "Our side";
  return type ? `Far side's ${type}` : "Far side";
}

function yesNo(name: string, value: boolean): string {
  return `${name} ${value ? "yes" : "no"}`;
}

function sideLines(session: SessionFact, side: Side, c: ChalkInstance): string[] {
  const sdp = session[side];
  const trickled = session.trickled?.[side] ?? [];
  const found = side === "local" ? gatheredLines(session, c) : [];
  if (!sdp && trickled.length === 0 && found.length === 0) return [];
  // A browser's dump logs each candidate as trickled even when the description taken later carries it too.
  const inDescription = new Set((sdp?.candidates ?? []).map(key));
  const all = [
    ...(sdp?.candidates ?? []).map((k) => ({ k, trickled: false })),
    ...trickled.filter((k) => !inDescription.has(key(k))).map((k) => ({ k, trickled: true })),
  ];
  const byType = TYPES.filter((t) => t !== "prflx" || all.some(({ k }) => k.type === t)).map((t) => `${t} ${all.filter(({ k }) => k.type === t).length}`);
  const count = all.length === 0 ? c.red("no candidates") : `${all.length} candidate${all.length === 1 ? "" : "s"}`;
  const flags = sdp
    ? [yesNo("ice-lite", sdp.iceLite), yesNo("end-of-candidates", sdp.endOfCandidates), yesNo("trickle", sdp.trickle)].join(", ")
    : "no description, only trickled candidates";
  const out = [`  ${label(session, side)}: ${count} (${byType.join(", ")}); ${flags}`];
  // Grouped by type, so the missing srflx/relay stands out next to the host candidates.
  const sorted = TYPES.flatMap((t) => all.filter(({ k }) => k.type === t));
  for (const { k, trickled: late } of sorted.slice(0, MAX_CANDIDATES)) out.push(`      ${candidateLine(k, late ? "trickled" : "", c)}`);
  if (sorted.length > MAX_CANDIDATES) out.push(c.gray(`      ... ${sorted.length - MAX_CANDIDATES} more in the JSON report`));
  if (session.trickled?.[side] !== undefined && trickled.length === 0 && sdp) out.push(c.gray("      no candidate trickled after the description"));
  out.push(...found);
  return out;
}

function pairEnd(p: CandidateFact): string {
  return `${p.type} ${p.protocol}${p.relayProtocol ? `/${p.relayProtocol}` : ""} ${where(p)} (${p.addressClass})`;
}

function pairLine(p: CandidatePairFact, c: ChalkInstance): string {
  const counts = [
    p.requestsSent !== undefined ? `${p.requestsSent} sent` : "",
    p.responsesReceived !== undefined ? `${p.responsesReceived} answered` : "",
    p.requestsReceived !== undefined ? `${p.requestsReceived} received` : "",
  ].filter(Boolean);
  const state = p.state === "succeeded" ? c.green(p.state) : p.state === "failed" ? c.red(p.state) : p.state;
  const status = [state, p.nominated ? "nominated" : "", p.selected ? "selected" : ""].filter(Boolean).join(", ");
  return `${p.selected ? "*" : " "} ${pairEnd(p.local)} -> ${pairEnd(p.remote)}  ${status}${counts.length ? `; checks ${counts.join(" / ")}` : ""}`;
}

const PICKED: Record<NonNullable<NonNullable<Report["explain"]>["peerConnection"]>["reason"], string> = {
  named: "as named by {option:peerConnection}",
  "not-connected": "picked: it exchanged descriptions but never connected",
  "last-with-remote": "picked: the last that exchanged descriptions (all of them connected)",
  last: "picked: the last (none exchanged descriptions)",
};

/** Which connection of a webrtc-internals dump this is, and the others it holds. */
function peerConnectionLines(report: Report, c: ChalkInstance): string[] {
  const pc = report.explain?.peerConnection;
  // A dump with one connection leaves nothing to choose; the JSON report names it all the same.
  if (!pc || pc.others.length === 0) return [];
  const out = [`  Peer connection ${pc.id}${pc.url ? c.gray(` ${pc.url}`) : ""}  ${c.gray(PICKED[pc.reason])}`];
  if (pc.others.length > 0) {
    const state = (o: (typeof pc.others)[number]) => (o.connected ? "connected" : o.remoteDescription ? (o.lastIceState ?? "not connected") : "no remote description");
    out.push(c.gray(`  Also in the dump: ${pc.others.map((o) => `${o.id} (${state(o)})`).join(", ")}; choose one by its id with {option:peerConnection}`));
  }
  return out;
}

/**
 * What each side announced and what ICE did with it, for captures read by `explain`. A real attempt
 * (source "connectivity") is shown by the connections section instead, next to its timings.
 */
export function renderSession(report: Report, c: ChalkInstance): string[] {
  const session = report.session;
  if (!session || session.source === "connectivity") return [];
  const out = [c.bold("Session") + c.gray(`  ${SOURCE[session.source]}`)];
  out.push(...peerConnectionLines(report, c));
  out.push(...sideLines(session, "local", c), ...sideLines(session, "remote", c));
  if (session.iceStates?.length) out.push(`  ICE states: ${session.iceStates.join(" -> ")}`);
  if (session.media) out.push(...mediaLines(session.media).map((line) => `  ${line}`));
  for (const e of session.candidateErrors ?? []) {
    out.push(c.yellow(`  icecandidateerror ${e.errorCode}${e.errorText ? ` ${e.errorText}` : ""}${e.url ? ` (${e.url})` : ""}`));
  }
  const pairs = session.pairs ?? [];
  if (pairs.length > 0) {
    out.push(`  Candidate pairs (${pairs.length})`);
    for (const p of pairs.slice(0, MAX_PAIRS)) out.push(`    ${pairLine(p, c)}`);
    if (pairs.length > MAX_PAIRS) out.push(c.gray(`    ... ${pairs.length - MAX_PAIRS} more in the JSON report`));
  }
  return out;
}
