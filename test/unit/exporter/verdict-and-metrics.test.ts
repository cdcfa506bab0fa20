import { describe, expect, test } from "vitest";
import type { ConnectivityFact, ServerFact } from "../../../src/facts/index.js";
import { probeError } from "../../../src/facts/probe-error.js";
import { probeBudgetMs } from "../../../src/exporter/deadline.js";
import type { ExporterModule } from "../../../src/exporter/module.js";
import { pathQualityFigures } from "../../../src/exporter/path-quality.js";
import { failureReason, type ProbeOutcome } from "../../../src/exporter/probe.js";
import { probeRegistry } from "../../../src/exporter/probe-metrics.js";
import { Slots } from "../../../src/exporter/slots.js";
import { serverFact } from "../../helpers/facts.js";
import { parsePromText, sample } from "../../helpers/prom-text.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const module: ExporterModule = { name: "m", timeoutMs: 10_000, nat: false, tls: { failIfNotVerified: true, failIfExpiresWithinMs: 14 * 86_400_000 } };

function relay(overrides: Partial<ConnectivityFact> = {}): ConnectivityFact {
  return { mode: "loopback-relay", serverId: "turn:198.51.100.1:3478?transport=udp", ok: true, durationMs: 800, iceStates: [], pairs: [], localCandidates: [], remoteCandidates: [], rttMs: 12.5, echo: { sent: 5, received: 5 }, timeToDataChannelMs: 600, ...overrides };
}

function outcome(server: ServerFact | undefined, connectivity?: ConnectivityFact, connectWanted = connectivity !== undefined): Omit<ProbeOutcome, "success" | "reason"> {
  return { durationMs: 900, phases: { server: 12, connect: 800 }, connectWanted, ...(server ? { server } : {}), ...(connectivity ? { connectivity } : {}) };
}

const turnUdp = (patch: Partial<ServerFact> = {}) => serverFact({ url: "turn:198.51.100.1:3478?transport=udp", ...patch });
const tlsFact = (validTo: string, patch: object = {}) => ({ servername: "turn.example.net", validTo, chainVerified: true, hostnameMatches: true, protocol: "TLSv1.3", ...patch });

describe("a probe's verdict", () => {
  test.each<[string, Omit<ProbeOutcome, "success" | "reason">, string | undefined]>([
    ["allocated and relayed", outcome(turnUdp(), relay()), undefined],
    ["no answer before the deadline", outcome(undefined), "timeout"],
    ["401 to signed credentials", outcome(turnUdp({ ok: false, error: probeError("wrong-credentials", "401", { stunErrorCode: 401 }) })), "auth_failed"],
    ["refused", outcome(turnUdp({ ok: false, error: probeError("connection-refused", "ECONNREFUSED") })), "connection_refused"],
    ["486 quota", outcome(turnUdp({ ok: false, error: probeError("allocation-quota-reached", "486", { stunErrorCode: 486 }) })), "capacity"],
    ["interrupted probe", outcome(turnUdp({ ok: false, error: probeError("interrupted", "cut") })), "timeout"],
    ["relay did not open", outcome(turnUdp(), relay({ ok: false, stalledIn: "checking", error: probeError("timeout", "ICE") })), "connect_failed"],
    ["connection wanted, never attempted", outcome(turnUdp(), undefined, true), "connect_failed"],
    ["certificate expires in 7 days", outcome(turnUdp({ tls: tlsFact("2026-06-08T00:00:00Z") })), "certificate_expiring"],
    ["certificate expires in 30 days", outcome(turnUdp({ tls: tlsFact("2026-07-01T00:00:00Z") })), undefined],
    ["certificate expired", outcome(turnUdp({ tls: tlsFact("2026-05-01T00:00:00Z", { chainVerified: false, verifyError: "CERT_HAS_EXPIRED" }) })), "certificate_expired"],
    ["self-signed", outcome(turnUdp({ tls: tlsFact("2027-01-01T00:00:00Z", { chainVerified: false, verifyError: "DEPTH_ZERO_SELF_SIGNED_CERT" }) })), "certificate_untrusted"],
  ])("%s -> %s", (_, given, reason) => {
    expect(failureReason(given, module, NOW, false)).toBe(reason);
  });

  test("an untrusted chain passes when the module says not to verify", () => {
    const given = outcome(turnUdp({ tls: tlsFact("2027-01-01T00:00:00Z", { chainVerified: false }) }));
    expect(failureReason(given, { ...module, tls: { failIfNotVerified: false } }, NOW, false)).toBeUndefined();
  });
});

describe("a probe's metrics", () => {
  test("success: no reason label, seconds not milliseconds, relay RTT and loss by path, certificate expiry as Unix time", async () => {
    const server = turnUdp({ rttMs: 4.2, tls: tlsFact("2026-07-01T00:00:00Z") });
    const samples = parsePromText(await probeRegistry({ ...outcome(server, relay({ echo: { sent: 5, received: 4 } })), success: true }).metrics());
    expect(sample(samples, "rtcdoctor_probe_success")).toEqual({ name: "rtcdoctor_probe_success", labels: {}, value: 1 });
    expect(sample(samples, "rtcdoctor_probe_duration_seconds").value).toBe(0.9);
    expect(sample(samples, "rtcdoctor_probe_phase_duration_seconds", { phase: "connect" }).value).toBe(0.8);
    expect(sample(samples, "rtcdoctor_probe_stun_rtt_seconds").value).toBe(0.0042);
    expect(sample(samples, "rtcdoctor_probe_path_rtt_seconds", { path: "relay" }).value).toBe(0.0125);
    expect(sample(samples, "rtcdoctor_probe_path_loss_ratio", { path: "relay" }).value).toBe(0.2);
    expect(sample(samples, "rtcdoctor_probe_ssl_earliest_cert_expiry").value).toBe(Date.parse("2026-07-01T00:00:00Z") / 1000);
    expect(sample(samples, "rtcdoctor_probe_tls_version_info", { version: "TLSv1.3" }).value).toBe(1);
    expect(sample(samples, "rtcdoctor_probe_connect_success").value).toBe(1);
  });

  test("failure: probe_success 0 with its reason, the STUN error code; nothing from the failed step", async () => {
    const server = turnUdp({ ok: false, relayedAddress: undefined, error: probeError("wrong-credentials", "401 to user 'alice'", { stunErrorCode: 401 }) });
    const samples = parsePromText(await probeRegistry({ ...outcome(server, undefined, true), success: false, reason: "auth_failed" }).metrics());
    expect(sample(samples, "rtcdoctor_probe_success")).toMatchObject({ labels: { reason: "auth_failed" }, value: 0 });
    expect(sample(samples, "rtcdoctor_probe_stun_error_code").value).toBe(401);
    expect(sample(samples, "rtcdoctor_probe_turn_allocated").value).toBe(0);
    expect(sample(samples, "rtcdoctor_probe_connect_success").value).toBe(0);
    expect(samples.some((s) => s.name.startsWith("rtcdoctor_probe_path_"))).toBe(false);
    // The error's free text (here with a user name) never becomes a label.
    expect(JSON.stringify(samples)).not.toContain("alice");
  });

  test("path quality from the echo: loss is what did not come back", () => {
    expect(pathQualityFigures(relay({ echo: { sent: 4, received: 1 }, rttMs: 30 }))).toEqual({ rttSeconds: 0.03, lossRatio: 0.75, packetsSent: 4, packetsReceived: 1 });
    expect(pathQualityFigures(relay({ echo: undefined, rttMs: undefined }))).toEqual({});
  });
});

describe("the probe's budget", () => {
  test("the scrape timeout header less the offset, at most the module's timeout; no header: the module's", () => {
    expect(probeBudgetMs("5", 10_000, 500)).toBe(4500);
    expect(probeBudgetMs("30", 10_000, 500)).toBe(10_000);
    expect(probeBudgetMs("0.2", 10_000, 500)).toBe(100);
    expect(probeBudgetMs(undefined, 10_000, 500)).toBe(10_000);
    expect(probeBudgetMs(["2.5"], 10_000, 500)).toBe(2000);
    for (const bad of ["", "soon", "-1", "0", "1e3"]) expect(probeBudgetMs(bad, 10_000, 500), bad).toBeUndefined();
  });
});

describe("probe slots", () => {
  test("at most `size` at once, the rest in order; a waiter that runs out of time gets none and leaves the queue", async () => {
    const slots = new Slots(1);
    const first = await slots.acquire(1000);
    expect(first).toBeDefined();
    const gaveUp = slots.acquire(0);
    const second = slots.acquire(60_000);
    expect(await gaveUp).toBeUndefined();
    expect(slots.waiting).toBe(1);
    first!();
    first!(); // a second release changes nothing
    const release = await second;
    expect(release).toBeDefined();
    expect(slots.waiting).toBe(0);
    const third = slots.acquire(60_000);
    release!();
    const held = await third;
    expect(held).toBeDefined();
    const left = new AbortController();
    const leaving = slots.acquire(60_000, left.signal);
    expect(slots.waiting).toBe(1);
    left.abort();
    expect(await leaving).toBeUndefined();
    expect(slots.waiting).toBe(0);
    held!();
    expect(await slots.acquire(0)).toBeDefined();
  });
});
