import type { CandidateType } from "../facts/candidates.js";

/**
 * Keeps only the a=candidate lines of the given types. The loopback attempts use it to restrict
 * each path: both peers learn only the other's srflx (or host) candidates, so a success proves that path.
 */
export function keepCandidateTypes(sdp: string, types: readonly CandidateType[]): string {
  const eol = sdp.includes("\r\n") ? "\r\n" : "\n";
  return sdp
    .split(/\r?\n/)
    .filter((line) => {
      if (!line.startsWith("a=candidate:")) return true;
      const type = / typ (\w+)/.exec(line)?.[1];
      return type !== undefined && (types as readonly string[]).includes(type);
    })
    .join(eol);
}

/** At most this many of the far side's candidates of one type, and in all, are handed to werift. */
export const MAX_REMOTE_CANDIDATES_PER_TYPE = 32;
export const MAX_REMOTE_CANDIDATES = 64;

/**
 * Keeps the first candidates of each type, up to the bounds, in the order the far side listed them
 * (its priority order). werift's setRemoteDescription is roughly quadratic in the candidates it is
 * given (30 s for 20,000), and no browser would check that many pairs either.
 */
export function capCandidates(
  sdp: string,
  perType = MAX_REMOTE_CANDIDATES_PER_TYPE,
  total = MAX_REMOTE_CANDIDATES,
): { sdp: string; received: number; kept: number } {
  const eol = sdp.includes("\r\n") ? "\r\n" : "\n";
  const byType = new Map<string, number>();
  let received = 0;
  let kept = 0;
  const lines = sdp.split(/\r?\n/).filter((line) => {
    if (!line.startsWith("a=candidate:")) return true;
    received += 1;
    const type = / typ (\w+)/.exec(line)?.[1] ?? "";
    const ofType = byType.get(type) ?? 0;
    if (ofType >= perType || kept >= total) return false;
    byType.set(type, ofType + 1);
    kept += 1;
    return true;
  });
  return { sdp: received === kept ? sdp : lines.join(eol), received, kept };
}
