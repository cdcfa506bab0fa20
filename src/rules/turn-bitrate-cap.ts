import { defineRule } from "./define-rule.js";
import { kbps, measuredPaths, pathSubject, pathWords, type MeasuredPath } from "./quality-helpers.js";

/** The relay carried at most this share of what this machine's own paths carried in the same run. */
export const CAP_SHARE = 0.5;
/** ...or held a rate at most a quarter of theirs (two ramp steps lower). */
export const HELD_SHARE = 4;

/**
 * A TURN server that limits each allocation's bandwidth (coturn max-bps, or bps-capacity shared by
 * all allocations) drops what goes beyond it: the relay's ramp ends in loss while the host or srflx
 * loopback, measured in the same run, carries several times as much.
 */
export const turnBitrateCap = defineRule({
  id: "turn-bitrate-cap",
  docs: "docs/rules/turn-bitrate-cap.md",
  requires: ["connectivity"],
  messages: {
    capped: { severity: "warning", title: "TURN server {{url}} caps an allocation near {{cap}}" },
  },
  supersedes: ["quality-bitrate"],
  check(facts) {
    const measured = measuredPaths(facts);
    const references = measured.filter((p) => (p.fact.mode === "loopback-host" || p.fact.mode === "loopback-srflx") && p.quality.bitrate);
    const best = references.reduce<MeasuredPath | undefined>((a, b) => (!a || (b.quality.bitrate?.carriedKbps ?? 0) > (a.quality.bitrate?.carriedKbps ?? 0) ? b : a), undefined);
    if (!best?.quality.bitrate) return [];
    const ref = best.quality.bitrate;
    return measured.flatMap((p) => {
      const b = p.quality.bitrate;
      if (p.fact.mode !== "loopback-relay" || !b || b.limitedBy !== "loss") return [];
      if (b.heldKbps >= ref.heldKbps) return [];
      // A cap above the ramp's mean rate hardly shows in what was carried, but the ramp ends steps lower.
      if (b.carriedKbps > ref.carriedKbps * CAP_SHARE && b.heldKbps * HELD_SHARE > ref.heldKbps) return [];
      const url = p.fact.via ?? "(relay)";
      return [
        {
          message: "capped" as const,
          data: { url, cap: kbps(b.carriedKbps) },
          explanation:
            `Through ${url} the bitrate ramp lost its echoes from ${kbps(b.steps.find((s) => !s.held)?.targetKbps ?? b.heldKbps)} on and carried about ${kbps(b.carriedKbps)} in all, ` +
            `while ${pathWords(best.fact)} carried ${kbps(ref.carriedKbps)} in the same run (held ${kbps(ref.heldKbps)}): the relay, not this machine or its network, drops what goes beyond a rate. ` +
            "A TURN server does that when it limits each allocation's bandwidth (coturn max-bps) or shares a total among all allocations (coturn bps-capacity). Video needs 1-2.5 Mbit/s per stream.",
          fix: "Raise or remove the per-allocation limit on the TURN server (coturn: max-bps, or the realm's max-bps; bps-capacity for the total), or give clients a TURN server without one for video calls.",
          evidence: [
            { path: `${p.base}/bitrate/carriedKbps`, fact: `relay carried ${kbps(b.carriedKbps)}, held ${kbps(b.heldKbps)}, limited by loss` },
            { path: `/connectivity/${best.index}/quality/bitrate/carriedKbps`, fact: `${best.fact.mode} carried ${kbps(ref.carriedKbps)}, held ${kbps(ref.heldKbps)}` },
          ],
          subjects: [pathSubject(p)],
        },
      ];
    });
  },
});
