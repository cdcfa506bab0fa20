import { defineRule } from "./define-rule.js";
import { machineAsBad, networkPaths, pathSubject, pathWords } from "./quality-helpers.js";

/** Twilio's preflight warns above 30 ms of jitter. */
export const JITTER_HIGH_MS = 30;

export const qualityJitter = defineRule({
  id: "quality-jitter",
  docs: "docs/rules/quality-jitter.md",
  requires: ["connectivity"],
  messages: {
    high: { severity: "warning", title: "{{path}} has {{jitter}} ms of jitter: audio stutters" },
  },
  supersedes: [],
  check(facts) {
    return networkPaths(facts).flatMap((p) => {
      const jitter = p.quality.jitterMs;
      if (jitter === undefined || jitter <= JITTER_HIGH_MS || machineAsBad(facts, (q) => q.jitterMs, p)) return [];
      const path = pathWords(p.fact);
      return [
        {
          message: "high" as const,
          data: { path: path[0]!.toUpperCase() + path.slice(1), jitter: String(Math.round(jitter)) },
          explanation:
            `The RFC 3550 interarrival jitter of the echoes on ${path} was ${jitter} ms (round trip). Twilio's preflight warns above ${JITTER_HIGH_MS} ms. ` +
            "A receiver's jitter buffer must grow by about that much to play audio smoothly, which adds delay; packets later than the buffer are lost to the listener.",
          fix: "Jitter comes from queues on the path: a busy Wi-Fi, an uplink shared with bulk transfers, or a loaded TURN server. Prefer a wired or less busy network, and a TURN server with spare capacity.",
          evidence: [{ path: `${p.base}/jitterMs`, fact: `jitter ${jitter} ms over ${p.quality.packetsReceived} echoes` }],
          subjects: [pathSubject(p)],
        },
      ];
    });
  },
});
