import { defineRule } from "./define-rule.js";
import { errorEvidence, serverPath, turnServers } from "./helpers.js";
import { detailOf } from "../facts/probe-error.js";

/** Refusals no other rule names a cause for; credentials, quota and capacity have their own rules. */
const REFUSALS = new Set(["forbidden", "allocation-mismatch", "unsupported-transport-protocol", "stun-error", "malformed-reply"]);

type Message = "forbidden" | "allocation-mismatch" | "udp-relay-unsupported" | "malformed-reply" | "refused";

const MESSAGE: Record<string, Message> = {
  forbidden: "forbidden",
  "allocation-mismatch": "allocation-mismatch",
  "unsupported-transport-protocol": "udp-relay-unsupported",
  "malformed-reply": "malformed-reply",
};

const FIX: Record<string, string> = {
  forbidden: "The server refuses this client (403): check its allowed-peer/denied-peer and user restrictions, and that the user is enabled.",
  "allocation-mismatch": "A previous allocation from the same 5-tuple still exists (437): wait for it to expire or use a new local port; if it persists, restart the TURN server.",
  "unsupported-transport-protocol": "The server does not relay UDP for this client (442): enable UDP relaying (coturn: do not set no-udp-relay).",
  "malformed-reply": "The server's answer breaks the TURN protocol: check that the URL's port is a TURN server's (not another service) and read the TURN server's log.",
};

const TITLE = "The TURN server refuses to allocate a relay";

export const turnAllocationRefused = defineRule<Message>({
  id: "turn-allocation-refused",
  docs: "docs/rules/turn-allocation-refused.md",
  requires: ["servers"],
  messages: {
    forbidden: { severity: "error", title: TITLE },
    "allocation-mismatch": { severity: "error", title: TITLE },
    "udp-relay-unsupported": { severity: "error", title: TITLE },
    "malformed-reply": { severity: "error", title: TITLE },
    refused: { severity: "error", title: TITLE },
  },
  supersedes: [],
  check(facts) {
    return turnServers(facts.servers)
      .filter((s) => s.error && REFUSALS.has(s.error.code))
      .map((s) => ({
        message: MESSAGE[s.error?.code ?? ""] ?? "refused",
        explanation: `${s.url} answered the Allocate with an error: ${detailOf(s.error) ?? "refused"}. No relay candidate can be gathered through it.`,
        fix: FIX[s.error?.code ?? ""] ?? "Read the TURN server's log for this request; the error code above names the reason.",
        evidence: [errorEvidence(s)],
        subjects: [serverPath(s)],
      }));
  },
});
