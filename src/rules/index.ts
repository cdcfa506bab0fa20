import type { Rule } from "./types.js";
import { dnsFailure } from "./dns-failure.js";
import { turnAuthFailed } from "./turn-auth-failed.js";
import { turnQuotaOrCapacity } from "./turn-quota-or-capacity.js";
import { turnAllocationRefused } from "./turn-allocation-refused.js";
import { turnTlsCertificate } from "./turn-tls-certificate.js";
import { turnUdpBlocked } from "./turn-udp-blocked.js";
import { turnServerUnreachable } from "./turn-server-unreachable.js";
import { stunServerUnreachable } from "./stun-server-unreachable.js";
import { noTurnConfigured } from "./no-turn-configured.js";

export type { Rule, RuleHit, Finding, Evidence, Severity } from "./types.js";
export { runRules, worstSeverity, severityRank } from "./engine.js";

/**
 * Every diagnosis rule, root causes before their symptoms: within one severity, findings are
 * listed in this order, so the first finding is the one to act on first.
 */
export const rules: readonly Rule[] = [
  dnsFailure,
  turnAuthFailed,
  turnQuotaOrCapacity,
  turnAllocationRefused,
  turnTlsCertificate,
  turnUdpBlocked,
  turnServerUnreachable,
  stunServerUnreachable,
  noTurnConfigured,
];
