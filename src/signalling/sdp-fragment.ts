/** A candidate line of an application/trickle-ice-sdpfrag body, with the m-section it belongs to. */
export interface FragmentCandidate {
  candidate: string;
  sdpMid?: string;
  sdpMLineIndex: number;
}

/** Candidate lines of an application/trickle-ice-sdpfrag body (RFC 8840), each with its m-section. */
export function candidatesFromFragment(fragment: string): FragmentCandidate[] {
  const out: FragmentCandidate[] = [];
  let mid: string | undefined;
  let index = -1;
  for (const line of fragment.split(/\r?\n/)) {
    if (line.startsWith("m=")) index += 1;
    else if (line.startsWith("a=mid:")) mid = line.slice(6).trim();
    else if (line.startsWith("a=candidate:")) out.push({ candidate: line.slice(2).trim(), ...(mid !== undefined ? { sdpMid: mid } : {}), sdpMLineIndex: Math.max(0, index) });
  }
  return out;
}

/** The ICE part of an sdpfrag body (or of an SDP): credentials and candidate lines. */
export function readSdpFragment(text: string): { ufrag?: string; pwd?: string; candidates: string[]; end: boolean } {
  const ufrag = /^a=ice-ufrag:(\S+)/m.exec(text)?.[1];
  const pwd = /^a=ice-pwd:(\S+)/m.exec(text)?.[1];
  const candidates = candidatesFromFragment(text).map((c) => c.candidate);
  const end = /^a=end-of-candidates\s*$/m.test(text);
  return { ...(ufrag ? { ufrag } : {}), ...(pwd ? { pwd } : {}), candidates, end };
}
