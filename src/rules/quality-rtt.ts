import { defineRule } from "./define-rule.js";
import { machineAsBad, networkPaths, pathSubject, pathWords } from "./quality-helpers.js";

/** Daily's bands (good < 300 ms, warning 300-600 ms, bad beyond); Twilio warns voice above 400 ms. */
export const RTT_BAD_MS = 600;
export const RTT_HIGH_MS = 300;

export const qualityRtt = defineRule({
  id: "quality-rtt",
  docs: "docs/rules/quality-rtt.md",
  requires: ["connectivity"],
  messages: {
    bad: { severity: "warning", title: "{{path}} has a {{rtt}} ms round trip: conversation breaks down" },
    high: { severity: "warning", title: "{{path}} has a {{rtt}} ms round trip: people talk over each other" },
  },
  supersedes: [],
  check(facts) {
    return networkPaths(facts).flatMap((p) => {
      const rtt = p.quality.rtt?.medianMs;
      if (rtt === undefined || rtt <= RTT_HIGH_MS || machineAsBad(facts, (q) => q.rtt?.medianMs, p)) return [];
      const path = pathWords(p.fact);
      return [
        {
          message: rtt > RTT_BAD_MS ? ("bad" as const) : ("high" as const),
          data: { path: path[0]!.toUpperCase() + path.slice(1), rtt: String(Math.round(rtt)) },
          explanation:
            `The median round trip of ${p.quality.packetsReceived} echoed packets on ${path} was ${rtt} ms (p95 ${p.quality.rtt?.p95Ms} ms). ` +
            `Daily's call-quality test calls ${RTT_HIGH_MS}-${RTT_BAD_MS} ms a warning and more than ${RTT_BAD_MS} ms bad; Twilio warns above 400 ms for voice. ` +
            "Mouth-to-ear delay is about half the round trip plus the jitter buffer and codec delay.",
          fix:
            p.fact.mode === "remote"
              ? "Use a far end (media server, bot) in a region near the callers, and TURN servers near both sides; a relay far from both adds its detour to every packet."
              : "The TURN server is far from here (or the path to it queues): offer TURN servers in several regions and let the client use the nearest one.",
          evidence: [{ path: `${p.base}/rtt/medianMs`, fact: `median RTT ${rtt} ms, p95 ${p.quality.rtt?.p95Ms} ms, min ${p.quality.rtt?.minMs} ms` }],
          subjects: [pathSubject(p)],
        },
      ];
    });
  },
});
