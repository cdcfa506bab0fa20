import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { check } from "../../src/check.js";
import { startCoturn, TURNSERVER_MISSING, turnserverAvailable, type Coturn } from "../helpers/coturn.js";
import { freeUdpPort } from "../helpers/ports.js";
import { startUdpStunTarget, type UdpStunTarget } from "../helpers/udp-stun-target.js";
import { expectValidReport } from "../helpers/schema.js";

if (!turnserverAvailable()) throw new Error(TURNSERVER_MISSING);

// ICMP errors are evidence: on loopback the kernel answers a datagram to a port where nothing
// listens with ICMP port unreachable, and the probe's connected socket hears it as ECONNREFUSED.
// The timeouts here are far past the tests' own bounds: a probe that waited for silence would hang.
const LONG_MS = 120_000;

describe("a UDP port where nothing listens", () => {
  let coturn: Coturn;
  let silent: UdpStunTarget;

  beforeAll(async () => {
    coturn = await startCoturn({ tls: false });
    silent = await startUdpStunTarget();
  });
  afterAll(async () => {
    await coturn?.stop();
    await silent?.stop();
  });

  it("the whole default check names the port as the top finding, and does not call UDP blocked", async () => {
    const port = await freeUdpPort();
    const report = await check({ stun: [`stun:127.0.0.1:${port}`], timeoutMs: LONG_MS });
    expectValidReport(report);
    expect(report.servers[0]).toMatchObject({ ok: false, error: { code: "port-unreachable" }, exchanges: [{ outcome: "port-unreachable", retransmissions: 0 }] });
    expect(report.nat).toMatchObject({ classic: "unknown", reasons: ["udp-refused"], tests: [{ name: "server probe (UDP)", icmp: "port-unreachable", attempts: 1 }] });
    expect(report.findings[0]).toMatchObject({ id: "stun-server-unreachable", message: "nothing-listens", severity: "error", title: `Nothing listens on UDP ${port} at 127.0.0.1` });
    expect(report.findings.map((f) => f.id)).not.toContain("udp-blocked");
    expect(report.findings.map((f) => f.id)).not.toContain("nat-behaviour");
  }, 60_000);

  it("next to a working STUN server it is a warning, and the NAT is classified from the one that answers", async () => {
    const port = await freeUdpPort();
    const report = await check({ stun: [`stun:127.0.0.1:${coturn.port}`, `stun:127.0.0.1:${port}`], timeoutMs: LONG_MS, gather: false, connect: false });
    expectValidReport(report);
    expect(report.servers.map((s) => [s.ok, s.error?.code])).toEqual([[true, undefined], [false, "port-unreachable"]]);
    expect(report.nat?.classic).not.toBe("udp-blocked");
    expect(report.nat?.servers).toEqual([`stun:127.0.0.1:${coturn.port}`]);
    const finding = report.findings.find((f) => f.id === "stun-server-unreachable");
    expect(finding).toMatchObject({ message: "nothing-listens-one-of-several", severity: "warning", title: `Nothing listens on UDP ${port} at 127.0.0.1` });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
  }, 60_000);

  it("shares the first-contact wait: the refusal ends its own wait at once, a silent port on the same host still waits for the TCP bound", async () => {
    const port = await freeUdpPort();
    const report = await check({
      stun: [`stun:127.0.0.1:${port}`, `stun:127.0.0.1:${silent.port}`],
      turn: [`turn:127.0.0.1:${coturn.port}?transport=tcp`],
      username: coturn.user,
      credential: coturn.password,
      timeoutMs: 8000,
      gather: false,
      connect: false,
    });
    expectValidReport(report);
    const [refusedUdp, silentUdp, tcp] = report.servers;
    expect(tcp).toMatchObject({ ok: true, transport: "tcp" });
    expect(refusedUdp).toMatchObject({ error: { code: "port-unreachable" } });
    // Its answer came before any bound: nothing cut its wait.
    expect(refusedUdp?.udpWaitCut).toBeUndefined();
    expect(silentUdp).toMatchObject({ error: { code: "timeout" }, udpWaitCut: { streamServerId: tcp?.id } });
    // NAT discovery waits for neither a second time, and one refusal means UDP is not called blocked.
    expect(report.nat).toMatchObject({ classic: "unknown", reasons: ["udp-refused"], serverIds: [silentUdp?.id, refusedUdp?.id] });
    expect(report.nat?.tests.map((t) => [t.name, t.icmp])).toEqual([["server probe (UDP)", undefined], ["server probe (UDP)", "port-unreachable"]]);
    expect(report.findings.map((f) => f.id)).not.toContain("udp-blocked");
    expect(report.findings.filter((f) => f.id === "stun-server-unreachable").map((f) => f.message)).toEqual(["nothing-listens", "none-answers"]);
  }, 60_000);

  it("TURN over UDP to a closed port, with TURN over TCP working on that host: nothing listens on UDP, not UDP blocked towards it", async () => {
    const port = await freeUdpPort();
    const report = await check({
      turn: [`turn:127.0.0.1:${port}?transport=udp`, `turn:127.0.0.1:${coturn.port}?transport=tcp`],
      username: coturn.user,
      credential: coturn.password,
      timeoutMs: LONG_MS,
      gather: false,
      connect: false,
    });
    expectValidReport(report);
    expect(report.servers[0]).toMatchObject({ error: { code: "port-unreachable" }, exchanges: [{ request: "Allocate", outcome: "port-unreachable", retransmissions: 0 }] });
    expect(report.findings[0]).toMatchObject({ id: "turn-server-unreachable", message: "udp-port-unreachable", title: `Nothing listens on UDP ${port} at 127.0.0.1` });
    expect(report.findings.map((f) => f.id)).not.toContain("turn-udp-blocked");
    expect(report.findings.map((f) => f.id)).not.toContain("udp-blocked");
  }, 60_000);
});
