import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ExporterMetrics } from "../../src/exporter/exporter-metrics.js";
import { loadModulesFile } from "../../src/exporter/modules-file.js";
import { probeRegistry } from "../../src/exporter/probe-metrics.js";
import { PROBE_FAILURE_REASONS } from "../../src/exporter/reasons.js";
import { probeError } from "../../src/facts/probe-error.js";
import { serverFact } from "../helpers/facts.js";

// The shipped monitoring examples (docs/monitoring) are checked by Prometheus's own promtool, and
// every metric they name is one the exporter answers with.
const docs = fileURLToPath(new URL("../../docs/monitoring/", import.meta.url));
const read = (name: string) => readFileSync(join(docs, name), "utf8");
const tmp = mkdtempSync(join(tmpdir(), "rtc-doctor-exporter-docs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function promtool(args: string[]): { status: number | null; output: string } {
  const r = spawnSync("promtool", args, { cwd: docs, encoding: "utf8", timeout: 60_000 });
  if (r.error) throw new Error(`promtool is needed (Debian: apt-get install -y prometheus): ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Every metric name the exporter can answer with: one probe that did everything, one that failed, and /metrics. */
async function exportedNames(): Promise<Set<string>> {
  const tls = { servername: "t", validTo: "2027-01-01T00:00:00Z", chainVerified: true, hostnameMatches: true, protocol: "TLSv1.3" };
  const full = probeRegistry({
    success: true,
    durationMs: 1,
    phases: { dns: 1, server: 1, connect: 1, nat: 1 },
    connectWanted: true,
    server: serverFact({ url: "turns:t.example:443", tls, remoteAddress: { address: "192.0.2.1", port: 443, family: 4 } }),
    connectivity: { mode: "loopback-relay", ok: true, durationMs: 1, iceStates: [], pairs: [], localCandidates: [], remoteCandidates: [], rttMs: 1, echo: { sent: 5, received: 5 }, timeToDataChannelMs: 1,
      quality: {
        measured: true, durationMs: 1000, packetBytes: 160, intervalMs: 20, packetsSent: 50, packetsReceived: 50, lossPercent: 0,
        rtt: { minMs: 1, medianMs: 1, p95Ms: 1, p99Ms: 1 }, jitterMs: 0.1, mos: 4.4,
        bitrate: { heldKbps: 4000, ceilingKbps: 4000, reachedCeiling: true, carriedKbps: 3000, steps: [] },
      },
    },
    nat: { mapping: "endpoint-independent", filtering: "endpoint-independent", classic: "full-cone", method: "rfc5780", servers: [], durationMs: 1, tests: [] },
  });
  const failed = probeRegistry({ success: false, reason: "auth_failed", durationMs: 1, phases: {}, connectWanted: false, server: serverFact({ url: "turn:t.example", ok: false, error: probeError("wrong-credentials", "401") }) });
  const own = new ExporterMetrics(["m"]).registry;
  const names = new Set<string>();
  for (const registry of [full, failed, own]) {
    for (const metric of await registry.getMetricsAsJSON()) {
      names.add(metric.name);
      if (String(metric.type) === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${metric.name}${suffix}`);
    }
  }
  return names;
}

// Metric names, not label values such as job="rtcdoctor_exporter".
const mentioned = (text: string) => new Set([...text.matchAll(/(?<!")\brtcdoctor_[a-z_]+/g)].map((m) => m[0]));

describe("docs/monitoring", () => {
  test("promtool check config passes on both scrape configurations, check rules on the alerts", () => {
    for (const file of ["prometheus.yml", "prometheus-multi-region.yml"]) {
      const r = promtool(["check", "config", file]);
      expect(r.status, r.output).toBe(0);
    }
    const rules = promtool(["check", "rules", "rtc-doctor-alerts.yml"]);
    expect(rules.status, rules.output).toBe(0);
  });

  test("promtool test rules: each alert fires on the series it is for", () => {
    const r = promtool(["test", "rules", "rtc-doctor-alerts.test.yml"]);
    expect(r.status, r.output).toBe(0);
  });

  test("promtool fails on a broken copy (the checks can fail)", () => {
    writeFileSync(join(tmp, "broken.yml"), read("rtc-doctor-alerts.yml").replace("max without (reason)", "max without (reason"));
    expect(promtool(["check", "rules", join(tmp, "broken.yml")]).status).not.toBe(0);
  });

  test("the Grafana dashboard is JSON with panels whose queries name only metrics the exporter answers with", async () => {
    const dashboard = JSON.parse(read("grafana-dashboard.json")) as { uid: string; panels: { title: string; targets: { expr: string }[] }[] };
    expect(dashboard.uid).toBe("rtc-doctor-probes");
    expect(dashboard.panels.length).toBeGreaterThan(5);
    const names = await exportedNames();
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    for (const name of mentioned(exprs.join("\n"))) expect(names, `dashboard: ${name}`).toContain(name);
    for (const name of mentioned(read("rtc-doctor-alerts.yml"))) expect(names, `alerts: ${name}`).toContain(name);
  });

  test("the README's metric and reason tables match what the exporter answers", async () => {
    const readme = read("README.md");
    const names = await exportedNames();
    for (const name of names) if (name.startsWith("rtcdoctor_") && !name.endsWith("_bucket") && !name.endsWith("_sum") && !name.endsWith("_count")) expect(readme, name).toContain(name);
    for (const reason of PROBE_FAILURE_REASONS) expect(readme, reason).toContain(`| \`${reason}\` |`);
  });

  test("the example modules file and the Kubernetes ConfigMap's modules load against the schema", async () => {
    const env = { RTC_DOCTOR_TURN_CREDENTIAL: "x", RTC_DOCTOR_TURN_SECRET: "y" };
    const modules = await loadModulesFile(join(docs, "modules.yml"), env);
    expect([...modules.keys()]).toEqual(["stun", "stun_nat", "turn_relay", "turn_rest", "turn_allocate"]);
    const manifests = parseAllDocuments(read("kubernetes.yml")).map((d) => d.toJS() as { kind: string; data?: Record<string, string> });
    expect(manifests.map((m) => m.kind)).toEqual(["ConfigMap", "Deployment", "Service", "ServiceMonitor", "Probe"]);
    writeFileSync(join(tmp, "k8s-modules.yml"), manifests[0]!.data!["modules.yml"]!);
    expect([...(await loadModulesFile(join(tmp, "k8s-modules.yml"), env)).keys()]).toEqual(["stun", "turn_relay", "turn_rest"]);
    // The scrape configs' modules exist in the example file.
    for (const file of ["prometheus.yml", "prometheus-multi-region.yml"]) {
      for (const [, module] of read(file).matchAll(/module: \[(\w+)\]/g)) expect(modules.has(module!), `${file}: ${module}`).toBe(true);
    }
  });
});
