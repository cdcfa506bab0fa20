import type { ProbeErrorCode } from "../facts/common.js";

/**
 * Every value the `reason` label of a failed probe can take. A fixed list, never free text: each
 * value is one more series per target, so the label's cardinality stays bounded by this list.
 */
export const PROBE_FAILURE_REASONS = [
  "dns_failed",
  "timeout",
  "connection_refused",
  "network_unreachable",
  "tls_failed",
  "certificate_untrusted",
  "certificate_expired",
  "certificate_expiring",
  "auth_failed",
  "forbidden",
  "capacity",
  "protocol_error",
  "connect_failed",
  "not_testable",
  "exporter_busy",
  "internal_error",
] as const;

export type ProbeFailureReason = (typeof PROBE_FAILURE_REASONS)[number];

/** A probe error's code as one of the reasons; the switch is exhaustive, so a new code must be placed here. */
export function reasonForCode(code: ProbeErrorCode): ProbeFailureReason {
  switch (code) {
    case "dns-failure":
      return "dns_failed";
    case "timeout":
    case "tls-handshake-stalled":
    case "interrupted":
      return "timeout";
    case "connection-refused":
    case "connection-reset":
    case "port-unreachable":
      return "connection_refused";
    case "network-unreachable":
      return "network_unreachable";
    case "tls-handshake-failed":
    case "not-tls":
      return "tls_failed";
    case "tls-certificate-invalid":
      return "certificate_untrusted";
    case "unauthorized":
    case "stale-nonce":
    case "wrong-credentials":
    case "no-credentials":
      return "auth_failed";
    case "forbidden":
      return "forbidden";
    case "allocation-quota-reached":
    case "insufficient-capacity":
      return "capacity";
    case "allocation-mismatch":
    case "unsupported-transport-protocol":
    case "address-family-not-supported":
    case "stun-error":
    case "protocol-error":
    case "malformed-reply":
      return "protocol_error";
    case "no-candidate":
      return "connect_failed";
    case "not-testable":
      return "not_testable";
    case "internal-error":
      return "internal_error";
  }
}
