import { defineRule } from "./define-rule.js";
import { remoteAttempt, seconds } from "./remote-helpers.js";

/**
 * The far end took the restart (new credentials, or a new answer) and yet ICE never connected over
 * them: the call would look recoverable to the app and still be gone. Or it reconnected and the data
 * channel stopped echoing: the transport came back and what rides on it did not.
 */
export const iceRestartNeverReconnects = defineRule({
  id: "ice-restart-never-reconnects",
  docs: "docs/rules/ice-restart-never-reconnects.md",
  requires: ["connectivity"],
  messages: {
    "never-reconnects": { severity: "error", title: "The far end accepts an ICE restart, but the call never reconnects" },
    "no-echo-after": { severity: "warning", title: "After the ICE restart the data channel no longer echoes" },
  },
  supersedes: [],
  check(facts) {
    const remote = remoteAttempt(facts);
    const restart = remote?.fact.restart;
    if (!remote || !restart?.accepted) return [];
    const via = remote.fact.via ?? "the far end";
    const change = restart.networkChange ? ` after the network changed (${restart.networkChange.what})` : "";
    if (!restart.reconnected) {
      return [
        {
          message: "never-reconnects" as const,
          explanation:
            `${via} accepted the ICE restart${change} (status ${restart.status ?? "?"}), but ICE did not connect again within ${seconds(restart.boundMs)}. ` +
            "The far end answers as if it can restart and then does not check with the new credentials, or its new candidates cannot be reached from here. A user whose network changes gets a call that stays silent instead of recovering.",
          fix:
            restart.requestedBy === "whip-patch"
              ? "After answering the PATCH, the endpoint must restart its own ICE agent with the client's new ufrag/pwd, gather again, and send its new candidates in the 200's sdpfrag; check that its ICE stack supports restarts (not every SFU's does) and that the candidates it returns are reachable."
              : "The new peer the server makes for restart_pc must gather and answer like the first one; check its ICE servers and candidates as for the first connection.",
          evidence: [{ path: `${remote.base}/restart/reconnected`, fact: `accepted (${restart.status ?? "?"}), not connected within ${seconds(restart.boundMs)}` }],
          subjects: [remote.base],
        },
      ];
    }
    if (restart.echo && restart.echo.received === 0) {
      return [
        {
          message: "no-echo-after" as const,
          explanation: `ICE connected again ${restart.timeToReconnectMs !== undefined ? `${seconds(restart.timeToReconnectMs)} ` : ""}after the restart${change}, but none of the ${restart.echo.sent} data-channel echoes came back: the DTLS or SCTP association on top did not survive the restart.`,
          fix: "Keep the DTLS session and SCTP association across an ICE restart (only ICE credentials change); a server that makes a new peer must also make a new data channel for the client to use.",
          evidence: [{ path: `${remote.base}/restart/echo`, fact: `${restart.echo.received} of ${restart.echo.sent} echoed` }],
          subjects: [remote.base],
        },
      ];
    }
    return [];
  },
});
