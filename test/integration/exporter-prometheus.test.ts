import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startCoturn, turnserverAvailable, TURNSERVER_MISSING, type Coturn } from "../helpers/coturn.js";
import { startExporterProcess, type ExporterProcess } from "../helpers/exporter-process.js";
import { freeTcpPort } from "../helpers/ports.js";
import { pollUntil, prometheusAvailable, PROMETHEUS_MISSING, startPrometheus, type Prometheus } from "../helpers/prometheus.js";

// Issue 14's acceptance: a real Prometheus scrapes `rtc-doctor exporter` (its own process) with the
// relabelling blackbox_exporter users know, against coturn targets on loopback; the answers are read
// back through Prometheus's HTTP API, so what is asserted is what Prometheus stored.
if (!turnserverAvailable()) throw new Error(TURNSERVER_MISSING);
if (!prometheusAvailable()) throw new Error(PROMETHEUS_MISSING);

let coturn: Coturn;
let expiring: Coturn;
let exporter: ExporterProcess;
let prometheus: Prometheus;
let dir: string;
const WRONG = "wrong-password-9b2e";
const targets: Record<string, { module: string; target: string }> = {};

/** One blackbox-style job: targets become ?target=, the exporter is the address scraped, a vantage label rides along. */
function job(name: string, module: string, list: string[], exporterAddress: string): string {
  return [
    `  - job_name: ${name}`,
    "    metrics_path: /probe",
    `    params: { module: [${module}] }`,
    "    scrape_interval: 10s",
    "    scrape_timeout: 9s",
    "    static_configs:",
    `      - targets: [${list.map((t) => JSON.stringify(t)).join(", ")}]`,
    "        labels: { vantage: loopback-test }",
    "    relabel_configs:",
    "      - source_labels: [__address__]",
    "        target_label: __param_target",
    "      - source_labels: [__param_target]",
    "        target_label: instance",
    "      - target_label: __address__",
    `        replacement: ${exporterAddress}`,
  ].join("\n");
}

beforeAll(async () => {
  [coturn, expiring] = await Promise.all([startCoturn(), startCoturn({ certDays: 7 })]);
  dir = mkdtempSync(join(tmpdir(), "rtc-doctor-exporter-prom-"));
  writeFileSync(join(dir, "ca.pem"), coturn.caPem!);
  writeFileSync(join(dir, "expiring-ca.pem"), expiring.caPem!);
  const modules = {
    modules: {
      turn: { timeout: "20s", turn: { username: coturn.user, credential_env: "TEST_TURN_CREDENTIAL" }, tls: { ca_file: "ca.pem" } },
      turn_wrong: { turn: { username: coturn.user, credential_env: "TEST_TURN_WRONG" } },
      turn_expiring: { connect: false, turn: { username: expiring.user, credential_env: "TEST_TURN_EXPIRING" }, tls: { ca_file: "expiring-ca.pem", fail_if_expires_within: "14d" } },
    },
  };
  writeFileSync(join(dir, "modules.json"), JSON.stringify(modules));
  exporter = await startExporterProcess(["--config", join(dir, "modules.json"), "--verbose"], {
    env: { TEST_TURN_CREDENTIAL: coturn.password, TEST_TURN_WRONG: WRONG, TEST_TURN_EXPIRING: expiring.password },
  });
  const dead = await freeTcpPort();
  Object.assign(targets, {
    udp: { module: "turn", target: `turn:127.0.0.1:${coturn.port}?transport=udp` },
    tcp: { module: "turn", target: `turn:127.0.0.1:${coturn.port}?transport=tcp` },
    tls: { module: "turn", target: `turns:127.0.0.1:${coturn.tlsPort}?transport=tcp` },
    wrong: { module: "turn_wrong", target: `turn:127.0.0.1:${coturn.port}?transport=udp` },
    dead: { module: "turn", target: `turn:127.0.0.1:${dead}?transport=tcp` },
    expiring: { module: "turn_expiring", target: `turns:127.0.0.1:${expiring.tlsPort}?transport=tcp` },
  });
  const byModule = new Map<string, string[]>();
  for (const { module, target } of Object.values(targets)) byModule.set(module, [...(byModule.get(module) ?? []), target]);
  const config = [
    "global:",
    "  scrape_interval: 10s",
    "scrape_configs:",
    ...[...byModule].map(([module, list]) => job(`rtcdoctor_${module}`, module, list, exporter.address)),
    "  - job_name: rtcdoctor_exporter",
    "    scrape_interval: 2s",
    "    static_configs:",
    `      - targets: [${JSON.stringify(exporter.address)}]`,
    "",
  ].join("\n");
  prometheus = await startPrometheus(config);
}, 90_000);

afterAll(async () => {
  await Promise.all([prometheus?.stop(), exporter?.stop(), coturn?.stop(), expiring?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The latest rtcdoctor_probe_success of each instance, once Prometheus has scraped every target. */
async function successByTarget(): Promise<Map<string, { value: number; reason?: string; vantage?: string }>> {
  const want = new Set(Object.values(targets).map((t) => `${t.module} ${t.target}`));
  const read = async () => {
    // Over a few scrapes a target's reason may have changed: the newest sample of each instance wins.
    const rows = await prometheus.query("rtcdoctor_probe_success");
    return new Map(rows.map((r) => [`${r.metric["job"]!.replace(/^rtcdoctor_/, "")} ${r.metric["instance"]}`, { value: Number(r.value[1]), reason: r.metric["reason"], vantage: r.metric["vantage"] }]));
  };
  const seen = await pollUntil(read, (m) => [...want].every((k) => m.has(k)), 120_000, 500);
  const missing = [...want].filter((k) => !seen.has(k));
  if (missing.length > 0) throw new Error(`Prometheus has no rtcdoctor_probe_success for ${missing.join(", ")}\n${prometheus.logs()}\n${exporter.stderr()}`);
  return seen;
}

describe("a real Prometheus scraping rtc-doctor exporter", () => {
  test("probe_success is 1 for TURN/UDP, TCP and TLS, and 0 with the right reason for a wrong password, a dead port, an expiring certificate", async () => {
    const seen = await successByTarget();
    const of = (key: string) => seen.get(`${targets[key]!.module} ${targets[key]!.target}`);
    const context = `${JSON.stringify([...seen])}\n${exporter.stderr()}`;
    for (const key of ["udp", "tcp", "tls"]) expect(of(key), context).toEqual({ value: 1, vantage: "loopback-test" });
    expect(of("wrong"), context).toEqual({ value: 0, reason: "auth_failed", vantage: "loopback-test" });
    expect(of("dead"), context).toEqual({ value: 0, reason: "connection_refused", vantage: "loopback-test" });
    expect(of("expiring"), context).toEqual({ value: 0, reason: "certificate_expiring", vantage: "loopback-test" });
  }, 150_000);

  test("Prometheus stores the relay's RTT and loss, the certificate's expiry and the STUN error code", async () => {
    await successByTarget();
    const rtt = await prometheus.query(`rtcdoctor_probe_path_rtt_seconds{path="relay", instance=${JSON.stringify(targets["udp"]!.target)}}`);
    expect(rtt).toHaveLength(1);
    expect(Number(rtt[0]!.value[1])).toBeGreaterThan(0);
    const loss = await prometheus.query(`rtcdoctor_probe_path_loss_ratio{path="relay", instance=${JSON.stringify(targets["udp"]!.target)}}`);
    expect(loss.map((r) => r.value[1])).toEqual(["0"]);
    const days = await prometheus.query(`(rtcdoctor_probe_ssl_earliest_cert_expiry - time()) / 86400 < 14`);
    expect(days.map((r) => r.metric["instance"])).toEqual([targets["expiring"]!.target]);
    const code = await prometheus.query(`rtcdoctor_probe_stun_error_code{job="rtcdoctor_turn_wrong"}`);
    expect(code.map((r) => r.value[1])).toEqual(["401"]);
  }, 150_000);

  test("the exporter's own /metrics is scraped, counts the probes, and no credential reached Prometheus or the log", async () => {
    await successByTarget();
    const up = await pollUntil(() => prometheus.query(`rtcdoctor_exporter_probes_total{module="turn", result="success"} > 0`), (r) => r.length === 1, 30_000, 500);
    expect(up).toHaveLength(1);
    const series = await fetch(`${prometheus.url}/api/v1/series?match[]=${encodeURIComponent('{__name__=~"rtcdoctor_.+"}')}`).then((r) => r.text());
    const labels = await fetch(`${prometheus.url}/api/v1/labels`).then((r) => r.text());
    const everything = [series, labels, exporter.stdout(), exporter.stderr()].join("\n");
    for (const secret of [coturn.password, expiring.password, WRONG]) expect(everything).not.toContain(secret);
    expect(exporter.stderr()).toContain("reason=auth_failed");
  }, 60_000);
});
