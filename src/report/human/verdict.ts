import type { ChalkInstance } from "chalk";
import type { Report } from "../types.js";
import type { PeerProfile, Reach } from "../../diagnose/verdict-types.js";

const PEER: Record<PeerProfile, string> = {
  open: "a peer on an open network",
  "cone-nat": "a peer behind a cone NAT",
  "symmetric-nat": "a peer behind a symmetric NAT",
  "udp-blocked": "a peer behind a UDP-blocking firewall",
};

const SIDE: Record<string, string> = {
  open: "no NAT",
  "cone-nat": "a cone NAT",
  "symmetric-nat": "a symmetric NAT",
  "udp-blocked": "UDP blocked",
  unknown: "NAT behaviour unknown",
};

function reach(r: Reach, c: ChalkInstance): string {
  if (r === "direct") return c.green("direct ");
  if (r === "relay") return c.yellow("relay  ");
  if (r === "none") return c.red("none   ");
  return c.gray("unknown");
}

export function renderVerdict(report: Report, c: ChalkInstance): string[] {
  const v = report.verdict;
  if (!v) return [];
  const relays = v.relays.length > 0 ? `relays: ${v.relays.join(", ")}` : "no working relay";
  const out = [c.bold("Verdict") + c.gray(`  this network: ${SIDE[v.thisSide] ?? v.thisSide}; ${relays}`)];
  const width = Math.max(...Object.values(PEER).map((p) => p.length));
  for (const cell of v.cells) out.push(`  ${PEER[cell.peer].padEnd(width)}  ${reach(cell.reach, c)}  ${c.gray(cell.reason)}`);
  return out;
}
