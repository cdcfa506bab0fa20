import { shownValue } from "../config/json-input.js";
import sdpTransform from "sdp-transform";
import type { CandidateFact, CandidateType } from "../facts/candidates.js";
import type { SdpFact, SdpMediaFact } from "../facts/sdp.js";
import { classifyAddress, familyOf } from "../net/address-class.js";
import { SdpError } from "./errors.js";

type ParsedCandidate = NonNullable<sdpTransform.MediaAttributes["candidates"]>[number];

const TYPES = new Set<string>(["host", "srflx", "prflx", "relay"]);
const DIRECTIONS = new Set<string>(["sendrecv", "recvonly", "sendonly", "inactive"]);
const LINE = /^[a-z]=/;

/**
 * sdp-transform accepts almost anything and returns whatever it recognised, so the checks that
 * make an input a session description at all (v=0 first, known line syntax, an m= section) live
 * here, each with a message that says which line is wrong.
 */
function validate(sdp: string): string[] {
  const lines = sdp.split(/\r\n|\r|\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new SdpError("SDP: the input is empty");
  if (lines[0]?.trim() !== "v=0") throw new SdpError(`SDP: must start with 'v=0', not '${(lines[0] ?? "").slice(0, 40)}'`);
  const bad = lines.findIndex((l) => !LINE.test(l));
  if (bad >= 0) throw new SdpError(`SDP: line ${bad + 1} is not '<letter>=<value>': '${(lines[bad] ?? "").slice(0, 60)}'`);
  if (!lines.some((l) => l.startsWith("m="))) throw new SdpError("SDP: no media section (m= line); a WebRTC description has at least one");
  return lines;
}

/** One candidate value as RFC 8839 defines it, from sdp-transform's parse. */
function toCandidate(c: ParsedCandidate, mid: string | undefined): CandidateFact {
  // sdp-transform turns any field that looks numeric into a number ("0.1" as an address, "123" as
  // a type): every field is read back as the text it was.
  const ip = String(c.ip);
  const type = String(c.type).toLowerCase();
  const protocol = String(c.transport).toLowerCase();
  if (!TYPES.has(type)) throw new SdpError(`SDP: candidate '${shownValue(String(c.foundation))}' has unknown type '${shownValue(String(c.type))}'`);
  if (protocol !== "udp" && protocol !== "tcp") throw new SdpError(`SDP: candidate '${shownValue(String(c.foundation))}' has unknown transport '${shownValue(String(c.transport))}'`);
  const family = familyOf(ip);
  const tcpType = c.tcptype === undefined ? undefined : String(c.tcptype).toLowerCase();
  return {
    type: type as CandidateType,
    protocol,
    address: ip,
    port: Number(c.port),
    component: Number(c.component),
    ...(tcpType === "active" || tcpType === "passive" || tcpType === "so" ? { tcpType } : {}),
    ...(c.raddr !== undefined ? { relatedAddress: String(c.raddr) } : {}),
    ...(c.rport !== undefined ? { relatedPort: Number(c.rport) } : {}),
    addressClass: classifyAddress(ip),
    ...(family ? { family } : {}),
    ...(mid !== undefined ? { mid } : {}),
  };
}

/** The key under which BUNDLE's repeated candidates collapse into one. */
function candidateKey(c: CandidateFact): string {
  return `${c.component}/${c.type}/${c.protocol}/${c.address}/${c.port}/${c.tcpType ?? ""}`;
}

/**
 * Reduces a session description to the facts that decide ICE: candidates and where they point,
 * whether more will be trickled, ICE/DTLS parameters present. Pure; throws SdpError on input that
 * is not an SDP. Never keeps ice-pwd or fingerprints, which are credentials of the session.
 */
export function analyseSdp(sdp: string, type?: SdpFact["type"]): SdpFact {
  validate(sdp);
  let parsed: sdpTransform.SessionDescription;
  try {
    parsed = sdpTransform.parse(sdp);
  } catch (error) {
    throw new SdpError(`SDP: cannot be parsed (${(error as Error).message})`);
  }
  const candidates = new Map<string, CandidateFact>();
  const media: SdpMediaFact[] = [];
  let endOfCandidates = false;
  let iceUfrag = parsed.iceUfrag !== undefined;
  let fingerprint = parsed.fingerprint !== undefined;
  let setup = parsed.setup;
  let trickle = hasOption(parsed.iceOptions, "trickle");

  for (const m of parsed.media ?? []) {
    const mid = m.mid === undefined ? undefined : String(m.mid);
    const own = (m.candidates ?? []).map((c) => toCandidate(c, mid));
    for (const c of own) if (!candidates.has(candidateKey(c))) candidates.set(candidateKey(c), c);
    endOfCandidates ||= m.endOfCandidates !== undefined;
    iceUfrag ||= m.iceUfrag !== undefined;
    fingerprint ||= m.fingerprint !== undefined;
    setup ??= m.setup;
    trickle ||= hasOption(m.iceOptions, "trickle");
    media.push({
      kind: m.type,
      ...(mid !== undefined ? { mid } : {}),
      ...(m.direction && DIRECTIONS.has(m.direction) ? { direction: m.direction } : {}),
      port: Number(m.port),
      protocol: m.protocol,
      candidates: own.length,
    });
  }

  const list = [...candidates.values()];
  const count = (t: CandidateType) => list.filter((c) => c.type === t).length;
  const mids = media.map((m) => m.mid).filter((m): m is string => m !== undefined);
  const bundled = new Set((parsed.groups ?? []).filter((g) => g.type === "BUNDLE").flatMap((g) => String(g.mids).split(" ")));
  return {
    ...(type ? { type } : {}),
    candidates: list,
    counts: { host: count("host"), srflx: count("srflx"), prflx: count("prflx"), relay: count("relay") },
    iceLite: parsed.icelite !== undefined,
    endOfCandidates,
    trickle,
    iceUfrag,
    media,
    dataChannel: (parsed.media ?? []).some((m) => m.type === "application" && /SCTP/i.test(m.protocol)),
    ...(setup !== undefined ? { setup } : {}),
    fingerprint,
    bundle: mids.length > 0 && mids.length === media.length && mids.every((m) => bundled.has(m)),
  };
}

function hasOption(options: string | undefined, option: string): boolean {
  return options !== undefined && options.split(/\s+/).includes(option);
}

/**
 * One trickled candidate ("candidate:..." or "a=candidate:..."), as signalling or a
 * webrtc-internals dump carries it. An empty string is the end-of-candidates marker: undefined.
 */
export function analyseCandidateLine(line: string, mid?: string): CandidateFact | undefined {
  const value = line.trim().replace(/^a=/, "");
  if (value === "") return undefined;
  if (!value.startsWith("candidate:")) throw new SdpError(`candidate: expected 'candidate:...', got '${value.slice(0, 40)}'`);
  const media = sdpTransform.parse(`v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=${value}\r\n`).media[0];
  const parsed = media?.candidates?.[0];
  if (!parsed) throw new SdpError(`candidate: cannot be parsed: '${value.slice(0, 60)}'`);
  return toCandidate(parsed, mid);
}
