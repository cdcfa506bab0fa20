import type { Finding } from "../rules/types.js";

/**
 * Which tested item a finding belongs to: the first evidence path that names one (/servers/2,
 * /nat/tests/1, /connectivity/0, /expectations/3). Findings that name none stand on their own.
 */
export function attachFindings(findings: readonly Finding[]): { byItem: Map<string, Finding[]>; unattached: Finding[] } {
  const byItem = new Map<string, Finding[]>();
  const unattached: Finding[] = [];
  for (const finding of findings) {
    const key = finding.evidence.map((e) => itemKey(e.path)).find((k) => k !== undefined);
    if (key === undefined) unattached.push(finding);
    else byItem.set(key, [...(byItem.get(key) ?? []), finding]);
  }
  return { byItem, unattached };
}

/** "/servers/2/error" -> "servers/2"; "/nat/tests/1" -> "nat/tests/1". */
export function itemKey(path: string | undefined): string | undefined {
  const match = /^\/(servers|connectivity|expectations)\/(\d+)(?:\/|$)|^\/nat\/tests\/(\d+)(?:\/|$)/.exec(path ?? "");
  if (!match) return undefined;
  return match[1] ? `${match[1]}/${match[2]}` : `nat/tests/${match[3]}`;
}
