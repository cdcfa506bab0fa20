import { Gauge, Registry } from "prom-client";
import type { ProbeOutcome } from "./probe.js";
import { pathQualityFigures } from "./path-quality.js";

type Labels = Record<string, string | number>;

/** A gauge on `registry` set once per label set; probe metrics are facts of one probe, never accumulated. */
function gauge(registry: Registry, name: string, help: string, values: readonly [Labels, number][], labelNames: string[] = []): void {
  if (values.length === 0) return;
  const g = new Gauge({ name, help, labelNames, registers: [registry] });
  for (const [labels, value] of values) {
    if (Object.keys(labels).length === 0) g.set(value);
    else g.set(labels, value);
  }
}

// Microseconds are more than any of these figures resolve; the rest is float noise in the answer.
const seconds = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms * 1000) / 1e6);
function one(value: number | undefined, labels: Labels = {}): [Labels, number][] {
  return value === undefined || !Number.isFinite(value) ? [] : [[labels, value]];
}

/**
 * One probe's answer: a fresh registry each time, as blackbox_exporter builds one per probe, so no
 * series of an earlier probe (another target, another reason) is ever repeated. Names and units per
 * Prometheus conventions; no label holds free text or a credential, only values from fixed sets.
 */
export function probeRegistry(outcome: ProbeOutcome): Registry {
  const r = new Registry();
  gauge(r, "rtcdoctor_probe_success", "Whether the probe succeeded (1) or not (0); a failure carries its reason", [[outcome.reason ? { reason: outcome.reason } : {}, outcome.success ? 1 : 0]], ["reason"]);
  gauge(r, "rtcdoctor_probe_duration_seconds", "How long the whole probe took", one(seconds(outcome.durationMs)));
  gauge(
    r,
    "rtcdoctor_probe_phase_duration_seconds",
    "How long each step of the probe took: dns, server (STUN Binding or TURN Allocate, with its TLS), connect, nat",
    Object.entries(outcome.phases).map(([phase, ms]) => [{ phase }, seconds(ms)!] as [Labels, number]),
    ["phase"],
  );
  const server = outcome.server;
  if (server) {
    gauge(r, "rtcdoctor_probe_stun_rtt_seconds", "Round trip of the STUN/TURN transaction that answered", one(seconds(server.rttMs)));
    gauge(r, "rtcdoctor_probe_stun_retransmissions", "Retransmissions before the server answered", one(server.retransmissions));
    gauge(r, "rtcdoctor_probe_stun_error_code", "The STUN ERROR-CODE the server answered with (e.g. 401, 486), 0 for none", [[{}, server.error?.stunErrorCode ?? 0]]);
    if (server.remoteAddress) gauge(r, "rtcdoctor_probe_ip_protocol", "IP protocol of the address probed (4 or 6)", [[{}, server.remoteAddress.family]]);
    if (server.kind === "turn") {
      gauge(r, "rtcdoctor_probe_turn_allocated", "Whether the TURN server granted an allocation", [[{}, server.relayedAddress ? 1 : 0]]);
      gauge(r, "rtcdoctor_probe_turn_allocation_lifetime_seconds", "Lifetime the server granted the allocation", one(server.allocation?.lifetimeSec));
    }
    const tls = server.tls;
    if (tls) {
      const expiry = tls.validTo === undefined ? undefined : Date.parse(tls.validTo) / 1000;
      gauge(r, "rtcdoctor_probe_ssl_earliest_cert_expiry", "Expiry of the server certificate, as Unix time (as blackbox_exporter's probe_ssl_earliest_cert_expiry)", one(expiry));
      gauge(r, "rtcdoctor_probe_tls_verified", "Whether the certificate chain verified and names the host", [[{}, tls.chainVerified && tls.hostnameMatches ? 1 : 0]]);
      if (tls.protocol && /^TLSv1(\.[0-3])?$/.test(tls.protocol)) gauge(r, "rtcdoctor_probe_tls_version_info", "The TLS version negotiated", [[{ version: tls.protocol }, 1]], ["version"]);
    }
  }
  const c = outcome.connectivity;
  if (outcome.connectWanted) gauge(r, "rtcdoctor_probe_connect_success", "Whether the loopback connection through the target opened its data channel", [[{}, c?.ok ? 1 : 0]]);
  if (c) {
    const path = c.mode === "loopback-relay" ? "relay" : "srflx";
    gauge(r, "rtcdoctor_probe_connect_time_seconds", "From the start of the connection to its open data channel", one(seconds(c.timeToDataChannelMs), { path }), ["path"]);
    const q = pathQualityFigures(c);
    gauge(r, "rtcdoctor_probe_path_rtt_seconds", "Round trip through the connected path (data-channel echo)", one(q.rttSeconds, { path }), ["path"]);
    gauge(r, "rtcdoctor_probe_path_loss_ratio", "Share of the packets sent through the path that did not come back (0 to 1)", one(q.lossRatio, { path }), ["path"]);
    gauge(r, "rtcdoctor_probe_path_jitter_seconds", "Interarrival jitter through the path (RFC 3550)", one(q.jitterSeconds, { path }), ["path"]);
    gauge(
      r,
      "rtcdoctor_probe_path_rtt_quantile_seconds",
      "Round-trip percentiles through the path",
      Object.entries(q.rttQuantileSeconds ?? {}).map(([quantile, s]) => [{ path, quantile }, s] as [Labels, number]),
      ["path", "quantile"],
    );
    gauge(r, "rtcdoctor_probe_path_mos", "Voice MOS through the path (E-model, 1 to 5) from the quality flood", one(q.mos, { path }), ["path"]);
    gauge(r, "rtcdoctor_probe_path_bitrate_bits_per_second", "The highest rate the quality flood's ramp held through the path", one(q.heldBitsPerSecond, { path }), ["path"]);
    gauge(r, "rtcdoctor_probe_path_packets_sent", "Packets sent through the path to measure it", one(q.packetsSent, { path }), ["path"]);
    gauge(r, "rtcdoctor_probe_path_packets_received", "Of those, packets that came back", one(q.packetsReceived, { path }), ["path"]);
  }
  const nat = outcome.nat;
  if (nat) {
    gauge(r, "rtcdoctor_probe_nat_info", "The NAT's behaviour (RFC 4787 mapping and filtering) seen through the target", [[{ mapping: nat.mapping, filtering: nat.filtering }, 1]], ["mapping", "filtering"]);
  }
  return r;
}
