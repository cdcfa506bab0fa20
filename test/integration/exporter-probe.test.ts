import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadModulesFile } from "../../src/exporter/modules-file.js";
import { PROBE_FAILURE_REASONS } from "../../src/exporter/reasons.js";
import { startExporter, type RunningExporter } from "../../src/exporter/server.js";
import { startCoturn, turnserverAvailable, TURNSERVER_MISSING, type Coturn } from "../helpers/coturn.js";
import { freeTcpPort, freeUdpPort } from "../helpers/ports.js";
import { parsePromText, sample, type Sample } from "../helpers/prom-text.js";

// The exporter in this process against real coturns on loopback: what /probe answers for working,
// misconfigured and dead targets, and that no credential leaves it. test/integration/exporter-prometheus.test.ts
// has a real Prometheus scrape the same targets.
if (!turnserverAvailable()) throw new Error(TURNSERVER_MISSING);

let coturn: Coturn;
/** A certificate that expires within 14 days, made by openssl for this run. */
let expiring: Coturn;
/** coturn's use-auth-secret: TURN REST credentials only. */
let rest: Coturn;
const REST_SECRET = "rest-shared-secret-7d1a";
let exporter: RunningExporter;
let busyExporter: RunningExporter;
let silent: Socket;
let dir: string;
const lines: string[] = [];

beforeAll(async () => {
  [coturn, expiring, rest] = await Promise.all([
    startCoturn(),
    startCoturn({ certDays: 7 }),
    startCoturn({ tls: false, extraArgs: ["--use-auth-secret", `--static-auth-secret=${REST_SECRET}`] }),
  ]);
  dir = mkdtempSync(join(tmpdir(), "rtc-doctor-exporter-"));
  writeFileSync(join(dir, "ca.pem"), coturn.caPem!);
  writeFileSync(join(dir, "expiring-ca.pem"), expiring.caPem!);
  writeFileSync(
    join(dir, "modules.yml"),
    [
      "modules:",
      "  stun:",
      "    timeout: 5s",
      "  turn:",
      "    timeout: 20s",
      "    turn: { username: " + coturn.user + ", credential_env: EXPORTER_TEST_CREDENTIAL }",
      "    tls: { ca_file: ca.pem, fail_if_expires_within: 14d }",
      "  turn_wrong:",
      "    connect: false",
      "    turn: { username: " + coturn.user + ", credential_env: EXPORTER_TEST_WRONG }",
      "  turn_expiring:",
      "    connect: false",
      "    turn: { username: " + expiring.user + ", credential_env: EXPORTER_TEST_EXPIRING }",
      "    tls: { ca_file: expiring-ca.pem, fail_if_expires_within: 14d }",
      "  stun_full:",
      "    connect: true",
      "    nat: true",
      "  turn_rest:",
      "    turn: { secret_env: EXPORTER_TEST_REST_SECRET, ttl: 10m, user: probe }",
      "  turn_rest_wrong:",
      "    connect: false",
      "    turn: { secret: not-the-shared-secret, ttl: 10m }",
      "",
    ].join("\n"),
  );
  const modules = await loadModulesFile(join(dir, "modules.yml"), {
    EXPORTER_TEST_CREDENTIAL: coturn.password,
    EXPORTER_TEST_WRONG: "not-the-password-4f1c",
    EXPORTER_TEST_EXPIRING: expiring.password,
    EXPORTER_TEST_REST_SECRET: REST_SECRET,
  });
  exporter = await startExporter({ host: "127.0.0.1", port: 0, modules, concurrency: 4, timeoutOffsetMs: 500, log: (line) => lines.push(line) });
  busyExporter = await startExporter({ host: "127.0.0.1", port: 0, modules, concurrency: 1, timeoutOffsetMs: 500 });
  silent = createSocket("udp4");
  await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
}, 60_000);

afterAll(async () => {
  await Promise.all([exporter?.close(), busyExporter?.close(), coturn?.stop(), expiring?.stop(), rest?.stop()]);
  silent?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function get(base: RunningExporter, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const res = await fetch(`${base.url}${path}`, { headers, signal: AbortSignal.timeout(60_000) });
  return { status: res.status, body: await res.text() };
}

const bodies: string[] = [];
/** Other answers that must hold no credential either. */
const secretChecked: string[] = [];
async function probe(target: string, module: string, headers: Record<string, string> = {}, base = exporter): Promise<Sample[]> {
  const res = await get(base, `/probe?target=${encodeURIComponent(target)}&module=${module}`, headers);
  expect(res.status, res.body).toBe(200);
  bodies.push(res.body);
  return parsePromText(res.body);
}

function expectSuccess(samples: Sample[]): void {
  const success = sample(samples, "rtcdoctor_probe_success");
  expect(success.labels, JSON.stringify(samples.filter((s) => s.name.includes("success")))).toEqual({});
  expect(success.value).toBe(1);
}

function expectFailure(samples: Sample[], reason: string): void {
  const success = sample(samples, "rtcdoctor_probe_success");
  expect(success).toMatchObject({ value: 0, labels: { reason } });
}

describe("exporter /probe against coturn", () => {
  test("TURN/UDP allocates and the relay connection echoes: probe_success 1 with RTT and loss", async () => {
    const samples = await probe(`turn:127.0.0.1:${coturn.port}?transport=udp`, "turn");
    expectSuccess(samples);
    expect(sample(samples, "rtcdoctor_probe_turn_allocated").value).toBe(1);
    expect(sample(samples, "rtcdoctor_probe_connect_success").value).toBe(1);
    expect(sample(samples, "rtcdoctor_probe_stun_error_code").value).toBe(0);
    expect(sample(samples, "rtcdoctor_probe_path_rtt_seconds", { path: "relay" }).value).toBeGreaterThan(0);
    expect(sample(samples, "rtcdoctor_probe_path_loss_ratio", { path: "relay" }).value).toBe(0);
    // The quality flood's figures: a loopback relay is a near-perfect voice path.
    expect(sample(samples, "rtcdoctor_probe_path_mos", { path: "relay" }).value).toBeGreaterThan(4);
    expect(sample(samples, "rtcdoctor_probe_path_jitter_seconds", { path: "relay" }).value).toBeGreaterThanOrEqual(0);
    expect(sample(samples, "rtcdoctor_probe_path_rtt_quantile_seconds", { path: "relay", quantile: "0.99" }).value).toBeGreaterThan(0);
    expect(sample(samples, "rtcdoctor_probe_path_bitrate_bits_per_second", { path: "relay" }).value).toBeGreaterThan(0);
    expect(sample(samples, "rtcdoctor_probe_path_packets_sent", { path: "relay" }).value).toBeGreaterThan(10);
    for (const phase of ["server", "connect"]) expect(sample(samples, "rtcdoctor_probe_phase_duration_seconds", { phase }).value).toBeGreaterThan(0);
  }, 60_000);

  test("TURN/TCP and TURN/TLS succeed; TLS reports the certificate's expiry as Unix time", async () => {
    expectSuccess(await probe(`turn:127.0.0.1:${coturn.port}?transport=tcp`, "turn"));
    const tls = await probe(`turns:127.0.0.1:${coturn.tlsPort}?transport=tcp`, "turn");
    expectSuccess(tls);
    const expiry = sample(tls, "rtcdoctor_probe_ssl_earliest_cert_expiry").value;
    // The helper's certificate is valid for 30 days from its making.
    expect(expiry * 1000 - Date.now()).toBeGreaterThan(25 * 86_400_000);
    expect(sample(tls, "rtcdoctor_probe_tls_verified").value).toBe(1);
  }, 60_000);

  test("STUN Binding: probe_success 1, no connection unless the module asks", async () => {
    const samples = await probe(`stun:127.0.0.1:${coturn.port}`, "stun");
    expectSuccess(samples);
    expect(samples.some((s) => s.name === "rtcdoctor_probe_connect_success")).toBe(false);
  });

  test("TURN REST: credentials minted from the shared secret for each probe allocate and relay; a wrong secret is auth_failed", async () => {
    const target = `turn:127.0.0.1:${rest.port}?transport=udp`;
    expectSuccess(await probe(target, "turn_rest"));
    expectSuccess(await probe(target, "turn_rest"));
    expectFailure(await probe(target, "turn_rest_wrong"), "auth_failed");
  }, 60_000);

  test("STUN with connect and nat: a server-reflexive loopback connection and the NAT's behaviour", async () => {
    const samples = await probe(`stun:127.0.0.1:${coturn.port}`, "stun_full");
    expectSuccess(samples);
    expect(sample(samples, "rtcdoctor_probe_connect_success").value).toBe(1);
    expect(sample(samples, "rtcdoctor_probe_path_rtt_seconds", { path: "srflx" }).value).toBeGreaterThan(0);
    // No NAT on loopback: the mapping keeps the address and port for every destination.
    expect(sample(samples, "rtcdoctor_probe_nat_info").labels).toMatchObject({ mapping: "endpoint-independent" });
    expect(sample(samples, "rtcdoctor_probe_phase_duration_seconds", { phase: "nat" }).value).toBeGreaterThan(0);
  }, 60_000);

  test("a wrong password answers probe_success 0, reason auth_failed, with the server's 401", async () => {
    const samples = await probe(`turn:127.0.0.1:${coturn.port}?transport=udp`, "turn_wrong");
    expectFailure(samples, "auth_failed");
    expect(sample(samples, "rtcdoctor_probe_stun_error_code").value).toBe(401);
  });

  test("debug=true adds what the probe found, for a person: the server's 401 and its reason phrase, no credential", async () => {
    const res = await get(exporter, `/probe?target=${encodeURIComponent(`turn:127.0.0.1:${coturn.port}`)}&module=turn_wrong&debug=true`);
    expect(res.status).toBe(200);
    const [metrics, found] = res.body.split("# What the probe found:\n");
    bodies.push(metrics!);
    secretChecked.push(found!);
    expect(metrics).toContain('rtcdoctor_probe_success{reason="auth_failed"} 0');
    const facts = JSON.parse(found!) as { server: { error: { code: string; stunErrorCode: number } } };
    expect(facts.server.error).toMatchObject({ code: "wrong-credentials", stunErrorCode: 401 });
  });

  test("a dead port answers probe_success 0, reason connection_refused (TCP and UDP)", async () => {
    expectFailure(await probe(`turn:127.0.0.1:${await freeTcpPort()}?transport=tcp`, "turn_wrong"), "connection_refused");
    expectFailure(await probe(`stun:127.0.0.1:${await freeUdpPort()}`, "stun"), "connection_refused");
  });

  test("a certificate expiring within 14 days answers probe_success 0, reason certificate_expiring", async () => {
    const samples = await probe(`turns:127.0.0.1:${expiring.tlsPort}?transport=tcp`, "turn_expiring");
    expectFailure(samples, "certificate_expiring");
    expect(sample(samples, "rtcdoctor_probe_ssl_earliest_cert_expiry").value * 1000 - Date.now()).toBeLessThan(8 * 86_400_000);
  });

  test("the scrape timeout header bounds a silent target: probe_success 0, reason timeout, before the scrape gives up", async () => {
    const started = Date.now();
    const samples = await probe(`stun:127.0.0.1:${silent.address().port}`, "stun", { "X-Prometheus-Scrape-Timeout-Seconds": "1.5" });
    expectFailure(samples, "timeout");
    // Generous: the probe had 1 s; the scrape would have given up at 1.5 s.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(sample(samples, "rtcdoctor_probe_duration_seconds").value).toBeLessThan(1.5);
  });

  test("probes past the concurrency bound wait, and answer exporter_busy when their time runs out first", async () => {
    const target = `stun:127.0.0.1:${silent.address().port}`;
    const both = Promise.all([
      probe(target, "stun", { "X-Prometheus-Scrape-Timeout-Seconds": "4" }, busyExporter),
      probe(target, "stun", { "X-Prometheus-Scrape-Timeout-Seconds": "2" }, busyExporter),
    ]);
    // While the second waits (1.5 s), /metrics shows one running and one waiting.
    const gauges = async () => {
      const own = parsePromText((await get(busyExporter, "/metrics")).body);
      return [sample(own, "rtcdoctor_exporter_probes_in_flight").value, sample(own, "rtcdoctor_exporter_probes_queued").value];
    };
    let seen = await gauges();
    for (let i = 0; i < 100 && !(seen[0] === 1 && seen[1] === 1); i++) seen = await gauges();
    expect(seen).toEqual([1, 1]);
    const [first, second] = await both;
    expectFailure(first, "timeout");
    expectFailure(second, "exporter_busy");
    expect(await gauges()).toEqual([0, 0]);
  });

  test("a scraper that gives up while its probe waits leaves the queue at once", async () => {
    const target = encodeURIComponent(`stun:127.0.0.1:${silent.address().port}`);
    const running = get(busyExporter, `/probe?target=${target}&module=stun`, { "X-Prometheus-Scrape-Timeout-Seconds": "4" });
    const leaver = new AbortController();
    const waiting = fetch(`${busyExporter.url}/probe?target=${target}&module=stun`, { headers: { "X-Prometheus-Scrape-Timeout-Seconds": "4" }, signal: leaver.signal }).catch(() => "left");
    const gauges = async () => {
      const own = parsePromText((await get(busyExporter, "/metrics")).body);
      return [sample(own, "rtcdoctor_exporter_probes_in_flight").value, sample(own, "rtcdoctor_exporter_probes_queued").value];
    };
    const until = async (want: number[]) => {
      let seen = await gauges();
      for (let i = 0; i < 100 && JSON.stringify(seen) !== JSON.stringify(want); i++) seen = await gauges();
      return seen;
    };
    expect(await until([1, 1])).toEqual([1, 1]);
    leaver.abort();
    expect(await waiting).toBe("left");
    // Well before the first probe's 3.5 s are over: the queue is empty, the first still runs.
    expect(await until([1, 0])).toEqual([1, 0]);
    expect((await running).status).toBe(200);
  });

  test("bad requests are 400s that say why: no target, not an ICE URL, unknown module, bad timeout header", async () => {
    expect(await get(exporter, "/probe?module=stun")).toMatchObject({ status: 400, body: expect.stringContaining("target") });
    expect(await get(exporter, `/probe?target=${encodeURIComponent("http://example.test/")}&module=stun`)).toMatchObject({ status: 400 });
    expect(await get(exporter, `/probe?target=stun:127.0.0.1&module=nope`)).toMatchObject({ status: 400, body: expect.stringContaining("unknown module") });
    expect(await get(exporter, `/probe?target=stun:127.0.0.1&module=stun`, { "X-Prometheus-Scrape-Timeout-Seconds": "soon" })).toMatchObject({ status: 400 });
    expect((await get(exporter, "/nothing")).status).toBe(404);
  });

  test("/metrics counts the probes by module and result; every reason ever answered is from the fixed set", async () => {
    const own = parsePromText((await get(exporter, "/metrics")).body);
    expect(sample(own, "rtcdoctor_exporter_probes_total", { module: "turn", result: "success" }).value).toBeGreaterThanOrEqual(3);
    expect(sample(own, "rtcdoctor_exporter_probe_failures_total", { module: "turn_wrong", reason: "auth_failed" }).value).toBeGreaterThanOrEqual(1);
    expect(sample(own, "rtcdoctor_exporter_bad_requests_total").value).toBeGreaterThanOrEqual(4);
    expect(own.some((s) => s.name === "process_resident_memory_bytes")).toBe(true);
    const reasons = bodies.flatMap((b) => parsePromText(b)).flatMap((s) => (s.labels["reason"] ? [s.labels["reason"]] : []));
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(PROBE_FAILURE_REASONS).toContain(reason);
  });

  test("no credential appears in any answer or log line", async () => {
    const everything = [...bodies, ...secretChecked, ...lines, (await get(exporter, "/metrics")).body].join("\n");
    for (const secret of [coturn.password, expiring.password, "not-the-password-4f1c", REST_SECRET, "not-the-shared-secret"]) expect(everything).not.toContain(secret);
    expect(lines.some((l) => l.includes("reason=auth_failed"))).toBe(true);
  });
});
