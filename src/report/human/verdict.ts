import type { ChalkInstance } from "chalk";
import type { Report } from "../types.js";
import type { Reach } from "../../diagnose/verdict-types.js";
import { NETWORK_LABEL, PEER_NETWORK_LABEL } from "../../labels/nat.js";

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
  const out = [c.bold("Verdict") + c.gray(`  this network: ${NETWORK_LABEL[v.thisSide] ?? v.thisSide}; ${relays}`)];
  const width = Math.max(...Object.values(PEER_NETWORK_LABEL).map((p) => p.length));
  for (const cell of v.cells) out.push(`  ${PEER_NETWORK_LABEL[cell.peer].padEnd(width)}  ${reach(cell.reach, c)}  ${c.gray(cell.reason)}`);
  return out;
}
