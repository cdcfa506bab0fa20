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
