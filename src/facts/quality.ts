/** Round-trip times of the echoed packets, in milliseconds. */
export interface LatencyStatsFact {
  minMs: number;
  medianMs: number;
  p95Ms: number;
  p99Ms: number;
}

/** One rate of the bitrate ramp: what was offered, what came back, and whether the path held it. */
export interface RampStepFact {
  /** The rate offered, in kbit/s of data-channel payload. */
  targetKbps: number;
  sent: number;
  received: number;
  lossPercent: number;
  medianRttMs?: number;
  /** Payload that came back during the step, in kbit/s. */
  carriedKbps: number;
  /**
   * The longest this process could not run during the step (its event loop busy, or the CPUs taken
   * by others): node's monitorEventLoopDelay and the pacer's own timers.
   */
  loopDelayMs?: number;
  held: boolean;
  /**
   * Why it did not hold: echoes were lost, the round trip rose (also when the sender could not get
   * its packets out), or it rose while this process's event loop was busy: this machine, not the
   * path, could go no faster, so the path may carry more.
   */
  limitedBy?: "loss" | "rtt" | "cpu";
}

/** The bitrate the path carried: the ramp goes up until loss or RTT rises (or its ceiling). */
export interface BitrateFact {
  /** The highest offered rate the path held; 0 when not even the first step held. */
  heldKbps: number;
  /** The top of the ramp: a path that held it may carry more. */
  ceilingKbps: number;
  reachedCeiling: boolean;
  /**
   * All echoed payload of the measurement (voice stream and ramp) per second of it, in kbit/s: on a
   * path with a rate cap (a TURN server's max-bps) the ramp runs into the cap, and this is what the
   * cap let through.
   */
  carriedKbps: number;
  /** What came back during the first step that did not hold. */
  carriedAtLimitKbps?: number;
  limitedBy?: RampStepFact["limitedBy"];
  steps: RampStepFact[];
}

/**
 * A paced flood over an unreliable, unordered data channel (no retransmissions), echoed by the far
 * end: a voice-like stream first (loss, RTT, jitter, MOS), then a bitrate ramp. Every figure is of
 * the round trip: a packet counts as received when its echo came back.
 */
export interface QualityFact {
  measured: boolean;
  /** Why it was not measured (the far end did not echo the flood channel, the channel did not open). */
  notMeasured?: "channel-not-open" | "no-echo";
  /** Wall time of the measurement, from its start beside the echo to its last echo. */
  durationMs: number;
  /** The voice-like stream: one packet of `packetBytes` every `intervalMs`. */
  packetBytes: number;
  intervalMs: number;
  packetsSent: number;
  packetsReceived: number;
  lossPercent: number;
  rtt?: LatencyStatsFact;
  /** RFC 3550 interarrival jitter of the echoes, in milliseconds. */
  jitterMs?: number;
  /** Voice MOS from the E-model as Twilio's preflight computes it (RTT, jitter, loss). */
  mos?: number;
  bitrate?: BitrateFact;
}
