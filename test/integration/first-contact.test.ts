import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { check } from "../../src/check.js";
import { natInputs } from "../../src/phases/nat.js";
import { startCoturn, TURNSERVER_MISSING, turnserverAvailable, type Coturn } from "../helpers/coturn.js";
import { startUdpStunTarget, type UdpStunTarget } from "../helpers/udp-stun-target.js";
import { expectValidReport } from "../helpers/schema.js";

if (!turnserverAvailable()) throw new Error(TURNSERVER_MISSING);

// One first-contact wait for the whole run: a TCP answer from an address bounds how long the UDP
// probes of that address wait, and NAT discovery does not wait a second time for servers that
// stayed silent. A long timeout makes the difference visible in the facts, not in a stopwatch.
describe("the shared first-contact wait", () => {
  let coturn: Coturn;
  let silent: UdpStunTarget;
  const TIMEOUT_MS = 8000;

  beforeAll(async () => {
    coturn = await startCoturn({ tls: false });
    silent = await startUdpStunTarget();
  });
  afterAll(async () => {
    await coturn?.stop();
    await silent?.stop();
  });

  it("ends a silent UDP probe at the bound that TCP to the same address sets, and says so", async () => {
    const report = await check({
      stun: [`stun:127.0.0.1:${silent.port}`],
      turn: [`turn:127.0.0.1:${coturn.port}?transport=tcp`],
      username: coturn.user,
      credential: coturn.password,
      timeoutMs: TIMEOUT_MS,
      gather: false,
      connect: false,
    });
    expectValidReport(report);
    const [udp, tcp] = report.servers;
    expect(tcp).toMatchObject({ ok: true, transport: "tcp" });
    expect(udp).toMatchObject({ ok: false, transport: "udp", error: { code: "timeout" } });
    expect(udp?.udpWaitCut).toMatchObject({ streamServerId: tcp?.id });
    expect(udp!.udpWaitCut!.boundMs).toBeLessThan(TIMEOUT_MS);
    // The NAT verdict comes from that same silence: no second Binding to the silent server.
    expect(report.nat).toMatchObject({ classic: "udp-blocked", serverIds: [udp?.id] });
    expect(report.nat?.tests.map((t) => t.name)).toEqual(["server probe (UDP)"]);
  });

  it("waits the whole timeout where no TCP/TLS answer says the host is alive", async () => {
    const report = await check({ stun: [`stun:127.0.0.1:${silent.port}`], timeoutMs: 1500, gather: false, connect: false, nat: false });
    expect(report.servers[0]).toMatchObject({ ok: false, error: { code: "timeout" } });
    expect(report.servers[0]?.udpWaitCut).toBeUndefined();
  });

  it("gives NAT discovery the RTT of the servers that answered and leaves out the silent ones", () => {
    const base = { index: 0, scheme: "stun" as const, kind: "stun" as const, host: "127.0.0.1", port: 1, source: "flag" as const, hasCredentials: false, durationMs: 900 };
    const inputs = natInputs([
      { ...base, id: "a", url: "stun:a", transport: "udp", ok: true, rttMs: 12, remoteAddress: { address: "127.0.0.1", port: 1, family: 4 }, exchanges: [] },
      { ...base, id: "b", url: "stun:b", transport: "udp", ok: false, remoteAddress: { address: "127.0.0.2", port: 1, family: 4 }, exchanges: [{ request: "Binding", outcome: "timeout", retransmissions: 4 }], error: { code: "timeout", detail: "x", message: "x" } },
      { ...base, id: "c", url: "stun:c", transport: "tcp", ok: true, rttMs: 3, remoteAddress: { address: "127.0.0.3", port: 1, family: 4 }, exchanges: [] },
    ]);
    expect(inputs.answering).toEqual([{ url: "stun:a", id: "a", address: { address: "127.0.0.1", port: 1, family: 4 }, rttMs: 12 }]);
    expect(inputs.silent).toEqual([{ url: "stun:b", id: "b", address: { address: "127.0.0.2", port: 1, family: 4 }, attempts: 5, waitedMs: 900 }]);
  });
});
