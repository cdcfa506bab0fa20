import { defineRule } from "./define-rule.js";
import { errorEvidence, serverPath, turnServers } from "./helpers.js";

const TITLE = "The TURN server refuses new allocations (quota or capacity)";

export const turnQuotaOrCapacity = defineRule({
  id: "turn-quota-or-capacity",
  docs: "docs/rules/turn-quota-or-capacity.md",
  requires: ["servers"],
  messages: {
    "quota-reached": { severity: "error", title: TITLE },
    "insufficient-capacity": { severity: "error", title: TITLE },
  },
  supersedes: [],
  check(facts) {
    return turnServers(facts.servers)
      .filter((s) => s.error?.code === "allocation-quota-reached" || s.error?.code === "insufficient-capacity")
      .map((s) =>
        s.error?.code === "allocation-quota-reached"
          ? {
              message: "quota-reached" as const,
              explanation: `${s.url} answered 486 Allocation Quota Reached: this user already holds as many allocations as the server allows. New calls get no relay until old allocations expire.`,
              fix: "Raise the per-user quota (coturn: user-quota / total-quota), use per-session credentials (TURN REST) so users do not share one quota, and make sure clients close their peer connections (stale allocations live for their lifetime, 600 s by default).",
              evidence: [errorEvidence(s)],
              subjects: [serverPath(s)],
            }
          : {
              message: "insufficient-capacity" as const,
              explanation: `${s.url} answered 508 Insufficient Capacity: the server has no relay ports or bandwidth left.`,
              fix: "Widen the relay port range (coturn: min-port / max-port), raise total-quota or bps-capacity, or add TURN servers.",
              evidence: [errorEvidence(s)],
              subjects: [serverPath(s)],
            },
      );
  },
});
