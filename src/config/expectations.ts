import type { ClassicNatType } from "../facts/nat.js";
import { shownValue } from "./json-input.js";
import { CLASSIC_NAT_TYPES } from "../labels/nat.js";
import { ConfigError } from "./errors.js";

export type RelayTransport = "udp" | "tcp" | "tls";

/** What a CI job can assert about a run; each unmet one is an error finding (expectation-failed). */
export type Expectation =
  | { kind: "relay"; transport?: RelayTransport; text: string }
  | { kind: "srflx"; text: string }
  | { kind: "nat"; classic: Exclude<ClassicNatType, "unknown">; negated: boolean; text: string }
  | { kind: "connect"; mode: "remote" | "loopback"; text: string }
  | { kind: "rtt"; maxMs: number; text: string }
  | { kind: "loss"; maxPercent: number; text: string }
  | { kind: "mos"; min: number; text: string }
  | { kind: "jitter"; maxMs: number; text: string }
  | { kind: "bitrate"; minKbps: number; text: string }
  | { kind: "media"; direction: MediaDirection; text: string }
  /** The remote attempt survived an ICE restart through the signalling (needs the restart option). */
  | { kind: "restart"; text: string };

/** Audio through the remote peer: both ways, or only rtc-doctor's to the far side, or only the far side's to rtc-doctor. */
export type MediaDirection = "both" | "send" | "receive";

export type QualityExpectation = Extract<Expectation, { kind: "loss" | "mos" | "jitter" | "bitrate" }>;

export const EXPECTATION_SYNTAX =
  "relay, relay:udp, relay:tcp, relay:tls, srflx, nat:<type> or nat:!<type> " +
  `(type: ${CLASSIC_NAT_TYPES.join(", ")}), connect:remote, connect:loopback, rtt<MS, loss<PERCENT, mos>N, jitter<MS, bitrate>N[k|M], media:both, media:send, media:receive, restart`;

const NUMBER = "(\\d+(?:\\.\\d+)?)";

/** loss<2, mos>3.5, jitter<30, bitrate>500k: the quality flood's figures (see QualityFact). */
function parseQuality(text: string, fail: (why: string) => never): QualityExpectation | undefined {
  const loss = new RegExp(`^loss\\s*<\\s*${NUMBER}\\s*%?$`).exec(text);
  if (loss) {
    const maxPercent = Number(loss[1]);
    if (maxPercent <= 0 || maxPercent > 100) fail("the loss bound must be above 0 and at most 100 (percent)");
    return { kind: "loss", maxPercent, text: `loss<${maxPercent}` };
  }
  const mos = new RegExp(`^mos\\s*>\\s*${NUMBER}$`).exec(text);
  if (mos) {
    const min = Number(mos[1]);
    if (min < 1 || min >= 4.5) fail("the MOS bound must be from 1 to below 4.5 (the E-model's best is about 4.4)");
    return { kind: "mos", min, text: `mos>${min}` };
  }
  const jitter = new RegExp(`^jitter\\s*<\\s*${NUMBER}\\s*(ms)?$`).exec(text);
  if (jitter) {
    const maxMs = Number(jitter[1]);
    if (maxMs <= 0 || maxMs > 10_000) fail("the jitter bound must be above 0 and at most 10000 ms");
    return { kind: "jitter", maxMs, text: `jitter<${maxMs}` };
  }
  const bitrate = new RegExp(`^bitrate\\s*>\\s*${NUMBER}\\s*(k|m)?(?:bit/s|bps)?$`).exec(text);
  if (bitrate) {
    const unit = bitrate[2] === "m" ? 1000 : bitrate[2] === "k" ? 1 : 0.001;
    const minKbps = Number(bitrate[1]) * unit;
    if (minKbps <= 0 || minKbps > 1_000_000) fail("the bitrate bound must be above 0 and at most 1000M");
    return { kind: "bitrate", minKbps, text: `bitrate>${minKbps >= 1000 && minKbps % 1000 === 0 ? `${minKbps / 1000}m` : `${minKbps}k`}` };
  }
  if (/^(loss|mos|jitter|bitrate)/.test(text)) fail("write quality bounds as loss<PERCENT, mos>N, jitter<MS or bitrate>N[k|M], e.g. loss<2, mos>3.5, jitter<30, bitrate>500k");
  return undefined;
}

/** Parses one expectation; `what` names where it came from for the error (an option token, or a config file key). */
export function parseExpectation(raw: string, what = "{option:expect}"): Expectation {
  const text = raw.trim().toLowerCase();
  const fail = (why: string): never => {
    throw new ConfigError(`${what} '${shownValue(raw)}': ${why} (expected one of: ${EXPECTATION_SYNTAX})`);
  };
  if (text === "relay") return { kind: "relay", text };
  const relay = /^relay:(udp|tcp|tls)$/.exec(text);
  if (relay) return { kind: "relay", transport: relay[1] as RelayTransport, text };
  if (text === "srflx") return { kind: "srflx", text };
  const nat = /^nat:(!?)([a-z-]+)$/.exec(text);
  if (nat) {
    const classic = nat[2] as Exclude<ClassicNatType, "unknown">;
    if (!CLASSIC_NAT_TYPES.includes(classic)) fail(`unknown NAT type '${shownValue(nat[2] ?? "")}'`);
    return { kind: "nat", classic, negated: nat[1] === "!", text };
  }
  const connect = /^connect:(remote|loopback)$/.exec(text);
  if (connect) return { kind: "connect", mode: connect[1] as "remote" | "loopback", text };
  const rtt = /^rtt\s*<\s*(\d+)\s*(ms)?$/.exec(text);
  if (rtt) {
    const maxMs = Number(rtt[1]);
    if (maxMs < 1 || maxMs > 60_000) fail("the RTT bound must be from 1 to 60000 ms");
    return { kind: "rtt", maxMs, text: `rtt<${maxMs}` };
  }
  if (text === "restart") return { kind: "restart", text };
  if (/^rtt/.test(text)) fail("write the bound as rtt<MILLISECONDS, e.g. rtt<150");
  const media = /^media:(both|send|receive)$/.exec(text);
  if (media) return { kind: "media", direction: media[1] as MediaDirection, text };
  if (/^media/.test(text)) fail("write media:both, media:send or media:receive");
  const quality = parseQuality(text, fail);
  if (quality) return quality;
  return fail("unknown expectation");
}

/** Every expectation, validated up front; duplicates collapse to one. */
export function parseExpectations(raw: readonly string[], what = "{option:expect}"): Expectation[] {
  const seen = new Map<string, Expectation>();
  for (const r of raw) {
    const e = parseExpectation(r, what);
    if (!seen.has(e.text)) seen.set(e.text, e);
  }
  return [...seen.values()];
}
