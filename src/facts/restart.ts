import type { CandidateFact } from "./candidates.js";

/**
 * An ICE restart asked of the far end through the signalling, after the remote attempt connected
 * (the `restart` option), and optionally a change of the client's network under the live call
 * before it (the NAT lab): whether the call would survive a user changing network.
 */
export interface RestartFact {
  /**
   * How the restart was asked for: a WHIP PATCH of the session URL with `If-Match: "*"` and a new
   * ufrag/pwd (RFC 9725 section 4.4.2), or a new Pipecat offer with the same `pc_id` and
   * `restart_pc: true`. `none`: it could not be asked (see `refusal`).
   */
  requestedBy: "whip-patch" | "pipecat-restart-pc" | "none";
  /** The HTTP status of the restart request; absent when no response came or none was sent. */
  status?: number;
  /** The far end took the restart: 200 with its new ICE credentials (WHIP), or a new answer (Pipecat). */
  accepted: boolean;
  /** ICE connected again over the new credentials within the bound. */
  reconnected: boolean;
  /** From the start of the restart (new local offer) to ICE connected again. */
  timeToReconnectMs?: number;
  /** The bound on the reconnection (the connect timeout). */
  boundMs: number;
  /** The candidate pair that carries the call after the restart (the attempt's selectedPair is the one before). */
  selectedPair?: { local: CandidateFact; remote: CandidateFact };
  /** Data-channel echoes after the restart: sent and echoed back. Only for a far end that echoed before it (serve does; a bot need not). */
  echo?: { sent: number; received: number };
  /**
   * Pipecat: the far end answered with another DTLS certificate, so it made a new peer connection for
   * the session (Pipecat's `restart_pc` closes the old aiortc peer), and rtc-doctor's new peer
   * connected to it. Absent for WHIP, which keeps the DTLS session.
   */
  newPeer?: boolean;
  /**
   * Pipecat: the answer came under another pc_id, so the server took the restart for a new session
   * (restart_pc not supported): the call comes back, whatever state the old session held does not.
   */
  newSession?: boolean;
  /** The far end's new ICE username fragment differs from the one before the restart. */
  newRemoteUfrag?: boolean;
  /** Why the far end cannot restart ICE, in a machine-readable form, with its words when it gave any. */
  refusal?: RestartRefusal;
  /** What the network change did to the live call before the restart (the NAT lab); absent without one. */
  networkChange?: NetworkChangeFact;
}

export interface RestartRefusal {
  /**
   * `method-not-allowed`: 405 (no PATCH at all); `not-implemented`: 501; `unprocessable`: 422 (PATCH
   * for trickle only, or the fragment refused); `precondition`: 412/428; `no-session-url`: the WHIP
   * answer had no Location, so there is nothing to PATCH; `http-error`: another status;
   * `bad-answer`: a 2xx whose body carries no usable ICE credentials; `no-response`: the request failed;
   * `session-gone`: 404, the far end had already ended the session (it gave the call up first);
   * `local-error`: rtc-doctor's own peer failed before or after the request (not the far end's doing).
   */
  code: "session-gone" | "local-error" | "method-not-allowed" | "not-implemented" | "unprocessable" | "precondition" | "no-session-url" | "http-error" | "bad-answer" | "no-response";
  /** One line: what the far end said (status, a short body summary), without secrets. */
  detail: string;
}

/**
 * The client's network changed under the live call (its NAT mapping or address moved). Times are
 * milliseconds from the change.
 */
export interface NetworkChangeFact {
  /** What changed, in words (from whoever made the change). */
  what: string;
  /** A consent check (RFC 7675) sent after the change went 1.5 s without a response. */
  consentUnansweredAfterMs?: number;
  /** A data-channel echo sent after the change was 2 s overdue (rtc-doctor echoes every 250 ms while it watches, to a far end that echoed before). */
  echoLostAfterMs?: number;
  /** werift declared the pair dead (ICE failed: its 30 s consent expiry). */
  iceFailedAfterMs?: number;
  /** The path was seen dead (the first of the above) within the watch's bound. */
  seenDead: boolean;
  /** The first of the signs above: when rtc-doctor saw the path dead. */
  seenDeadAfterMs?: number;
  /** How long the path was watched before the restart (the bound when it never died). */
  watchedMs: number;
}
