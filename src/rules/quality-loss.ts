import { defineRule } from "./define-rule.js";
import { machineAsBad, networkPaths, pathSubject, pathWords } from "./quality-helpers.js";

/** Round-trip loss bands: Daily's call-quality test (good < 5%, warning 5-10%, bad beyond) and Twilio's voice warning (> 1%). */
export const LOSS_BAD_PERCENT = 10;
export const LOSS_HIGH_PERCENT = 5;
export const LOSS_NOTICEABLE_PERCENT = 1;

export const qualityLoss = defineRule({
  id: "quality-loss",
  docs: "docs/rules/quality-loss.md",
  requires: ["connectivity"],
  messages: {
    bad: { severity: "warning", title: "{{path}} loses {{loss}}% of packets: bad for voice and video" },
    high: { severity: "warning", title: "{{path}} loses {{loss}}% of packets: video degrades, voice suffers" },
    noticeable: { severity: "info", title: "{{path}} loses {{loss}}% of packets: voice is affected" },
  },
  supersedes: [],
  check(facts) {
    return networkPaths(facts).flatMap((p) => {
      const loss = p.quality.lossPercent;
      if (loss <= LOSS_NOTICEABLE_PERCENT || machineAsBad(facts, (q) => q.lossPercent, p)) return [];
      const message = loss > LOSS_BAD_PERCENT ? ("bad" as const) : loss > LOSS_HIGH_PERCENT ? ("high" as const) : ("noticeable" as const);
      const path = pathWords(p.fact);
      return [
        {
          message,
          data: { path: path[0]!.toUpperCase() + path.slice(1), loss: String(loss) },
          explanation:
            `Of ${p.quality.packetsSent} voice-sized packets sent every ${p.quality.intervalMs} ms over an unreliable data channel on ${path}, ${p.quality.packetsReceived} came back (round trip, no retransmissions). ` +
            `Twilio's preflight warns above ${LOSS_NOTICEABLE_PERCENT}% for voice; Daily's call-quality test calls ${LOSS_HIGH_PERCENT}-${LOSS_BAD_PERCENT}% a warning and more than ${LOSS_BAD_PERCENT}% bad. ` +
            "Audio codecs conceal a little loss; video freezes and drops resolution as loss grows.",
          fix:
            p.fact.mode === "remote"
              ? "Loss on the way to the far peer: compare with the relay paths in this report; if they are clean, the far side's network (or its uplink) drops packets. A TURN server near the far side, or TURN over TCP, can avoid a lossy UDP path."
              : "Loss between here and the TURN server (or on the server itself): check the network in between (Wi-Fi, a congested uplink), try the server's TCP or TLS transport, or a TURN server closer to here.",
          evidence: [{ path: `${p.base}/lossPercent`, fact: `${p.quality.packetsSent - p.quality.packetsReceived} of ${p.quality.packetsSent} packets lost (${loss}%)` }],
          subjects: [pathSubject(p)],
        },
      ];
    });
  },
});
