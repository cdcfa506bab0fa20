/**
 * Used when no ICE server is configured. Well-known public STUN servers run by different operators
 * on distinct addresses, so that one outage does not read as "UDP blocked" and the multi-server NAT
 * method has more than one vantage point.
 */
export const DEFAULT_STUN_URLS: readonly string[] = [
  "stun:stun.l.google.com:19302",
  "stun:stun1.l.google.com:19302",
  "stun:stun.cloudflare.com:3478",
  "stun:global.stun.twilio.com:3478",
];

/** Milliseconds a single probe may take before it is reported as a timeout. */
export const DEFAULT_TIMEOUT_MS = 3000;

/**
 * Milliseconds each request to the signalling URL may take. Far sides that gather before they
 * answer (Pipecat's aiortc, WHIP servers) take seconds when one of their STUN/TURN servers does not
 * answer them (aiortc waits 5 s for STUN), so the probe bound would cut off an answer that is
 * merely late; how late it is, is evidence of its own.
 */
export const DEFAULT_SIGNAL_TIMEOUT_MS = 30_000;

/**
 * Milliseconds of quality measurement on each path that connects: half a voice-like stream (25
 * packets at 20 ms), half a bitrate ramp. Paths are measured side by side, so a check pays it about
 * once; the bench (bench/quality.ratio.ts) keeps it within 1.5x of a check without it.
 */
export const DEFAULT_QUALITY_DURATION_MS = 1000;
/** Longer floods are a soak test, not a check. */
export const MAX_QUALITY_DURATION_MS = 60_000;
