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
