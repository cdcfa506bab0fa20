import { parseExpectation, type Expectation } from "../config/expectations.js";
import type { Evidence } from "./types.js";
import { defineRule } from "./define-rule.js";

function kindOf(text: string): Expectation["kind"] | undefined {
  try {
    return parseExpectation(text).kind;
  } catch {
    return undefined;
  }
}

const FIX: Record<Expectation["kind"], string> = {
  relay:
    "The findings above name why no relay was allocated (credentials, reachability, certificate). Fix that, or check that the expected TURN URL and transport are in the configuration.",
  srflx: "Allow outbound UDP to the STUN server's port, and check that a STUN URL (or TURN over UDP) is configured.",
  nat: "The NAT type is a property of this network: run the job on a network with the expected NAT, or relax the expectation and make sure a TURN relay is available instead.",
  connect: "The connection attempts in the report show where ICE stopped (candidates, pair stats, timeline); the findings above name the cause.",
  rtt: "Use an ICE server (or far end) closer to where this job runs, or raise the bound if this latency is acceptable.",
  media: "The media findings above (media-one-way, no-audio-from-far-side, dtls-not-completed) say which direction failed and why; the report's connectivity[].media has the counts each way.",
  restart: "Run with {option:remote.restart}; the restart's findings above (far-end-cannot-restart-ice, ice-restart-never-reconnects) say what the far end did with it.",
  loss: "The quality findings above name the path that loses packets; fix the network or server on it, or measure longer ({option:qualityDurationMs}) for a steadier figure.",
  mos: "The MOS falls with RTT, jitter and loss: the quality findings above say which of them is too high on which path.",
  jitter: "Jitter comes from queues on the path (busy Wi-Fi, a shared uplink, a loaded TURN server): the quality findings above name the path.",
  bitrate: "The path carries less than the bound: see the bitrate and TURN rate-cap findings above (a TURN server's max-bps, a narrow uplink).",
};

/** Every expectation the run did not meet; an expectation that could not be measured is unmet too. */
export const expectationFailed = defineRule({
  id: "expectation-failed",
  docs: "docs/rules/expectation-failed.md",
  requires: ["expectations"],
  messages: {
    "not-met": { severity: "error", title: "Expectation '{{expectation}}' is not met" },
    "not-measured": { severity: "error", title: "Expectation '{{expectation}}' is not met" },
  },
  supersedes: [],
  check(facts) {
    return (facts.expectations ?? []).flatMap((result, i) => {
      if (result.met) return [];
      const kind = kindOf(result.expectation);
      const evidence: Evidence[] = [{ path: `/expectations/${i}`, fact: `expected ${result.expectation}; actual: ${result.actual}` }];
      if (result.path) evidence.push({ path: result.path, fact: `the fact that decided '${result.expectation}'` });
      const unmeasured = result.actual.startsWith("not measured");
      return [
        {
          message: unmeasured ? ("not-measured" as const) : ("not-met" as const),
          data: { expectation: result.expectation },
          explanation: unmeasured
            ? `The run was expected to show '${result.expectation}', but that was not measured: ${result.actual.replace(/^not measured: /, "")}. An expectation that cannot be checked counts as unmet, so a preflight never passes by omission.`
            : `The run was expected to show '${result.expectation}', but it found: ${result.actual}.`,
          fix: unmeasured
            ? "Give the run what it needs to measure this expectation (the server URL, {option:remote}, or do not skip the phase), or remove the expectation."
            : kind
              ? FIX[kind]
              : "Check the expectation against the facts in the report.",
          evidence,
          subjects: [`/expectations/${i}`],
        },
      ];
    });
  },
});
