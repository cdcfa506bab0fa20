import type { ChalkInstance } from "chalk";
import type { Report } from "../types.js";
import type { NatFact } from "../../facts/nat.js";
import { CLASSIC_NAT_LABEL } from "../../labels/nat.js";
import { addr, ms } from "./style.js";
import { natReasonWords } from "../../rules/nat-reasons.js";

const METHOD: Record<NatFact["method"], string> = {
  rfc5780: "RFC 5780 tests",
  "multi-server": "mapped ports from several servers",
  none: "no usable server",
};

function yesNo(value: boolean | undefined): string {
  return value === undefined ? "unknown" : value ? "yes" : "no";
}

export function renderNat(report: Report, c: ChalkInstance): string[] {
  const nat = report.nat;
  if (!nat) return [];
  const label = nat.classic === "symmetric" || nat.classic === "udp-blocked" ? c.yellow(CLASSIC_NAT_LABEL[nat.classic]) : c.green(CLASSIC_NAT_LABEL[nat.classic]);
  const out = [c.bold("NAT behaviour") + c.gray(`  ${METHOD[nat.method]}, ${ms(nat.durationMs)}`)];
  out.push(`  ${label}   mapping ${nat.mapping}, filtering ${nat.filtering}`);
  const where = [
    nat.publicAddress ? `public ${addr(nat.publicAddress)}` : "",
    nat.localAddress ? `local ${addr(nat.localAddress)}` : "",
    `port preserved ${yesNo(nat.portPreserving)}`,
    `hairpinning ${yesNo(nat.hairpinning)}`,
    nat.bindingLifetimeSec !== undefined ? `binding lifetime ≥ ${nat.bindingLifetimeSec} s` : "",
  ].filter(Boolean);
  out.push(c.gray(`      ${where.join("  ·  ")}`));
  for (const words of natReasonWords(nat)) out.push(c.gray(`      ${words}`));
  for (const t of nat.tests) {
    const change = t.changeRequest && (t.changeRequest.ip || t.changeRequest.port) ? ` (change ${[t.changeRequest.ip ? "ip" : "", t.changeRequest.port ? "port" : ""].filter(Boolean).join("+")})` : "";
    const tries = `${t.attempts} ${t.attempts === 1 ? "try" : "tries"}`;
    const answer = t.responseFrom ? `answer from ${addr(t.responseFrom)}${t.mappedAddress ? `, mapped ${addr(t.mappedAddress)}` : ""}` : t.icmp ? `refused after ${tries}` : `no answer after ${tries}`;
    out.push(c.gray(`      · ${t.name}: to ${addr(t.sentTo)}${change} → ${answer}: ${t.result}`));
  }
  return out;
}
