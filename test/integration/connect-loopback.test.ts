import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseIceUrl } from "../../src/config/ice-url.js";
import { targetOf } from "../../src/config/target-id.js";
import type { IceServerTarget } from "../../src/config/types.js";
import type { ConnectivityFact } from "../../src/facts/index.js";
import { connectLoopback, type LoopbackOptions } from "../../src/probes/connect/loopback.js";
import { startCoturn, turnserverAvailable, TURNSERVER_MISSING, type Coturn } from "../helpers/coturn.js";

if (!turnserverAvailable()) throw new Error(TURNSERVER_MISSING);

// Bounds, not expectations: no assertion depends on how long anything took.
const OPTIONS: LoopbackOptions = { gatherTimeoutMs: 5000, connectTimeoutMs: 10_000, echoCount: 5 };

function expectConnected(fact: ConnectivityFact): void {
  expect(fact.error, JSON.stringify(fact.error)).toBeUndefined();
  expect(fact.stalledIn).toBeUndefined();
  expect(fact.ok).toBe(true);
  expect(fact.dtlsState).toBe("connected");
  expect(fact.iceStates.map((s) => s.state)).toContain("connected");
  expect(fact.timeToConnectedMs).toBeGreaterThanOrEqual(0);
  expect(fact.timeToDataChannelMs).toBeGreaterThanOrEqual(fact.timeToConnectedMs ?? 0);
  expect(fact.echo).toEqual({ sent: 5, received: 5 });
  expect(fact.rttMs).toBeGreaterThanOrEqual(0);
  const selected = fact.pairs.filter((p) => p.selected);
  expect(selected).toHaveLength(1);
  expect(selected[0]?.nominated).toBe(true);
  expect(selected[0]?.responsesReceived).toBeGreaterThan(0);
}

describe("loopback connections between two werift peers", () => {
  let coturn: Coturn;
  const secrets: string[] = [];
  beforeAll(async () => {
    coturn = await startCoturn({ tls: true });
    secrets.push(coturn.password);
  });
  afterAll(async () => {
    await coturn?.stop();
  });

  function turn(raw: string): IceServerTarget {
    return targetOf({ url: parseIceUrl(raw), username: coturn.user, credential: coturn.password, source: "flag" });
  }

  function expectNoSecrets(fact: ConnectivityFact): void {
    for (const secret of secrets) expect(JSON.stringify(fact)).not.toContain(secret);
  }

  test("host: connects over host candidates only", async () => {
    const fact = await connectLoopback({ mode: "loopback-host" }, OPTIONS);
    expectConnected(fact);
    expect(fact.via).toBeUndefined();
    expect(fact.selectedPair?.local.type).toBe("host");
    expect(fact.selectedPair?.remote.type).toBe("host");
    expect([...fact.localCandidates, ...fact.remoteCandidates].every((c) => c.type === "host")).toBe(true);
  });

  test("srflx: both peers learn only the other's server-reflexive candidates (coturn's STUN)", async () => {
    const stun: IceServerTarget = targetOf({ url: parseIceUrl(`stun:127.0.0.1:${coturn.port}`), source: "flag" });
    const fact = await connectLoopback({ mode: "loopback-srflx", stun }, OPTIONS);
    expectConnected(fact);
    expect(fact.via).toBe(`stun:127.0.0.1:${coturn.port}`);
    expect(fact.localCandidates.length).toBeGreaterThan(0);
    expect([...fact.localCandidates, ...fact.remoteCandidates].every((c) => c.type === "srflx")).toBe(true);
    expect(fact.selectedPair?.remote.type).toBe("srflx");
  });

  test.each([
    ["udp", (c: Coturn) => `turn:127.0.0.1:${c.port}?transport=udp`],
    ["tcp", (c: Coturn) => `turn:127.0.0.1:${c.port}?transport=tcp`],
    ["tls", (c: Coturn) => `turns:localhost:${c.tlsPort}`],
  ] as const)("relay over TURN/%s: connected through the relay, relay protocol recorded", async (transport, url) => {
    const fact = await connectLoopback({ mode: "loopback-relay", turn: turn(url(coturn)) }, { ...OPTIONS, tlsCa: coturn.caPem });
    expectConnected(fact);
    expectNoSecrets(fact);
    expect(fact.via).toBe(url(coturn));
    expect([...fact.localCandidates, ...fact.remoteCandidates].every((c) => c.type === "relay")).toBe(true);
    expect(fact.selectedPair?.local).toMatchObject({ type: "relay", relayProtocol: transport });
    expect(fact.selectedPair?.remote.type).toBe("relay");
  });

  test("relay with a wrong password: no relay candidate, reported as stalled in gathering", async () => {
    const bad: IceServerTarget = { ...turn(`turn:127.0.0.1:${coturn.port}?transport=tcp`), credential: "not-the-password" };
    secrets.push("not-the-password");
    const fact = await connectLoopback({ mode: "loopback-relay", turn: bad }, { ...OPTIONS, gatherTimeoutMs: 1500 });
    expect(fact.ok).toBe(false);
    expect(fact.stalledIn).toBe("gathering");
    expect(fact.error?.message).toMatch(/no relay candidate/);
    expectNoSecrets(fact);
  });
});
