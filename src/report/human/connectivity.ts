import type { ChalkInstance } from "chalk";
import type { Report } from "../types.js";
import type { ConnectivityFact } from "../../facts/index.js";
import type { CandidateFact, CandidatePairFact, SdpFact } from "../../facts/index.js";
import { marks, ms } from "./style.js";
import { detailOf } from "../../facts/probe-error.js";
import { notAttemptedWords } from "../connectivity-words.js";
import { dtlsLine, mediaLines } from "../media-lines.js";
import { restartOk, restartSummary } from "../restart-text.js";
import { qualityWords } from "../quality-words.js";

const LABEL: Record<ConnectivityFact["mode"], string> = {
  "loopback-host": "loopback host",
  "loopback-srflx": "loopback srflx",
  "loopback-relay": "loopback relay",
  remote: "remote",
};

function end(c: CandidateFact): string {
  const address = c.address.includes(":") ? `[${c.address}]:${c.port}` : `${c.address}:${c.port}`;
  return `${c.type} ${c.protocol}${c.relayProtocol ? `/${c.relayProtocol}` : ""} ${address}`;
}

function outcome(f: ConnectivityFact, c: ChalkInstance): string {
  if (f.ok) {
    const parts = [`connected ${ms(f.timeToConnectedMs)}`, `data channel ${ms(f.timeToDataChannelMs)}`];
    if (f.rttMs !== undefined) parts.push(`echo RTT ${ms(f.rttMs)}`);
    else if (f.echo) parts.push(c.yellow(`no echo (${f.echo.received}/${f.echo.sent})`));
    return parts.join(", ");
  }
  if (f.notAttempted) return c.gray(notAttemptedWords(f.notAttempted));
  const stalled = f.stalledIn ? `stalled in ${f.stalledIn}` : "failed";
  return c.red(f.error ? `${stalled}: ${detailOf(f.error)}` : stalled);
}

function pairLine(p: CandidatePairFact): string {
  const mark = p.selected ? "*" : " ";
  return `${mark} ${end(p.local)} -> ${end(p.remote)}  ${p.state}, ${p.requestsSent ?? 0} sent / ${p.responsesReceived ?? 0} answered`;
}

function sdpLine(label: string, sdp: SdpFact | undefined): string | undefined {
  if (!sdp) return undefined;
  const n = sdp.counts;
  const classes = [...new Set(sdp.candidates.map((k) => k.addressClass))].join(", ");
  const flags = [sdp.iceLite ? "ice-lite" : "", sdp.endOfCandidates ? "end-of-candidates" : "", sdp.trickle ? "trickle" : ""].filter(Boolean).join(", ");
  return `${label}: ${sdp.candidates.length} candidate${sdp.candidates.length === 1 ? "" : "s"} (host ${n.host}, srflx ${n.srflx}, relay ${n.relay})${classes ? ` [${classes}]` : ""}${flags ? `; ${flags}` : ""}`;
}

/** What our TURN server answered about each far-side address, after the remote attempt. */
function permissionLines(report: Report, c: ChalkInstance): string[] {
  return (report.farSidePermissions ?? []).map((p) => {
    if (!p.ok) return `relay permissions via ${p.url}: ${c.yellow(detailOf(p.error) ?? "not asked")}`;
    const answers = p.peers.map((peer) => (peer.allowed ? `${peer.address} allowed` : c.red(`${peer.address} refused (${peer.stunErrorCode ?? "error"}${peer.stunReason ? ` ${peer.stunReason}` : ""})`)));
    return `relay permissions via ${p.url} for the far side: ${answers.join(", ") || "no answer"}`;
  });
}

function details(f: ConnectivityFact, c: ChalkInstance, report: Report): string[] {
  const lines: string[] = [];
  const sig = f.signalling;
  if (sig) {
    lines.push(`${sig.protocol.toUpperCase()}${sig.detectedBy ? ` (${sig.detectedBy})` : ""}${sig.trickle ? ", trickle" : ""}`);
    for (const e of sig.exchanges) lines.push(`${e.method} ${e.url} -> ${e.status ?? e.error ?? "no response"} ${ms(e.durationMs)}`);
    const offer = sdpLine("offer", sig.offer);
    const answer = sdpLine("answer", sig.answer);
    if (offer) lines.push(offer + (sig.gatheringTimedOut ? c.yellow(" (sent before gathering completed)") : ""));
    if (answer) lines.push(answer);
    if (sig.trickledCandidates) lines.push(`${sig.trickledCandidates} candidate${sig.trickledCandidates === 1 ? "" : "s"} trickled after the offer`);
  }
  if (f.mode === "remote") lines.push(...permissionLines(report, c));
  if (f.restart) lines.push(restartOk(f.restart) ? restartSummary(f.restart) : c.yellow(restartSummary(f.restart)));
  if (f.selectedPair) lines.push(`selected ${end(f.selectedPair.local)} -> ${end(f.selectedPair.remote)}`);
  if (f.dtls) lines.push(f.dtls.state === "connected" ? dtlsLine(f.dtls) : c.red(dtlsLine(f.dtls)));
  if (f.media && (f.media.sent.packets > 0 || f.ok)) lines.push(...mediaLines(f.media));
  if (f.quality) lines.push(qualityWords(f.quality));
  if (!f.ok && f.iceStates.length) lines.push(`ICE ${f.iceStates.map((s) => `${s.state}@${ms(s.atMs)}`).join(" -> ")}`);
  // The pair table is the evidence for a stall; for a success the selected pair says enough.
  if (!f.ok) for (const p of f.pairs.slice(0, 12)) lines.push(pairLine(p));
  const hidden = [
    ...(f.pairs.length > 12 ? [`${f.pairs.length - 12} more pairs in the JSON report`] : []),
    ...(f.pairsOmitted ? [`${f.pairsOmitted.count} more counted, not listed`] : []),
  ];
  if (!f.ok && hidden.length > 0) lines.push(`... ${hidden.join("; ")}`);
  return lines;
}

export function renderConnectivity(report: Report, c: ChalkInstance): string[] {
  const attempts = report.connectivity ?? [];
  if (attempts.length === 0) return [];
  const m = marks(c);
  const out = [c.bold("Connections (ICE, DTLS, data channel, echo)")];
  for (const f of attempts) {
    out.push(`  ${f.ok ? m.ok : f.notAttempted ? c.gray("-") : m.fail} ${LABEL[f.mode]}${f.via ? ` via ${f.via}` : ""}  ${outcome(f, c)}`);
    for (const line of details(f, c, report)) out.push(c.gray(`      ${line}`));
  }
  return out;
}
