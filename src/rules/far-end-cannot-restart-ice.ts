import type { RestartRefusal } from "../facts/restart.js";
import { defineRule } from "./define-rule.js";
import { remoteAttempt } from "./remote-helpers.js";

const HOW: Record<RestartRefusal["code"], string> = {
  "session-gone": "had already ended the session (404): it gave the call up before the client could restart",
  "local-error": "could not be asked: rtc-doctor's own peer failed",
  "method-not-allowed": "does not accept PATCH on the session URL at all (405)",
  "not-implemented": "does not implement ICE restarts (501)",
  unprocessable: "refused the restart's fragment (422: trickle only, or no restarts)",
  precondition: "refused the PATCH's If-Match: \"*\" (412/428), which RFC 9725 reserves for ICE restarts",
  "no-session-url": "gave no session URL (a 201 without Location), so there is nothing to send a restart to",
  "http-error": "refused the restart",
  "bad-answer": "answered the restart without new ICE credentials of its own",
  "no-response": "did not answer the restart",
};

/**
 * A far end that cannot restart ICE drops every call whose network changes: Wi-Fi to mobile, a new
 * NAT mapping, a VPN coming up. The browser's only way to keep the call (RTCPeerConnection
 * restartIce) needs the signalling to carry a new offer's credentials; without it the app must
 * hang up and call again.
 */
export const farEndCannotRestartIce = defineRule({
  id: "far-end-cannot-restart-ice",
  docs: "docs/rules/far-end-cannot-restart-ice.md",
  requires: ["connectivity"],
  messages: {
    refused: { severity: "warning", title: "The far end cannot restart ICE: a user who changes network drops the call" },
    "new-session": { severity: "warning", title: "The far end answers an ICE restart with a new session: the call comes back, its state does not" },
  },
  supersedes: [],
  check(facts) {
    const remote = remoteAttempt(facts);
    const restart = remote?.fact.restart;
    if (!remote || !restart) return [];
    if (restart.accepted && restart.newSession) {
      return [
        {
          message: "new-session" as const,
          explanation:
            `Once connected, rtc-doctor sent ${remote.fact.via ?? "the far end"} a new offer with the session's pc_id and restart_pc: true, as a Pipecat client does when its network changes; the answer came under another pc_id. ` +
            "The server did not restart the session's peer: it made a new session. The media path comes back, but a bot starts over (its pipeline, its conversation) and the old session lingers until it times out.",
          fix: "Handle restart_pc: true for a known pc_id by renegotiating that connection (Pipecat's SmallWebRTCRequestHandler does: SmallWebRTCConnection.renegotiate with restart_pc makes a new peer for the same session); update an older Pipecat.",
          evidence: [{ path: `${remote.base}/restart/newSession`, fact: "the restart's answer carried another pc_id" }],
          subjects: [remote.base],
        },
      ];
    }
    // A failure of our own peer says nothing about the far end.
    if (restart.accepted || !restart.refusal || restart.refusal.code === "local-error") return [];
    const how = restart.requestedBy === "pipecat-restart-pc" ? "a new offer with the same pc_id and restart_pc: true" : "a WHIP PATCH with If-Match: \"*\" and a new ufrag/pwd (RFC 9725 section 4.4.2)";
    const exchange = remote.fact.signalling?.exchanges.findIndex((e) => e.step === "restart") ?? -1;
    return [
      {
        message: "refused" as const,
        explanation:
          `Once connected, rtc-doctor asked ${remote.fact.via ?? "the far end"} for an ICE restart with ${how}; it ${HOW[restart.refusal.code]}: ${restart.refusal.detail}. ` +
          "An ICE restart is how a WebRTC call survives a change of network (Wi-Fi to mobile, a new NAT mapping, a VPN): the client makes new ICE credentials and gathers on the new network, and the far end must answer with its own. " +
          "Without it, every such change ends the call once consent checks fail (about 30 s in browsers, RFC 7675), and the app has to start a new session.",
        fix:
          restart.requestedBy === "pipecat-restart-pc"
            ? "Accept a new offer for an existing pc_id with restart_pc: true (Pipecat's SmallWebRTCRequestHandler does: it makes a new peer for the session and answers)."
            : "Accept PATCH on the session URL with If-Match: \"*\" and an application/trickle-ice-sdpfrag body carrying a new ice-ufrag/ice-pwd; answer 200 with the endpoint's own new credentials and candidates, and a new ETag (RFC 9725 section 4.4.2). Send an ETag with the 201 so clients know restarts are supported.",
        evidence: [
          { path: `${remote.base}/restart/refusal`, fact: restart.refusal.detail },
          ...(exchange >= 0 ? [{ path: `${remote.base}/signalling/exchanges/${exchange}`, fact: `the restart request, answered ${restart.status ?? "nothing"}` }] : []),
        ],
        subjects: [remote.base],
      },
    ];
  },
});
