import type { Rule } from "./types.js";
import { errorEvidence, turnServers } from "./helpers.js";

const HANDLED_ELSEWHERE = new Set(["wrong-credentials", "stale-nonce", "allocation-quota-reached", "insufficient-capacity"]);
const REFUSALS = new Set(["forbidden", "allocation-mismatch", "unsupported-transport-protocol", "stun-error", "protocol-error"]);

const FIX: Record<string, string> = {
  forbidden: "The server refuses this client (403): check its allowed-peer/denied-peer and user restrictions, and that the user is enabled.",
  "allocation-mismatch": "A previous allocation from the same 5-tuple still exists (437): wait for it to expire or use a new local port; if it persists, restart the TURN server.",
  "unsupported-transport-protocol": "The server does not relay UDP for this client (442): enable UDP relaying (coturn: do not set no-udp-relay).",
};

export const turnAllocationRefused: Rule = {
  id: "turn-allocation-refused",
  severity: "error",
  title: "The TURN server refuses to allocate a relay",
  docs: "docs/rules/turn-allocation-refused.md",
  check(facts) {
    return turnServers(facts.servers)
      .filter((s) => s.error && REFUSALS.has(s.error.code) && !HANDLED_ELSEWHERE.has(s.error.code))
      .map((s) => ({
        explanation: `${s.url} answered the Allocate with an error: ${s.error?.message ?? "refused"}. No relay candidate can be gathered through it.`,
        fix: FIX[s.error?.code ?? ""] ?? "Read the TURN server's log for this request; the error code above names the reason.",
        evidence: [errorEvidence(s)],
      }));
  },
};
