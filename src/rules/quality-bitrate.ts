import type { Facts, RampStepFact } from "../facts/index.js";
import { defineRule } from "./define-rule.js";
import { kbps, machinePaths, networkPaths, pathSubject, pathWords } from "./quality-helpers.js";

/** Twilio's rtc-diagnostics bitrate test asks for at least 100 kbit/s (voice). */
export const AUDIO_MIN_KBPS = 100;
/** Daily's call-quality test: good from 1.1 Mbit/s, a warning from 700 kbit/s, bad below. */
export const VIDEO_BAD_KBPS = 700;
export const VIDEO_GOOD_KBPS = 1100;

export const qualityBitrate = defineRule({
  id: "quality-bitrate",
  docs: "docs/rules/quality-bitrate.md",
  requires: ["connectivity"],
  messages: {
    "too-slow-for-audio": { severity: "warning", title: "{{path}} carried less than {{rate}}: too little even for voice" },
    "too-slow-for-video": { severity: "warning", title: "{{path}} carried at most {{rate}}: too little for video" },
    "video-limited": { severity: "info", title: "{{path}} carried at most {{rate}}: video runs at reduced quality" },
  },
  supersedes: [],
  check(facts) {
    return networkPaths(facts).flatMap((p) => {
      const b = p.quality.bitrate;
      // Limited by this machine's own CPU, the path may carry more than was held: no verdict on it.
      if (!b || b.reachedCeiling || b.heldKbps >= VIDEO_GOOD_KBPS || b.limitedBy === "cpu") return [];
      // This machine's own loopback went no more than one (doubling) ramp step further: the limit is the machine's.
      const floor = Math.max(b.heldKbps, 125);
      if (machinePaths(facts).some((m) => m.quality.bitrate && !m.quality.bitrate.reachedCeiling && m.quality.bitrate.heldKbps < 4 * floor)) return [];
      const failed = b.steps.find((s) => !s.held);
      if (failed?.limitedBy === "rtt" && machineRttAsHigh(facts, failed)) return [];
      const held = b.heldKbps;
      const message = held < AUDIO_MIN_KBPS ? ("too-slow-for-audio" as const) : held < VIDEO_BAD_KBPS ? ("too-slow-for-video" as const) : ("video-limited" as const);
      const path = pathWords(p.fact);
      return [
        {
          message,
          data: { path: path[0]!.toUpperCase() + path.slice(1), rate: kbps(message === "too-slow-for-audio" ? (failed?.targetKbps ?? AUDIO_MIN_KBPS) : held) },
          explanation:
            `The bitrate ramp on ${path} held ${held > 0 ? kbps(held) : "none of its rates"}; at ${failed ? kbps(failed.targetKbps) : "the next rate"} ${failed?.limitedBy === "rtt" ? "the round trip rose" : "echoes were lost"} ` +
            `(${failed ? `${failed.received} of ${failed.sent} came back, ${kbps(failed.carriedKbps)} carried` : "no figures"}). ` +
            `Twilio asks for at least ${AUDIO_MIN_KBPS} kbit/s for voice; Daily calls ${VIDEO_GOOD_KBPS} kbit/s and more good for video, ${VIDEO_BAD_KBPS}-${VIDEO_GOOD_KBPS} kbit/s a warning, less bad.`,
          fix:
            p.fact.mode === "remote"
              ? "The path to the far peer is narrow: check the uplink here and the far side's; cap the video bitrate (or resolution) the application sends, or offer audio only on such networks."
              : "The path through this TURN server is narrow: check the uplink here, the server's own bandwidth and its per-allocation limits (coturn max-bps, bps-capacity).",
          evidence: [
            { path: `${p.base}/bitrate/heldKbps`, fact: `held ${kbps(held)} of a ramp up to ${kbps(b.ceilingKbps)}` },
            ...(failed ? [{ path: `${p.base}/bitrate/steps/${b.steps.indexOf(failed)}`, fact: `at ${kbps(failed.targetKbps)}: ${failed.received} of ${failed.sent} echoed, median RTT ${failed.medianRttMs ?? "-"} ms` }] : []),
          ],
          subjects: [pathSubject(p)],
        },
      ];
    });
  },
});

/**
 * The round trip that stopped the ramp rose as much, or half as much, at the same rate on this
 * machine's own loopback in the same run: a busy machine queues every path alike (seen on a loaded
 * 2-core machine: the TCP relay at 133 ms and the host loopback at 76 ms at 2 Mbit/s). On a real
 * network a loopback's round trip stays near a millisecond at any of the ramp's rates.
 */
function machineRttAsHigh(facts: Facts, failed: RampStepFact): boolean {
  const rtt = failed.medianRttMs;
  if (rtt === undefined) return false;
  return machinePaths(facts).some((m) => {
    const same = m.quality.bitrate?.steps.find((s) => s.targetKbps === failed.targetKbps);
    return same?.medianRttMs !== undefined && same.medianRttMs >= rtt / 2;
  });
}
