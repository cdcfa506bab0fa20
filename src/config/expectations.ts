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
  | { kind: "media"; direction: MediaDirection; text: string }
  /** The remote attempt survived an ICE restart through the signalling (needs the restart option). */
  | { kind: "restart"; text: string };

/** Audio through the remote peer: both ways, or only rtc-doctor's to the far side, or only the far side's to rtc-doctor. */
export type MediaDirection = "both" | "send" | "receive";

export const EXPECTATION_SYNTAX =
  "relay, relay:udp, relay:tcp, relay:tls, srflx, nat:<type> or nat:!<type> " +
  `(type: ${CLASSIC_NAT_TYPES.join(", ")}), connect:remote, connect:loopback, rtt<MS, media:both, media:send, media:receive, restart`;

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
