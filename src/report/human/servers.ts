import type { ChalkInstance } from "chalk";
import type { Report } from "../types.js";
import type { ServerFact } from "../../facts/index.js";
import { addr, marks, ms } from "./style.js";
import { detailOf } from "../../facts/probe-error.js";

function outcome(s: ServerFact, c: ChalkInstance): string {
  if (!s.ok) {
    const e = s.error;
    const code = e?.stunErrorCode !== undefined ? c.gray(` (STUN ${e.stunErrorCode}${e.stunReason ? ` ${e.stunReason}` : ""})`) : "";
    return c.red(detailOf(e) ?? "failed") + code;
  }
  const parts = [ms(s.rttMs)];
  if (s.relayedAddress) {
    const narrow = s.relayedAddressClass !== undefined && s.relayedAddressClass !== "public" && s.relayedAddressClass !== s.remoteAddressClass;
    parts.push(`relay ${addr(s.relayedAddress)}${narrow ? c.red(` (${s.relayedAddressClass})`) : ""}`);
  }
  if (s.mappedAddress) parts.push(`mapped ${addr(s.mappedAddress)}`);
  if (s.retransmissions) parts.push(c.yellow(`${s.retransmissions} retransmission${s.retransmissions > 1 ? "s" : ""}`));
  return parts.filter(Boolean).join("  ");
}

function details(s: ServerFact, c: ChalkInstance): string[] {
  const lines: string[] = [];
  if (s.dns?.resolved) {
    const addresses = [...s.dns.ipv4, ...s.dns.ipv6];
    lines.push(`DNS ${s.dns.ok ? addresses.join(", ") || "no address" : c.red("failed")} (${ms(s.dns.durationMs)})`);
  }
  if (s.tls) {
    const t = s.tls;
    const verdict = t.chainVerified && t.hostnameMatches ? c.green("verifies") : c.red(`does not verify${t.verifyError ? `: ${t.verifyError}` : ""}${t.hostnameMatches ? "" : ", wrong host name"}`);
    lines.push(`TLS ${t.protocol ?? ""} cert ${t.subject ?? "?"} by ${t.issuer ?? "?"}, until ${t.validTo ?? "?"}${t.daysRemaining !== undefined ? ` (${t.daysRemaining} days)` : ""}, ${verdict}`);
  }
  if (s.restCredential) {
    const r = s.restCredential;
    const when = r.remainingSec > 0 ? `in ${r.remainingSec} s` : c.red(`${-r.remainingSec} s before the probe`);
    const shape = [
      r.order === "user-first" ? "user first" : "",
      r.unit === "milliseconds" ? "expiry in milliseconds" : "",
      r.coturnAcceptsExpiry === false && r.remainingSec > 0 ? "coturn reads an expiry in the past" : "",
    ].filter(Boolean);
    const odd = shape.length > 0 ? c.red(`, ${shape.join(", ")}`) : "";
    lines.push(`TURN REST credentials${r.minted ? " (minted from {option:turnSecret})" : ""} expire ${r.expiresAt} (${when})${odd}`);
  }
  if (s.allocation && !s.allocation.released) lines.push(c.yellow(`allocation not released: ${s.allocation.releaseError ?? "unknown"}`));
  for (const p of s.peerPermissions ?? []) {
    if (!p.allowed) lines.push(c.yellow(`refuses to relay to ${p.peerClass} peers (${p.address}: ${p.stunErrorCode ?? "error"}${p.stunReason ? ` ${p.stunReason}` : ""})`));
  }
  const other = s.otherFamilyAllocation;
  if (other) lines.push(`asked for an IPv${other.family} relay instead: ${other.allocated ? `granted${other.relayedAddress ? ` (${addr(other.relayedAddress)})` : ""}` : `refused${other.stunErrorCode ? ` (${other.stunErrorCode})` : ""}`}`);
  if (s.otherAddress) lines.push(`RFC 5780: other address ${addr(s.otherAddress)}`);
  return lines;
}

export function renderServers(report: Report, c: ChalkInstance): string[] {
  // explain contacts no server: "none" would read as "none configured", which the capture cannot tell.
  if (report.explain && report.servers.length === 0) return [];
  const m = marks(c);
  const out = [c.bold(`ICE servers${report.config.usedDefaultServers ? c.gray(" (built-in public STUN list; give yours with {option:stun}/{option:turn}/{option:iceServers})") : ""}`)];
  if (report.servers.length === 0) out.push(`  ${m.skip} none`);
  const width = Math.min(60, Math.max(...report.servers.map((s) => s.url.length), 10));
  for (const s of report.servers) {
    out.push(`  ${s.ok ? m.ok : m.fail} ${s.url.padEnd(width)}  ${s.transport.toUpperCase().padEnd(3)}  ${outcome(s, c)}`);
    for (const line of details(s, c)) out.push(c.gray(`      ${line}`));
  }
  return out;
}
